import nx from '@nx/eslint-plugin';

// Module boundaries (CONVENTIONS.md): tags in two dimensions, scope:* x type:*.
// Production code may not import the testing lib; test files may.
const typeRules = (allowTesting) => {
  const t = (tags) => (allowTesting ? [...tags, 'type:testing'] : tags);
  return [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: t(['type:feature', 'type:data-access', 'type:platform', 'type:contracts', 'type:util']) },
    { sourceTag: 'type:feature', onlyDependOnLibsWithTags: t(['type:feature', 'type:data-access', 'type:platform', 'type:contracts', 'type:util']) },
    { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: t(['type:data-access', 'type:platform', 'type:contracts', 'type:util']) },
    { sourceTag: 'type:platform', onlyDependOnLibsWithTags: t(['type:platform', 'type:contracts', 'type:util']) },
    // Contracts are the language every service speaks: they depend on nothing of ours, and only on zod outside.
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], allowedExternalImports: ['zod'] },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:platform', 'type:contracts', 'type:util'] },
    // System tests drive built processes; they may use libs (never import an app's code).
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:data-access', 'type:platform', 'type:contracts', 'type:util'] },
  ];
};
const scopeRules = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:ksef-spec', onlyDependOnLibsWithTags: ['scope:ksef-spec', 'scope:shared'] },
  { sourceTag: 'scope:ksef', onlyDependOnLibsWithTags: ['scope:ksef', 'scope:ksef-spec', 'scope:shared'] },
  // The simulator must never share code with our KSeF client: it has to catch the client's mistakes.
  { sourceTag: 'scope:simulator', onlyDependOnLibsWithTags: ['scope:simulator', 'scope:ksef-spec', 'scope:shared'] },
  { sourceTag: 'scope:pipeline', onlyDependOnLibsWithTags: ['scope:pipeline', 'scope:ksef', 'scope:ksef-spec', 'scope:shared'] },
  { sourceTag: 'scope:panel', onlyDependOnLibsWithTags: ['scope:panel', 'scope:shared'] },
  { sourceTag: 'scope:system', onlyDependOnLibsWithTags: ['scope:shared', 'scope:ksef-spec', 'scope:ksef'] },
];
const boundaries = (allowTesting) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: false,
    checkDynamicDependenciesExceptions: [],
    allow: [],
    depConstraints: [...typeRules(allowTesting), ...scopeRules],
  },
];
const testFiles = ['**/*.spec.ts', '**/*.test.ts', '**/test/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/.nx', '**/tmp', '**/coverage'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      // Deep imports into a lib bypass its curated index.ts.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@ksef-bridge/*/*'], message: 'Import a lib only through its index: @ksef-bridge/<lib>.' }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(true),
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Only the config lib reads the environment (CONVENTIONS.md: no process.env elsewhere).
    files: ['apps/**/src/**/*.ts', 'libs/**/src/**/*.ts'],
    ignores: ['libs/config/src/**', 'libs/testing/src/**', ...testFiles],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @ksef-bridge/config.' }],
    },
  },
];
