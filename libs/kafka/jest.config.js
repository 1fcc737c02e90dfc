const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('kafka', __dirname);
