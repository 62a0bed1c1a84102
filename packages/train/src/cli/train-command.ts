import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { ES_ADAPTS, ES_META_GRADIENTS } from '../es/es-options';
import { trainEsRun } from '../es/train-es';
import {
  ALGOS,
  ConfigError,
  INNER_ESTIMATORS,
  OUTERS,
  POLICIES,
  resolveConfig,
  TRAIN_DEFAULTS,
  type TrainConfig,
} from '../meta/config';
import type { IterationRecord } from '../meta/meta-learner';
import { NonFiniteError } from '../non-finite';
import { WorkerCrashError, WorkerTaskError } from '../parallel/pool';
import { readRunConfig, readRunConfigFields } from '../run/run-dir';
import { trainRun } from '../run/train-run';
import { CliError, parseIntOption } from './errors';
import { stopOnCtrlC } from './interrupt';
import { reportRunEnd, trainingFailure } from './run-end';
import { isSupervisedTrain, runSupervisedTrainCommand } from './supervised-train-command';
import { isInteractive } from './terminal';
import { workersOption } from './workers';

/** The env a run directory was trained on (undefined when it cannot be read: the RL path reports why). */
function runEnv(dir: string): unknown {
  try {
    return readRunConfigFields(dir).env;
  } catch {
    return undefined;
  }
}

/** Where `--config NAME` (without a path) looks: the presets shipped with metagrad. */
export const PRESETS_DIR = path.join(__dirname, '..', '..', '..', '..', 'presets');

type Parse = 'int' | 'number' | 'string' | 'list' | 'bool' | 'nullable-number';

/** Command-line option → config field, for the flags that set one field each, with their help. */
const FLAGS: Record<string, { field: keyof TrainConfig; parse: Parse; doc: string }> = {
  env: { field: 'env', parse: 'string', doc: 'environment name (see envs README)' },
  algo: { field: 'algo', parse: 'string', doc: ALGOS.join(' | ') },
  estimator: { field: 'estimator', parse: 'string', doc: `inner estimator: ${INNER_ESTIMATORS.join(' | ')}` },
  outer: { field: 'outer', parse: 'string', doc: `outer update: ${OUTERS.join(' | ')}` },
  policy: { field: 'policy', parse: 'string', doc: POLICIES.join(' | ') },
  hidden: { field: 'hidden', parse: 'list', doc: 'hidden layer widths of an MLP policy' },
  activation: { field: 'activation', parse: 'string', doc: 'tanh | relu' },
  initLogStd: { field: 'initLogStd', parse: 'number', doc: 'initial log-std of a Gaussian policy' },
  iterations: { field: 'iterations', parse: 'int', doc: 'meta-iterations' },
  metaBatch: { field: 'metaBatch', parse: 'int', doc: 'tasks per meta-iteration' },
  fastBatch: { field: 'fastBatch', parse: 'int', doc: 'episodes per task and adaptation step' },
  innerSteps: { field: 'innerSteps', parse: 'int', doc: 'inner gradient steps' },
  alpha: { field: 'alpha', parse: 'number', doc: 'inner step size α (on the per-step mean f̂/H)' },
  learnAlpha: { field: 'learnAlpha', parse: 'bool', doc: 'Meta-SGD: learn one α per parameter' },
  discount: { field: 'discount', parse: 'nullable-number', doc: "γ, or 'env' for the environment's" },
  gaeLambda: { field: 'gaeLambda', parse: 'number', doc: 'GAE λ' },
  normalizeAdvantages: {
    field: 'normalizeAdvantages',
    parse: 'bool',
    doc: 'z-normalise advantages (give true|false)',
  },
  baseline: { field: 'baseline', parse: 'string', doc: 'linear | none' },
  horizon: { field: 'horizon', parse: 'int', doc: "episode length (default the environment's)" },
  maxKl: { field: 'maxKl', parse: 'number', doc: 'TRPO trust region δ' },
  cgIters: { field: 'cgIters', parse: 'int', doc: 'TRPO conjugate-gradient iterations' },
  fisherTasks: {
    field: 'fisherTasks',
    parse: 'int',
    doc: 'TRPO: Fisher products over the first n tasks only (faster; the step and line search still use all); null = all',
  },
  cgDamping: { field: 'cgDamping', parse: 'number', doc: 'TRPO damping added to the Fisher' },
  lineSearchSteps: { field: 'lineSearchSteps', parse: 'int', doc: 'TRPO line-search steps' },
  backtrackRatio: { field: 'backtrackRatio', parse: 'number', doc: 'TRPO line-search shrink factor' },
  outerLr: { field: 'outerLr', parse: 'number', doc: 'Adam step size of vpg / ppo / promp' },
  ppoEpochs: { field: 'ppoEpochs', parse: 'int', doc: 'PPO / ProMP epochs per iteration' },
  clip: { field: 'clip', parse: 'number', doc: 'PPO clip ε' },
  klPenalty: { field: 'klPenalty', parse: 'number', doc: 'ProMP KL penalty η' },
  seed: { field: 'seed', parse: 'int', doc: 'random seed' },
  checkpointEvery: { field: 'checkpointEvery', parse: 'int', doc: 'iterations between checkpoints' },
  adapt: { field: 'adapt', parse: 'string', doc: `es-maml adaptation operator: ${ES_ADAPTS.join(' | ')}` },
  k: { field: 'k', parse: 'int', doc: 'es-maml: rollouts of the task per adaptation (K)' },
  sigma: { field: 'sigma', parse: 'number', doc: 'es-maml: smoothing σ of the outer ES gradient' },
  adaptSigma: { field: 'adaptSigma', parse: 'number', doc: 'es-maml: perturbation scale of the adaptation' },
  metaGradient: {
    field: 'metaGradient',
    parse: 'string',
    doc: `es-maml meta-gradient: ${ES_META_GRADIENTS.join(' | ')} (first-order ones need --adapt es-step)`,
  },
};

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Flags of `metagrad train` that set config fields: [flag, description]. */
export function configFlags(): [string, string][] {
  return Object.entries(FLAGS).map(([k, f]) => {
    const arg = f.field === 'learnAlpha' ? '' : f.parse === 'list' ? ' <w1,w2,...>' : ' <value>';
    const def = JSON.stringify(TRAIN_DEFAULTS[f.field]);
    return [`--${kebab(k)}${arg}`, `${f.doc} (default ${def})`];
  });
}

