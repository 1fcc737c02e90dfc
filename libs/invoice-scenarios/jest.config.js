const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('invoice-scenarios', __dirname);
