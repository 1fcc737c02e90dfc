const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('observability', __dirname);
