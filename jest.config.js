/* eslint-disable */
// Root jest config: every Nx project's jest.config.js, so one `npx jest` runs the whole tier.
const fs = require('fs');
const path = require('path');

const projects = ['apps', 'libs'].flatMap((group) =>
  fs
    .readdirSync(path.join(__dirname, group))
    .map((name) => path.join(__dirname, group, name, 'jest.config.js'))
    .filter((file) => fs.existsSync(file)),
);

module.exports = { projects };
