const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('sender', __dirname);
