import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvConfigError, loadTabularMdp } from '@metagrad/envs';
import { CliError } from './errors';

/**
 * Write a file atomically: `write` fills a temporary file in the same directory (through its
 * descriptor), which is flushed to disk and then renamed over the target, so readers see the old
 * file or the whole new one, never a partial write.
 */
export function writeFileAtomicWith(option: string, file: string, write: (fd: number) => void): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      write(fd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new CliError(
      `${option}: expected a writable path, got ${JSON.stringify(file)} (${(e as Error).message})`,
    );
  }
}

/**
 * Delete the temporary files `.NAME.<pid>.tmp` that `writeFileAtomicWith` leaves when its process
 * is killed mid-write, for each NAME in `names` in `dir`; those of a process still running are
 * left alone.
 */
export function removeStaleTemporaries(dir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^\.(.+)\.(\d+)\.tmp$/.exec(entry);
    if (!m || !names.includes(m[1]) || alive(Number(m[2]))) continue;
    fs.rmSync(path.join(dir, entry), { force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // ours are never left open between calls
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Refuse a path `writeFileAtomic` could not write, before the work whose result it receives: an
 * existing directory, a missing parent or one without write permission (the temporary file and
 * the rename need the directory).
 */
export function checkWritableFile(option: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  let why: string | null = null;
  try {
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) why = 'it is a directory';
    else if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) why = `no directory ${dir}`;
    else fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    why = `directory ${dir} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (why !== null)
    throw new CliError(`${option}: expected a writable file path, got ${JSON.stringify(file)} (${why})`);
}

/** Write a file atomically: a temporary file in the same directory, then rename over the target. */
export function writeFileAtomic(option: string, file: string, text: string): void {
  writeFileAtomicWith(option, file, (fd) => fs.writeFileSync(fd, text));
}

/**
 * JSON for machines: standard JSON has no Infinity or NaN (JSON.stringify would write null, so an
 * infinite z-score would read as missing); they are written as the strings "Infinity",
 * "-Infinity" and "NaN", which JavaScript's Number() and Python's float() both parse.
 */
export function toJson(value: unknown, indent: number | undefined = 2): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), indent)}\n`;
}

/** The MDP JSON file of an option (`--mdp`), its problems reported as CliError naming the option and file. */
export function loadMdp(option: string, file: string) {
  if (!fs.existsSync(file))
    throw new CliError(`${option}: expected an existing MDP JSON file, got ${JSON.stringify(file)}`);
  try {
    return loadTabularMdp(file);
  } catch (e) {
    if (e instanceof EnvConfigError) throw new CliError(`${option} ${file}: ${e.message}`);
    throw e;
  }
}
