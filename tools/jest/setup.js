/* eslint-disable */
// Nest and TypeORM decorators need the Reflect metadata API before any decorated class loads.
require('reflect-metadata');
