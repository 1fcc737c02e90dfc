const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('validator', __dirname);
