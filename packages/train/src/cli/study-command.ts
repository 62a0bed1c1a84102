import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { EnvConfigError, loadTabularMdp } from '@metagrad/envs';
import {
  DEFAULT_TOY_N,
  defaultStudyMdp,
  type Problem,
  type StudyChunk,
  type StudyResult,
  study,
  TOY_ESTIMATORS,
  trajectoryEstimators,
} from '@metagrad/estimators';
import { SingleBar } from 'cli-progress';
import { type Fingerprint, StudyCheckpoint } from './checkpoint';
import { CliError, parseChoice, parseIntList, parseIntOption, parseNumberOption } from './errors';
import { formatMdpStudy, formatMetaStudy, formatToyStudy } from './format';
import { toJson, writeFileAtomic } from './io';
import { renderSvg } from './plot';

export interface StudyCliOptions {
  mdp?: string;
  toy?: string;
  theta?: string;
  sigma?: string;
  n?: string;
  estimators?: string;
  samples?: string;
  repeats?: string;
  batchSize?: string;
  seed?: string;
  alpha?: string;
  json?: boolean;
  plot?: string;
  out?: string;
  progress?: boolean;
  baseline?: string;
  meta?: boolean;
  level?: string;
  composed?: boolean;
  restart?: boolean;
}

/**
 * Test-only: stop with an error after this many newly computed chunks, once the checkpoint is
 * written, as if the run had been killed there (the resume tests use it).
 */
export const STOP_AFTER_CHUNKS_ENV = 'METAGRAD_STUDY_STOP_AFTER_CHUNKS';

/** Inner step size of `study --meta` when --alpha is not given. */
export const DEFAULT_META_STEP = 0.1;

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

