const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('errors', __dirname);
