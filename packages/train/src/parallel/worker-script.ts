/**
 * The file a pool worker runs. From the built package it is dist/parallel/task-worker.js. When
 * running from TypeScript sources (jest), a worker cannot load `.ts`, and the worker needs the
 * whole package graph, not one folder (cf. autodiff's kernel worker-script): a small bootstrap
 * written to the temp folder registers @swc/core (a dev dependency) as the `.ts` loader, maps
 * `@metagrad/<pkg>` to the workspace sources as jest does, and requires the entry, so workers
 * always run the same code as their caller, never a stale build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRY = 'task-worker';

function bootstrapSource(entryTs: string, packagesDir: string, swcPath: string): string {
  return `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require(${JSON.stringify(swcPath)});
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@metagrad\\/([a-z]+)$/.exec(request);
  if (m) return path.join(${JSON.stringify(packagesDir)}, m[1], 'src', 'index.ts');
  return resolve.call(this, request, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
module.exports = require(${JSON.stringify(entryTs)});
`;
}

let cached: string | null = null;

/** Absolute path of the JavaScript file a piscina worker loads to run task-worker. */
export function taskWorkerPath(): string {
  if (cached !== null) return cached;
  const built = join(__dirname, `${ENTRY}.js`);
  if (existsSync(built)) {
    cached = built;
    return built;
  }
  const src = bootstrapSource(
    join(__dirname, `${ENTRY}.ts`),
    join(__dirname, '..', '..', '..'),
    require.resolve('@swc/core'),
  );
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'metagrad-pool');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bootstrap-${hash}.js`);
  if (!existsSync(file)) {
    // temp file + rename: parallel jest workers may write it at once
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, src);
    renameSync(tmp, file);
  }
  cached = file;
  return file;
}
