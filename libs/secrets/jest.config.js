const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('secrets', __dirname);
