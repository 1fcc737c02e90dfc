/* eslint-disable */
// Build options shared by every Nest app (bundled with webpack; node_modules stay external).
const { join, relative } = require('path');

const root = join(__dirname, '../..');

/** NxAppWebpackPlugin options for the app in `appDir`; `extraAssets` are copied next to main.js. */
function appWebpackOptions(appDir, extraAssets = []) {
  const rel = relative(root, appDir);
  return {
    target: 'node',
    compiler: 'tsc',
    main: join(rel, 'src/main.ts'),
    tsConfig: join(rel, 'tsconfig.app.json'),
    outputHashing: 'none',
    optimization: false,
    sourceMap: true,
    generatePackageJson: false,
    // Type errors are caught once for the whole workspace by `npm run typecheck`, not per bundle.
    skipTypeChecking: true,
    externalDependencies: 'all',
    assets: extraAssets,
  };
}

module.exports = { appWebpackOptions };
