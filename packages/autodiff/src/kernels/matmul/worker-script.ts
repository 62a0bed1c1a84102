/**
 * Where a kernel worker thread's code comes from. From the built package it is the `.js` file
 * next to its sources. When running from TypeScript sources (jest), Node cannot load `.ts` in a
 * worker, so the folder's files are transpiled once with @swc/core (a dev dependency) into a
 * temp folder named by their hash, keeping the relative imports between them working.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Swc {
  transformSync(src: string, options: object): { code: string };
}

/** Transpiles into a folder named by the sources' hash, so runs share it and edits get a new one. */
function transpileSources(dir: string, entry: string, tag: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    // the entry is written last: its presence means the folder is complete
    .sort((a, b) => Number(a === `${entry}.ts`) - Number(b === `${entry}.ts`) || a.localeCompare(b));
  const sources = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  const hash = createHash('sha256').update(sources.join('\0')).digest('hex').slice(0, 16);
  const out = join(tmpdir(), `metagrad-${tag}-${hash}`);
  const entryJs = join(out, `${entry}.js`);
  if (existsSync(entryJs)) return entryJs;
  const swc = require('@swc/core') as Swc;
  mkdirSync(out, { recursive: true });
  files.forEach((file, i) => {
    const { code } = swc.transformSync(sources[i], {
      filename: file,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    // temp file + rename: parallel test workers may write the same folder at once
    const target = join(out, file.replace(/\.ts$/, '.js'));
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, target);
  });
  return entryJs;
}

const cached = new Map<string, string>();

/**
 * Absolute path of a JavaScript file that runs `entry` (a module name without extension) of
 * folder `dir`; `tag` names the temp folder when the sources must be transpiled.
 */
export function workerScriptPath(dir: string, entry: string, tag: string): string {
  const key = join(dir, entry);
  const hit = cached.get(key);
  if (hit) return hit;
  const built = join(dir, `${entry}.js`);
  const path = existsSync(built) ? built : transpileSources(dir, entry, tag);
  cached.set(key, path);
  return path;
}
