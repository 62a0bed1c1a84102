/** Which machine and which versions produced a result, so runs can be compared honestly. */
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/** Installed versions of the given packages ('missing' when not installed). */
export function packageVersions(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      const path = require.resolve(`${name}/package.json`, { paths: [process.cwd(), __dirname] });
      out[name] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      out[name] = packageVersionFromMain(name);
    }
  }
  return out;
}

/** Packages whose `exports` hide package.json: walk up from the main file. */
function packageVersionFromMain(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // no package.json at this level
      }
    }
  } catch {
    // not installed
  }
  return 'missing';
}
