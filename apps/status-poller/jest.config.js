const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('status-poller', __dirname);
