const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('invoice-domain', __dirname);
