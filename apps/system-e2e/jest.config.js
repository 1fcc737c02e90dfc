const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('system-e2e', __dirname);
