/* eslint-disable */
// Lets benchmarks and the demo run from TypeScript sources: swc transpiles (via ts-node), and the @ksef-bridge/* aliases of
// tsconfig.base.json resolve to the libs' curated index.ts files, as in jest and webpack.
const path = require('path');
const root = path.join(__dirname, '../..');
process.env.TS_NODE_PROJECT = path.join(__dirname, 'tsconfig.json');
require('ts-node').register({ swc: true, project: process.env.TS_NODE_PROJECT });
const { compilerOptions } = require('../../tsconfig.base.json');
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
require('reflect-metadata');
