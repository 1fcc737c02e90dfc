const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { appWebpackOptions } = require('../../tools/webpack/app-options');
const { join } = require('path');

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/ksef-simulator') },
  plugins: [new NxAppWebpackPlugin(appWebpackOptions(__dirname))],
};
