#!/usr/bin/env node
// `npm test`: every package's tests through lerna, one at a time. lerna (nx) forces colour in
// its children, so piped into a file or CI log the output would be full of escape codes: when
// stdout is not a terminal, NO_COLOR and FORCE_COLOR=0 turn colour off in lerna and in jest.
const { spawnSync } = require('node:child_process');

const env = { ...process.env };
if (!process.stdout.isTTY) {
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
}
const args = ['lerna', 'run', 'test', '--concurrency', '1', '--stream', ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit', env });
process.exit(r.status ?? 1);
