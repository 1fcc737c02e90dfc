const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('notifier', __dirname);
