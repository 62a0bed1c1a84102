/**
 * The file a pool worker (or another thread entry, e.g. the sweep's job thread) runs. From the
 * built package it is dist/<folder>/<entry>.js, e.g. dist/parallel/task-worker.js. When
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

const cached = new Map<string, string>();

/** Absolute path of the JavaScript file a piscina worker loads to run task-worker. */
export const taskWorkerPath = (): string => threadScriptPath(__dirname, 'task-worker');

/**
 * Absolute path of the JavaScript file a thread loads to run module `entry` of folder `dir`
 * (a folder of this package's src/ or dist/, as the caller's __dirname).
 */
export function threadScriptPath(dir: string, entry: string): string {
  const key = join(dir, entry);
  const known = cached.get(key);
  if (known !== undefined) return known;
  const built = join(dir, `${entry}.js`);
  if (existsSync(built)) {
    cached.set(key, built);
    return built;
  }
  const src = bootstrapSource(
    join(dir, `${entry}.ts`),
    join(dir, '..', '..', '..'),
    require.resolve('@swc/core'),
  );
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const temp = join(tmpdir(), 'metagrad-pool');
  mkdirSync(temp, { recursive: true });
  const file = join(temp, `bootstrap-${hash}.js`);
  if (!existsSync(file)) {
    // temp file + rename: parallel jest workers may write it at once
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, src);
    renameSync(tmp, file);
  }
  cached.set(key, file);
  return file;
}
