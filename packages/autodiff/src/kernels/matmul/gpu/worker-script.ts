/**
 * Where the GPU worker's code comes from. From the built package it is `worker/main.js` next to
 * this file. When running from TypeScript sources (jest), Node cannot load `.ts` in a worker, so
 * the worker's files are transpiled once with @swc/core (a dev dependency) into a temp folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORKER_DIR = join(__dirname, 'worker');

interface Swc {
  transformSync(src: string, options: object): { code: string };
}

/** Transpiles into a folder named by the sources' hash, so runs share it and edits get a new one. */
function transpileSources(): string {
  const files = readdirSync(WORKER_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort(); // main.js is written last: its presence means the folder is complete
  const sources = files.map((f) => readFileSync(join(WORKER_DIR, f), 'utf8'));
  const hash = createHash('sha256').update(sources.join('\0')).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `metagrad-gpu-worker-${hash}`);
  const entry = join(dir, 'main.js');
  if (existsSync(entry)) return entry;
  const swc = require('@swc/core') as Swc;
  mkdirSync(dir, { recursive: true });
  files.forEach((file, i) => {
    const { code } = swc.transformSync(sources[i], {
      filename: file,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    // temp file + rename: parallel test workers may write the same folder at once
    const target = join(dir, file.replace(/\.ts$/, '.js'));
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, target);
  });
  return entry;
}

let cached: string | null = null;

/** Absolute path of a JavaScript file that runs the GPU worker. */
export function workerScriptPath(): string {
  if (cached) return cached;
  const built = join(WORKER_DIR, 'main.js');
  cached = existsSync(built) ? built : transpileSources();
  return cached;
}
