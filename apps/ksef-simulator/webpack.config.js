const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { appWebpackOptions } = require('../../tools/webpack/app-options');
const { join } = require('path');

// The official KSeF artifacts (XSD, OpenAPI) ship next to the bundle; @ksef-bridge/ksef-spec finds them there.
const officialArtifacts = [
  { input: 'libs/ksef-spec/official', glob: '**/*', output: 'ksef-spec/official' },
  // Listed on its own: the recursive glob skips .json files in this toolchain.
  { input: 'libs/ksef-spec/official', glob: 'open-api.json', output: 'ksef-spec/official' },
];

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/ksef-simulator') },
  plugins: [
    new NxAppWebpackPlugin({
      ...appWebpackOptions(__dirname, officialArtifacts),
      // The invoice checks run in a worker thread (src/sessions/invoice-checker.ts); its script ships next to main.js.
      additionalEntryPoints: [{ entryName: 'processing-worker', entryPath: 'apps/ksef-simulator/src/processing-worker.ts' }],
    }),
  ],
};
