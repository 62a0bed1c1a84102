import { main } from '../src/cli/main';
import { STOP_AFTER_CHUNKS_ENV } from '../src/cli/study-command';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Run the CLI in-process, capturing stdout and stderr; `stopAfter` sets the test-only stop hook. */
export async function runCli(args: string[], stopAfter?: number): Promise<CliRun> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  if (stopAfter !== undefined) process.env[STOP_AFTER_CHUNKS_ENV] = String(stopAfter);
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    delete process.env[STOP_AFTER_CHUNKS_ENV];
    o.mockRestore();
    e.mockRestore();
  }
}
