/**
 * A fresh project outside the repository that depends on the four packages' `npm pack`
 * tarballs, installed without network: its package-lock.json is cut from the monorepo's (the
 * third-party packages each tarball needs, at the versions and integrities the monorepo locked),
 * so `npm ci --offline` takes every tarball from the npm cache the monorepo install filled.
 * (A lock-less `npm install --offline` would need registry metadata the cache may not hold.)
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const PACKAGES = ['autodiff', 'envs', 'estimators', 'train'] as const;

type LockEntry = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** Node's lookup: `name` from the package at `from` is the nearest node_modules/name above it. */
function locate(lock: Record<string, LockEntry>, from: string, name: string): string {
  let dir = from;
  for (;;) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (dir === '')
      throw new Error(`package-lock.json: ${name} (needed by ${from || 'the root'}) is not locked`);
    const up = dir.lastIndexOf('/node_modules/');
    dir = up >= 0 ? dir.slice(0, up) : '';
  }
}

/** Pack every package into `dir`/tgz and write `dir`/app/{package.json,package-lock.json}. */
export function writeConsumerProject(dir: string): string {
  const tgzDir = path.join(dir, 'tgz');
  const app = path.join(dir, 'app');
  fs.mkdirSync(tgzDir, { recursive: true });
  fs.mkdirSync(app, { recursive: true });
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages as Record<
    string,
    LockEntry
  >;
  const packages: Record<string, LockEntry> = {};
  const rootDeps: Record<string, string> = {};
  const queue: [from: string, name: string][] = [];
  for (const p of PACKAGES) {
    const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', tgzDir], {
      cwd: path.join(ROOT, 'packages', p),
      encoding: 'utf8',
    }).trim();
    const spec = `file:../tgz/${file}`;
    const integrity = `sha512-${crypto
      .createHash('sha512')
      .update(fs.readFileSync(path.join(tgzDir, file)))
      .digest('base64')}`;
    const { name, devDependencies: _dev, ...workspace } = lock[`packages/${p}`];
    rootDeps[name as string] = spec;
    packages[`node_modules/${name}`] = { ...workspace, resolved: spec, integrity };
    for (const dep of Object.keys({ ...workspace.dependencies, ...workspace.optionalDependencies }))
      if (!dep.startsWith('@metagrad/')) queue.push([`packages/${p}`, dep]);
  }
  const seen = new Set<string>();
  while (queue.length > 0) {
    const [from, name] = queue.pop() as [string, string];
    const at = locate(lock, from, name);
    // a package nested under a workspace moves under that package's installed folder
    const to = at.replace(/^packages\/([^/]+)/, 'node_modules/@metagrad/$1');
    if (seen.has(to)) continue;
    seen.add(to);
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = lock[at];
    packages[to] = entry;
    // optional peers (bullmq's redis, pg, ...) are the user's choice: only required ones follow
    const peerMeta = (entry.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>;
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((d) => peerMeta[d]?.optional !== true);
    for (const dep of [...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }), ...peers])
      queue.push([at, dep]);
  }
  const manifest = { name: 'metagrad-consumer', version: '1.0.0', private: true, dependencies: rootDeps };
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const consumerLock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: manifest.name, version: manifest.version, dependencies: rootDeps }, ...packages },
  };
  fs.writeFileSync(path.join(app, 'package-lock.json'), `${JSON.stringify(consumerLock, null, 2)}\n`);
  return app;
}
