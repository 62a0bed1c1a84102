#!/usr/bin/env node
// The installed `metagrad` command. It is committed JavaScript (not the build output) so that
// `npm install` can link it before anything is built; it runs the compiled CLI.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(
    `metagrad: the CLI is not built yet (${cli} is missing); run \`npm run build\` first\n`,
  );
  process.exit(2);
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
