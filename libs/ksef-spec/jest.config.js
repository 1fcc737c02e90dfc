const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('ksef-spec', __dirname);