function problemFrom(o: StudyCliOptions): Problem {
  if (o.toy !== undefined) {
    parseChoice('--toy', o.toy, ['gaussian']);
    if (o.meta) throw new CliError('--meta: expected an MDP problem, got --toy gaussian');
    if (o.baseline !== undefined)
      throw new CliError(`--baseline: expected only with an MDP problem, got ${JSON.stringify(o.baseline)}`);
    if (o.samples !== undefined)
      throw new CliError(
        `--samples: expected only with an MDP problem (the toy's sample sizes are --n), got ${JSON.stringify(o.samples)}`,
      );
    if (o.mdp !== undefined)
      throw new CliError(`--mdp: expected no MDP together with --toy, got ${JSON.stringify(o.mdp)}`);
    return {
      kind: 'gaussian',
      theta: o.theta === undefined ? 2 : parseNumberOption('--theta', o.theta),
      sigma:
        o.sigma === undefined
          ? 1
          : parseNumberOption('--sigma', o.sigma, { min: 0, max: Infinity, open: true }),
      n: o.n === undefined ? undefined : parseIntList('--n', o.n, 1),
    };
  }
  for (const opt of ['theta', 'sigma', 'n'] as const) {
    if (o[opt] !== undefined)
      throw new CliError(`--${opt}: expected only with --toy gaussian, got ${JSON.stringify(o[opt])}`);
  }
  const baseline =
    o.baseline === undefined
      ? 'exact'
      : o.meta
        ? parseChoice('--baseline', o.baseline, ['exact', 'none'] as const)
        : parseChoice('--baseline', o.baseline, ['exact', 'fitted', 'none'] as const);
  return { kind: 'mdp', mdp: o.mdp === undefined ? defaultStudyMdp() : loadMdp('--mdp', o.mdp), baseline };
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Parse, run with a progress bar on a TTY stderr, print, and write the requested files. */
export async function runStudyCommand(o: StudyCliOptions): Promise<number> {
  const problem = problemFrom(o);
  const valid = problem.kind === 'mdp' ? trajectoryEstimators().map((e) => e.name) : [...TOY_ESTIMATORS];
  const estimators = o.estimators?.split(',').map((s) => parseChoice('--estimators', s.trim(), valid));
  const bar =
    o.progress !== false && process.stderr.isTTY
      ? new SingleBar({
          stream: process.stderr,
          format: 'sampling [{bar}] {percentage}% | {value}/{total} estimates | ETA {eta}s',
        })
      : null;
  let started = false;
  // --alpha is the MAML step size here as in `exact --alpha`; --level is the z-test level
  if (!o.meta && o.alpha !== undefined)
    throw new CliError(
      `--alpha: the inner step size is used only with --meta, got ${o.alpha}; the test level is --level`,
    );
  if (!o.meta && o.composed === false) throw new CliError('--no-composed: expected only with --meta');
  const level =
    o.level === undefined ? undefined : parseNumberOption('--level', o.level, { min: 0, max: 1, open: true });
  const meta = o.meta
    ? {
        stepSize:
          o.alpha === undefined
            ? DEFAULT_META_STEP
            : parseNumberOption('--alpha', o.alpha, { min: 0, max: Infinity, open: true }),
        composed: o.composed !== false,
      }
    : undefined;
  const samples =
    problem.kind !== 'mdp'
      ? undefined
      : o.samples === undefined
        ? 20
        : parseIntOption('--samples', o.samples, 1);
  const repeats =
    o.repeats === undefined
      ? problem.kind === 'mdp'
        ? 400
        : 1000
      : parseIntOption('--repeats', o.repeats, 2);
  const seed = o.seed === undefined ? 0 : parseIntOption('--seed', o.seed, 0);
  const batchSize = o.batchSize === undefined ? undefined : parseIntOption('--batch-size', o.batchSize, 1);
  if (o.restart && o.out === undefined) throw new CliError('--restart: expected only with --out');
  let checkpoint: StudyCheckpoint | null = null;
  let resume: StudyChunk[] | undefined;
  if (o.out !== undefined) {
    // every option that changes the numbers (not --batch-size, which changes speed only)
    const fingerprint: Fingerprint = {
      '--mdp': problem.kind !== 'mdp' ? null : o.mdp === undefined ? 'built-in' : `sha256:${sha256(o.mdp)}`,
      '--toy': problem.kind === 'gaussian' ? 'gaussian' : null,
      '--theta': problem.kind === 'gaussian' ? problem.theta : null,
      '--sigma': problem.kind === 'gaussian' ? problem.sigma : null,
      '--n': problem.kind === 'gaussian' ? (problem.n ?? DEFAULT_TOY_N) : null,
      '--baseline': problem.kind === 'mdp' ? (problem.baseline ?? 'exact') : null,
      '--estimators': estimators ?? valid,
      '--samples': problem.kind === 'mdp' ? samples : null,
      '--repeats': repeats,
      '--seed': seed,
      '--level': level ?? 0.01,
      '--meta': meta !== undefined,
      '--alpha': meta?.stepSize ?? null,
      '--composed': meta?.composed ?? null,
    };
    checkpoint = new StudyCheckpoint(o.out, fingerprint, repeats);
    const previous = checkpoint.load(o.restart === true);
    if (previous) {
      resume = [previous];
      process.stderr.write(`resuming: ${previous.count}/${repeats} repeats done (${checkpoint.file})\n`);
    }
  }
  const stopEnv = process.env[STOP_AFTER_CHUNKS_ENV];
  const stopAfter = stopEnv === undefined || stopEnv === '' ? null : Number(stopEnv);
  let chunks = 0;
  let result: StudyResult;
  try {
    result = study({
      problem,
      estimators,
      samples,
      repeats,
      batchSize,
      seed,
      alpha: level,
      meta,
      resume,
      onChunk: checkpoint
        ? (chunk) => {
            const c = checkpoint as StudyCheckpoint;
            chunks++;
            c.add(chunk, chunks === stopAfter);
            if (chunks === stopAfter)
              throw new CliError(
                `stopped after ${chunks} chunks (${STOP_AFTER_CHUNKS_ENV} is for tests only); ` +
                  `${c.repeatsDone}/${repeats} repeats saved in ${c.file}`,
              );
          }
        : undefined,
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
  } catch (e) {
    if (checkpoint && e instanceof RangeError && e.message.startsWith('resume:'))
      throw new CliError(
        `--out: ${checkpoint.file} does not fit this study (${e.message}); delete it or pass --restart to start over`,
      );
    throw e;
  } finally {
    if (bar && started) bar.stop();
  }
  const json = toJson(result);
  if (o.out !== undefined) writeFileAtomic('--out', o.out, json);
  checkpoint?.remove();
  if (o.plot !== undefined) writeFileAtomic('--plot', o.plot, await renderSvg(result));
  const text =
    result.kind === 'mdp'
      ? formatMdpStudy(result)
      : result.kind === 'meta'
        ? formatMetaStudy(result)
        : formatToyStudy(result);
  process.stdout.write(o.json ? json : `${text}\n`);
  return 0;
}
