import { ConfigError } from '../config-checks';
import { RunDirError } from '../run/run-dir';
import { CliError } from './errors';

/**
 * A training command's last line (or JSON summary) and its exit status: 0 when the run finished,
 * 130 when Ctrl-C stopped it after a checkpoint.
 */
export function reportRunEnd(
  dir: string,
  result: { iterations: number; finished: boolean },
  json: boolean,
): number {
  const summary = { dir, iterations: result.iterations, finished: result.finished };
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stdout.write(
      `${result.finished ? 'finished' : 'stopped'}: ${result.iterations} iterations in ${dir}\n`,
    );
  return result.finished ? 0 : 130;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * A training loop's failure as the CLI reports it: bad options and run directories as they are;
 * `stopping` errors (a non-finite quantity, a worker that failed) say that the run stopped with
 * its last good checkpoint kept. Anything else is a bug and passes through unchanged.
 */
export function trainingFailure(e: unknown, dir: string, stopping: readonly ErrorClass[]): unknown {
  if (e instanceof RunDirError || e instanceof ConfigError) return new CliError(e.message);
  if (e instanceof Error && stopping.some((k) => e instanceof k))
    return new CliError(`${e.message}; stopped, the last good checkpoint in ${dir} is kept`);
  return e;
}