function parseFlag(flag: string, kind: Parse, raw: unknown): unknown {
  const v = String(raw);
  const bad = (what: string) => new CliError(`--${kebab(flag)}: expected ${what}, got ${JSON.stringify(v)}`);
  if (kind === 'bool') {
    if (raw === true || v === 'true') return true;
    if (v === 'false') return false;
    throw bad('true or false');
  }
  if (kind === 'string') return v;
  if (kind === 'nullable-number' && v === 'env') return null;
  if (kind === 'list') {
    if (v.trim() === '') return [];
    const xs = v.split(',').map(Number);
    if (xs.some((x) => !Number.isInteger(x))) throw bad('a comma-separated list of integers');
    return xs;
  }
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw bad(kind === 'int' ? 'an integer' : 'a finite number');
  return n;
}

/** `--env-option key=value`, repeatable. */
export function parseEnvOptions(values: readonly string[] | undefined): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const kv of values ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new CliError(`--env-option: expected key=value, got ${JSON.stringify(kv)}`);
    const key = kv.slice(0, eq);
    const raw = kv.slice(eq + 1);
    out[key] = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** A preset: a JSON object of config fields (plus an optional "description"), by path or by name. */
export function readPreset(nameOrPath: string): Record<string, unknown> {
  const candidates = [
    nameOrPath,
    path.join(PRESETS_DIR, nameOrPath),
    path.join(PRESETS_DIR, `${nameOrPath}.json`),
  ];
  const file = candidates.find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
  if (file === undefined) {
    const names = fs.existsSync(PRESETS_DIR)
      ? fs.readdirSync(PRESETS_DIR).filter((f) => f.endsWith('.json'))
      : [];
    throw new CliError(
      `--config: expected a preset file or one of ${names.map((f) => f.slice(0, -5)).join(', ')}, got ${JSON.stringify(nameOrPath)}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--config: ${JSON.stringify(file)} is not valid JSON (${(e as Error).message})`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new CliError(`--config: ${JSON.stringify(file)}: expected a JSON object of config fields`);
  const { description: _d, ...fields } = body as Record<string, unknown>;
  return fields;
}

/** Defaults, then the preset, then the flags given on the command line. */
export function configFromOptions(o: Record<string, unknown>): TrainConfig {
  const partial: Record<string, unknown> = o.config ? readPreset(String(o.config)) : {};
  for (const [flag, spec] of Object.entries(FLAGS)) {
    if (o[flag] !== undefined) partial[spec.field] = parseFlag(flag, spec.parse, o[flag]);
  }
  if (o.envOption !== undefined)
    partial.envOptions = {
      ...((partial.envOptions as object) ?? {}),
      ...parseEnvOptions(o.envOption as string[]),
    };
  if (partial.env !== undefined && o.config === undefined && partial.envOptions === undefined)
    partial.envOptions = {};
  try {
    return resolveConfig(partial, o.config ? `--config ${o.config}` : 'train');
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

function formatRecord(r: IterationRecord): string {
  const ret = r.returns.map((x) => x.toFixed(2)).join(' → ');
  return `it ${r.iteration}: return ${ret}  loss ${r.lossBefore.toExponential(2)}  KL ${r.kl.toExponential(2)}  step ${r.stepFraction.toFixed(3)}`;
}

export async function runTrainCommand(o: Record<string, unknown>): Promise<number> {
  const resume = o.resume as string | undefined;
  const out = o.out as string | undefined;
  if (resume !== undefined && out !== undefined && path.resolve(resume) !== path.resolve(out))
    throw new CliError(
      `--resume: continues the run in its own directory; drop --out (got --out ${JSON.stringify(out)})`,
    );
  if (resume === undefined && out === undefined)
    throw new CliError('--out: expected a run directory (or --resume DIR)');
  if (resume !== undefined) {
    const given = Object.keys(FLAGS).filter((k) => o[k] !== undefined);
    if (given.length > 0 || o.config !== undefined)
      throw new CliError(
        `--resume: the run's options are fixed by its config.json; got ${[...given.map((g) => `--${kebab(g)}`), ...(o.config ? ['--config'] : [])].join(', ')}`,
      );
  }
  // sinusoid regression trains supervised meta-learners (their own module and config)
  const preset = o.config !== undefined && resume === undefined ? readPreset(String(o.config)) : {};
  const snapshotEvery =
    o.snapshotEvery === undefined
      ? undefined
      : parseIntOption('--snapshot-every', String(o.snapshotEvery), 1);
  if (isSupervisedTrain(o, resume === undefined ? undefined : runEnv(resume), preset.env)) {
    if (snapshotEvery !== undefined)
      throw new CliError(
        '--snapshot-every: an option of RL runs (maml, fomaml, promp, pretrain), not sinusoid',
      );
    return runSupervisedTrainCommand(o, preset);
  }
  for (const [key, flag] of [
    ['shots', '--shots'],
    ['contextDim', '--context-dim'],
  ] as const)
    if (o[key] !== undefined) throw new CliError(`${flag}: an option of --env sinusoid (supervised) runs`);
  const dir = (resume ?? out) as string;
  const config = resume === undefined ? configFromOptions(o) : undefined;
  const workers = workersOption(o.workers);
  const showProgress = o.progress !== false && !o.json && isInteractive(process.stderr);
  const bar = showProgress
    ? new SingleBar({
        format: 'train [{bar}] {value}/{total} {record}',
        hideCursor: true,
        stream: process.stderr,
      })
    : null;
  let barStarted = false;
  const interrupt = stopOnCtrlC();
  try {
    // es-maml has its own loop (src/es/) on the same run directory machinery
    const algo = (config ?? readRunConfig(dir)).algo;
    if (algo === 'es-maml' && snapshotEvery !== undefined)
      throw new CliError('--snapshot-every: an option of maml, fomaml, promp and pretrain runs, not es-maml');
    const result = await (algo === 'es-maml' ? trainEsRun : trainRun)({
      dir,
      config,
      resume: resume !== undefined,
      force: o.force === true,
      onResume: (done, c) => process.stderr.write(`resuming: ${done}/${c.iterations} iterations done\n`),
      onIteration: (r, _t, c) => {
        if (bar) {
          if (!barStarted) bar.start(c.iterations, r.iteration, { record: '' });
          barStarted = true;
          bar.update(r.iteration + 1, { record: formatRecord(r) });
        } else if (!o.json && o.quiet !== true) process.stderr.write(`${formatRecord(r)}\n`);
      },
      shouldStop: interrupt.shouldStop,
      workers,
      snapshotEvery,
    });
    bar?.stop();
    return reportRunEnd(dir, result, o.json === true);
  } catch (e) {
    bar?.stop();
    throw trainingFailure(e, dir, [NonFiniteError, WorkerTaskError, WorkerCrashError]);
  } finally {
    interrupt.release();
  }
}
