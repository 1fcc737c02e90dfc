const { projectJestConfig } = require('../../jest.preset');

module.exports = projectJestConfig('service-kit', __dirname);
