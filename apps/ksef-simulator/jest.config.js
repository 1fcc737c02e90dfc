const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('ksef-simulator', __dirname);
