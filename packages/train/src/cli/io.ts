import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './errors';

/** Write a file atomically: a temporary file in the same directory, then rename over the target. */
export function writeFileAtomic(option: string, file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new CliError(
      `${option}: expected a writable path, got ${JSON.stringify(file)} (${(e as Error).message})`,
    );
  }
}
