const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('offline-mode', __dirname);
