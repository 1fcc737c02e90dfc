const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('outbox', __dirname);
