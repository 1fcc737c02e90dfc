/* eslint-disable */
// Shared jest configuration. Test tiers are chosen by file name (CONVENTIONS.md):
//   *.spec.ts      unit, no services          (TEST_TIER=unit, the default)
//   *.int.spec.ts  real Kafka and PostgreSQL  (TEST_TIER=int)
//   *.e2e.spec.ts  the running system         (TEST_TIER=e2e)
// TEST_TIER=all runs every tier.
const path = require('path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;
const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/.-]/g, '\\$&')}$`] = path.join(root, target);
}

const tierMatch = {
  unit: ['**/?(*.)spec.ts'],
  int: ['**/*.int.spec.ts'],
  e2e: ['**/*.e2e.spec.ts'],
  all: ['**/*.spec.ts'],
};
const tier = process.env.TEST_TIER || 'unit';
if (!tierMatch[tier]) throw new Error(`TEST_TIER must be one of ${Object.keys(tierMatch).join(', ')}, got '${tier}'`);
// The unit glob also matches *.int.spec.ts / *.e2e.spec.ts, so those are ignored explicitly for the unit tier.
const tierIgnore = tier === 'unit' ? ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] : [];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/** Jest config for one Nx project; `dir` is the project folder. */
function projectJestConfig(displayName, dir) {
  return {
    displayName,
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: tierMatch[tier].map((g) => `<rootDir>/${g}`),
    testPathIgnorePatterns: ['/node_modules/', ...tierIgnore],
    transform: { '^.+\\.[tj]s$': swc },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    setupFiles: [path.join(root, 'tools/jest/setup.js')],
    setupFilesAfterEnv: [path.join(root, 'tools/jest/timeout.js'), path.join(root, 'tools/jest/retries.js')],
  };
}

module.exports = { projectJestConfig };
