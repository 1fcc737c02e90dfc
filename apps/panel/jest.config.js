const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('panel', __dirname);
