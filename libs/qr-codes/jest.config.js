const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('qr-codes', __dirname);
