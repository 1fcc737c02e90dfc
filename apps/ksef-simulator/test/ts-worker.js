// Runs a TypeScript worker-thread entry from the sources (tests): ts-node (transpile only) plus the workspace's
// path aliases (@ksef-bridge/*), which tsconfig-paths cannot read on its own (tsconfig.base.json has no baseUrl).
const { join } = require('node:path');
const { workerData } = require('node:worker_threads');
const root = join(__dirname, '../../..');
require('ts-node').register({ transpileOnly: true, project: join(__dirname, '../tsconfig.spec.json') });
require('tsconfig-paths').register({ baseUrl: root, paths: require(join(root, 'tsconfig.base.json')).compilerOptions.paths });
require(workerData.tsEntry);
