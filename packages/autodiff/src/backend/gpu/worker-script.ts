/**
 * Where the GPU worker's code comes from. From the built package it is `worker/main.js` next to
 * this file. When running from TypeScript sources (jest), Node cannot load `.ts` in a worker, so
 * the worker's files are transpiled once with @swc/core (a dev dependency) into a temp folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORKER_DIR = join(__dirname, 'worker');

interface Swc {
  transformSync(src: string, options: object): { code: string };
}

function transpileSources(): string {
  const swc = require('@swc/core') as Swc;
  const dir = join(tmpdir(), `metagrad-gpu-worker-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(WORKER_DIR).filter((f) => f.endsWith('.ts'))) {
    const { code } = swc.transformSync(readFileSync(join(WORKER_DIR, file), 'utf8'), {
      filename: file,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), code);
  }
  return join(dir, 'main.js');
}

let cached: string | null = null;

/** Absolute path of a JavaScript file that runs the GPU worker. */
export function workerScriptPath(): string {
  if (cached) return cached;
  const built = join(WORKER_DIR, 'main.js');
  cached = existsSync(built) ? built : transpileSources();
  return cached;
}
