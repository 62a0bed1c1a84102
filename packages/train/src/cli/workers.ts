import { defaultWorkers } from '../parallel/pool';
import { CliError, parseIntOption } from './errors';

/** `--workers <n>` of train and study. */
export const WORKERS = [
  '--workers <n>',
  `worker threads (default: every core, ${defaultWorkers()} here; 1 = in-process, no threads; results are byte-identical at any count)`,
] as const;

export function workersOption(raw: unknown): number {
  if (raw === undefined) return defaultWorkers();
  if (typeof raw !== 'string')
    throw new CliError(`--workers: expected an integer in [1, 256], got ${JSON.stringify(raw)}`);
  return parseIntOption('--workers', raw, 1, 256);
}
