import { ConfigError } from '../meta/config';
import { NonFiniteError } from '../non-finite';
import {
  isSupervisedEnv,
  resolveSupervisedConfig,
  SUPERVISED_DEFAULTS,
  SUPERVISED_SCHEMA,
  type SupervisedConfig,
} from '../supervised/config';
import { type SupervisedRecord, supervisedTrainRun } from '../supervised/train-run';
import { CliError } from './errors';
import { stopOnCtrlC } from './interrupt';
import { reportRunEnd, trainingFailure } from './run-end';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Options of `metagrad train` only the supervised path has: [flag, description]. */
export function supervisedFlags(): [string, string][] {
  return [
    ['--shots <K>', `sinusoid: support (and query) points per task (default ${SUPERVISED_DEFAULTS.shots})`],
    ['--context-dim <C>', `sinusoid CAVIA: context parameters (default ${SUPERVISED_DEFAULTS.contextDim})`],
  ];
}

/** The train options that set supervised config fields (commander's camelCase names). */
const FIELDS = Object.keys(SUPERVISED_SCHEMA) as (keyof SupervisedConfig)[];
/** Options of the RL path that mean nothing here: given with --env sinusoid, they are refused. */
const RUN_OPTIONS = new Set(['out', 'resume', 'force', 'json', 'quiet', 'progress', 'config', 'envOption']);

/** Is this `train` invocation (or the run it resumes) a supervised one? */
export function isSupervisedTrain(
  o: Record<string, unknown>,
  resumedEnv: unknown,
  presetEnv: unknown,
): boolean {
  return isSupervisedEnv(o.env ?? (o.resume !== undefined ? resumedEnv : presetEnv));
}

function parseField(key: keyof SupervisedConfig, raw: unknown): unknown {
  const v = String(raw);
  if (key === 'env' || key === 'algo') return v;
  if (key === 'hidden') {
    const xs = v.split(',').map(Number);
    if (v.trim() === '' || xs.some((x) => !Number.isInteger(x)))
      throw new CliError(`--hidden: expected a comma-separated list of integers, got ${JSON.stringify(v)}`);
    return xs;
  }
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new CliError(`--${kebab(key)}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Preset fields, then the flags; RL-only flags are named in the error. */
export function supervisedConfigFromOptions(
  o: Record<string, unknown>,
  preset: Record<string, unknown>,
): SupervisedConfig {
  const stray = Object.keys(o).filter(
    (k) => o[k] !== undefined && !RUN_OPTIONS.has(k) && !(FIELDS as string[]).includes(k),
  );
  if (stray.length > 0)
    throw new CliError(
      `--env sinusoid: ${stray.map((k) => `--${kebab(k)}`).join(', ')} ${stray.length === 1 ? 'is an option' : 'are options'} of RL meta-training; supervised training takes --${FIELDS.map(kebab).join(', --')}`,
    );
  const partial: Record<string, unknown> = { ...preset };
  for (const k of FIELDS) if (o[k] !== undefined) partial[k] = parseField(k, o[k]);
  try {
    return resolveSupervisedConfig(partial, o.config ? `--config ${o.config}` : 'train');
  } catch (e) {
    if (e instanceof ConfigError)
      throw new CliError(e.message.replace(/^train: (\w+)/, (_, k) => `--${kebab(k)}`));
    throw e;
  }
}

const fmt = (r: SupervisedRecord) =>
  `it ${r.iteration}: query MSE ${r.lossBefore.toFixed(3)} → ${r.lossAfter.toFixed(3)} after adaptation  |g| ${r.gradNorm.toExponential(2)}`;

/** `metagrad train --env sinusoid --algo maml|fomaml|reptile|cavia|meta-sgd|pretrain`. */
export async function runSupervisedTrainCommand(
  o: Record<string, unknown>,
  preset: Record<string, unknown>,
): Promise<number> {
  const resume = o.resume as string | undefined;
  const dir = (resume ?? o.out) as string;
  if (resume !== undefined) {
    const given = FIELDS.filter((k) => o[k] !== undefined);
    if (given.length > 0)
      throw new CliError(
        `--resume: the run's options are fixed by its config.json; got --${given.map(kebab).join(', --')}`,
      );
  }
  const config = resume === undefined ? supervisedConfigFromOptions(o, preset) : undefined;
  const interrupt = stopOnCtrlC();
  try {
    const every = (c: SupervisedConfig) => Math.max(1, Math.floor(c.iterations / 20));
    const result = await supervisedTrainRun({
      dir,
      config,
      resume: resume !== undefined,
      force: o.force === true,
      onResume: (done, c) => process.stderr.write(`resuming: ${done}/${c.iterations} iterations done\n`),
      onIteration: (r, c) => {
        if (!o.json && o.quiet !== true && (r.iteration % every(c) === 0 || r.iteration + 1 === c.iterations))
          process.stderr.write(`${fmt(r)}\n`);
      },
      shouldStop: interrupt.shouldStop,
    });
    return reportRunEnd(dir, result, o.json === true);
  } catch (e) {
    throw trainingFailure(e, dir, [NonFiniteError]);
  } finally {
    interrupt.release();
  }
}
