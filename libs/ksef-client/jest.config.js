const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('ksef-client', __dirname);
