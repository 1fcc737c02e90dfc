const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { appWebpackOptions } = require('../../tools/webpack/app-options');
const { join } = require('path');

// The SPA is built by Vite (target build-web) into dist/apps/panel/web; the BFF serves it from there.
module.exports = {
  output: { path: join(__dirname, '../../dist/apps/panel') },
  plugins: [new NxAppWebpackPlugin(appWebpackOptions(__dirname))],
};
