import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getBackend } from '@metagrad/autodiff';
import {
  defaultStudyMdp,
  type MetaOptions,
  type Problem,
  STUDY_DEFAULTS,
  type StudyChunk,
  type StudyOptions,
  type StudyResult,
  studyResources,
  TOY_ESTIMATORS,
  trajectoryEstimators,
} from '@metagrad/estimators';
import { SingleBar } from 'cli-progress';
import { pooledStudy } from '../parallel/study-pool';
import { type Fingerprint, StudyCheckpoint } from './checkpoint';
import {
  type Budget,
  CliError,
  checkBudget,
  EXIT_NON_FINITE,
  parseBudget,
  parseChoice,
  parseChoiceList,
  parseIntList,
  parseIntOption,
  parseNumberOption,
} from './errors';
import { checkExactBudget, exactProgress } from './exact-command';
import { checkFigurePath, writeFigure } from './figure';
import { formatMdpStudy, formatMetaStudy, formatToyStudy, invalidVerdicts, TEXT_WIDTH } from './format';
import { checkWritableFile, loadMdp, toJson, writeFileAtomic } from './io';
import { studyDocument } from './json-documents';
import { renderSvg } from './plot';
import { isInteractive } from './terminal';
import { workersOption } from './workers';

export interface StudyCliOptions {
  workers?: string;
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
  maxMemory?: string;
  maxWork?: string;
  wide?: boolean;
}

/**
 * Test-only: stop with an error after this many newly computed chunks, once the checkpoint is
 * written, as if the run had been killed there (the resume tests use it).
 */
export const STOP_AFTER_CHUNKS_ENV = 'METAGRAD_STUDY_STOP_AFTER_CHUNKS';

/** The study the flags ask for: every option validated, the defaults of STUDY_DEFAULTS filled in. */
interface ParsedStudy {
  problem: Problem;
  /** The estimator names valid for the problem (the default selection). */
  valid: string[];
  estimators: string[] | undefined;
  samples: number | undefined;
  repeats: number;
  seed: number;
  /** Level of the z-test (--level); undefined: the library's default. */
  level: number | undefined;
  batchSize: number | undefined;
  meta: MetaOptions | undefined;
  budget: Budget;
  /** Estimated seconds of the exact oracle (0 for the toy): over ~2 s a terminal shows its progress. */
  exactSeconds: number;
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
      theta: o.theta === undefined ? STUDY_DEFAULTS.toy.theta : parseNumberOption('--theta', o.theta),
      sigma:
        o.sigma === undefined
          ? STUDY_DEFAULTS.toy.sigma
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
      ? STUDY_DEFAULTS.mdp.baseline
      : o.meta
        ? parseChoice('--baseline', o.baseline, ['exact', 'none'] as const)
        : parseChoice('--baseline', o.baseline, ['exact', 'fitted', 'none'] as const);
  return { kind: 'mdp', mdp: o.mdp === undefined ? defaultStudyMdp() : loadMdp('--mdp', o.mdp), baseline };
}

/** Parse and validate the flags (in the order their errors are reported). */
function parseStudy(o: StudyCliOptions): ParsedStudy {
  const problem = problemFrom(o);
  const valid = problem.kind === 'mdp' ? trajectoryEstimators().map((e) => e.name) : [...TOY_ESTIMATORS];
  const estimators =
    o.estimators === undefined ? undefined : parseChoiceList('--estimators', o.estimators, valid);
  // --alpha is the MAML step size here as in `exact --alpha`; --level is the z-test level
  if (!o.meta && o.alpha !== undefined)
    throw new CliError(
      `--alpha: the inner step size is used only with --meta, got ${o.alpha}; the test level is --level`,
    );
  if (!o.meta && o.composed === false) throw new CliError('--no-composed: expected only with --meta');
  // below 1e-9 the Bonferroni quantile 1 − level/(2d) rounds to 1; above 0.5 it is no test
  const level =
    o.level === undefined ? undefined : parseNumberOption('--level', o.level, { min: 1e-9, max: 0.5 });
  const meta = o.meta
    ? {
        stepSize:
          o.alpha === undefined
            ? STUDY_DEFAULTS.meta.stepSize
            : parseNumberOption('--alpha', o.alpha, { min: 0, max: Infinity, open: true }),
        composed: o.composed !== false,
      }
    : undefined;
  const defaults = problem.kind === 'mdp' ? STUDY_DEFAULTS.mdp : STUDY_DEFAULTS.toy;
  const samples =
    problem.kind !== 'mdp'
      ? undefined
      : o.samples === undefined
        ? STUDY_DEFAULTS.mdp.samples
        : parseIntOption('--samples', o.samples, 1);
  const repeats = o.repeats === undefined ? defaults.repeats : parseIntOption('--repeats', o.repeats, 2);
  const seed = o.seed === undefined ? STUDY_DEFAULTS.seed : parseIntOption('--seed', o.seed, 0);
  const batchSize = o.batchSize === undefined ? undefined : parseIntOption('--batch-size', o.batchSize, 1);
  if (o.restart && o.out === undefined) throw new CliError('--restart: expected only with --out');
  const parsed = {
    problem,
    valid,
    estimators,
    samples,
    repeats,
    seed,
    level,
    batchSize,
    meta,
    budget: parseBudget(o),
  };
  return { ...parsed, exactSeconds: checkStudyBudget(parsed) };
}

const FLAGS: Record<string, string> = {
  repeats: '--repeats',
  samples: '--samples',
  batchSize: '--batch-size',
  n: '--n',
};

/**
 * Refuse a study whose estimated memory (or exact-oracle work) is over the budget, before any
 * work; the exact oracle's estimated seconds (0 for the toy) decide its progress bar.
 */
function checkStudyBudget(s: Omit<ParsedStudy, 'exactSeconds'>): number {
  const { memory } = studyResources(s);
  const top = memory[0];
  checkBudget(
    'this study',
    {
      bytes: memory.reduce((t, p) => t + p.bytes, 0),
      why: `most of it ${top.what}`,
      lower: top.lower.map((l) => FLAGS[l] ?? l).join(' or '),
    },
    s.budget,
  );
  if (s.problem.kind === 'mdp') {
    // its memory is one of the parts above; its work (with the exact estimator means) is checked here
    const moments = (s.estimators ?? s.valid).length * (s.meta ? 2 : 1);
    return checkExactBudget(
      s.problem.mdp,
      { meta: s.meta !== undefined, moments },
      { ...s.budget, bytes: Infinity },
    );
  }
  return 0;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every option that changes the numbers (not --batch-size, which changes speed only). */
function fingerprintOf(s: ParsedStudy, mdpFile: string | undefined): Fingerprint {
  const { problem, meta } = s;
  const backend = getBackend();
  return {
    '--mdp': problem.kind !== 'mdp' ? null : mdpFile === undefined ? 'built-in' : `sha256:${sha256(mdpFile)}`,
    '--toy': problem.kind === 'gaussian' ? 'gaussian' : null,
    '--theta': problem.kind === 'gaussian' ? problem.theta : null,
    '--sigma': problem.kind === 'gaussian' ? problem.sigma : null,
    '--n': problem.kind === 'gaussian' ? (problem.n ?? STUDY_DEFAULTS.toy.n) : null,
    '--baseline': problem.kind === 'mdp' ? (problem.baseline ?? STUDY_DEFAULTS.mdp.baseline) : null,
    '--estimators': s.estimators ?? s.valid,
    '--samples': problem.kind === 'mdp' ? s.samples : null,
    '--repeats': s.repeats,
    '--seed': s.seed,
    '--level': s.level ?? STUDY_DEFAULTS.level,
    '--meta': meta !== undefined,
    '--alpha': meta?.stepSize ?? null,
    '--composed': meta?.composed ?? null,
    // the same options on another backend give other bits (the GPU computes in float32)
    backend: backend.active,
    dtype: backend.active === 'gpu' ? 'float32' : 'float64',
  };
}

/** What the run needs besides the study: the checkpoint (with --out) and the chunks it resumes. */
interface StudyPlan {
  study: ParsedStudy;
  checkpoint: StudyCheckpoint | null;
  resume: StudyChunk[] | undefined;
}

/** --out and --plot must be writable files, and different ones: refused before the run, not after it. */
function checkOutputs(o: StudyCliOptions): void {
  if (o.out !== undefined && o.plot !== undefined && path.resolve(o.out) === path.resolve(o.plot))
    throw new CliError(`--plot: expected a file other than --out, got ${JSON.stringify(o.plot)} for both`);
  if (o.out !== undefined) checkWritableFile('--out', o.out);
  if (o.plot !== undefined) checkFigurePath('--plot', o.plot);
}

/** With --out, open the checkpoint and pick up the repeats an interrupted run left. */
function planStudy(s: ParsedStudy, o: StudyCliOptions): StudyPlan {
  checkOutputs(o);
  if (o.out === undefined) return { study: s, checkpoint: null, resume: undefined };
  const checkpoint = new StudyCheckpoint(o.out, fingerprintOf(s, o.mdp), s.repeats);
  checkpoint.removeStaleTemporaries(o.out);
  const previous = checkpoint.load(o.restart === true);
  if (!previous) return { study: s, checkpoint, resume: undefined };
  process.stderr.write(`resuming: ${previous.count}/${s.repeats} repeats done (${checkpoint.file})\n`);
  return { study: s, checkpoint, resume: [previous] };
}

/** A progress bar on a TTY stderr (unless --no-progress), started at the first report. */
function progressReporter(o: StudyCliOptions): { onProgress: StudyOptions['onProgress']; stop: () => void } {
  const bar =
    o.progress !== false && isInteractive(process.stderr)
      ? new SingleBar({
          stream: process.stderr,
          format: 'sampling [{bar}] {percentage}% | {value}/{total} estimates | ETA {eta}s',
        })
      : null;
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => {
      if (bar && started) bar.stop();
    },
  };
}

/** Save each new chunk to the checkpoint (and stop early where the test hook asks). */
function checkpointWriter(checkpoint: StudyCheckpoint, repeats: number): (chunk: StudyChunk) => void {
  const stopEnv = process.env[STOP_AFTER_CHUNKS_ENV];
  const stopAfter = stopEnv === undefined || stopEnv === '' ? null : Number(stopEnv);
  let chunks = 0;
  return (chunk) => {
    chunks++;
    checkpoint.add(chunk, chunks === stopAfter);
    if (chunks === stopAfter)
      throw new CliError(
        `stopped after ${chunks} chunks (${STOP_AFTER_CHUNKS_ENV} is for tests only); ` +
          `${checkpoint.repeatsDone}/${repeats} repeats saved in ${checkpoint.file}`,
      );
  };
}

/** Run the study with progress and checkpoints. */
async function runStudy(plan: StudyPlan, o: StudyCliOptions): Promise<StudyResult> {
  const { study: s, checkpoint } = plan;
  const workers = workersOption(o.workers);
  // the exact oracle runs first (a bar over the Hessian's rows, as `exact` shows), then sampling;
  // on the pool the main thread's exact part comes after the workers' repeats
  const exact = exactProgress(o.progress === false ? 0 : s.exactSeconds);
  const sampling = progressReporter(o);
  const progress = {
    onProgress: (done: number, total: number) => {
      exact.stop();
      sampling.onProgress?.(done, total);
    },
    stop: () => {
      exact.stop();
      sampling.stop();
    },
  };
  try {
    return await pooledStudy(
      {
        problem: s.problem,
        estimators: s.estimators,
        samples: s.samples,
        repeats: s.repeats,
        batchSize: s.batchSize,
        seed: s.seed,
        level: s.level,
        meta: s.meta,
        resume: plan.resume,
        onChunk: checkpoint ? checkpointWriter(checkpoint, s.repeats) : undefined,
        onProgress: progress.onProgress,
        onExactProgress: exact.onProgress,
      },
      { workers },
    );
  } catch (e) {
    if (checkpoint && e instanceof RangeError && e.message.startsWith('resume:'))
      throw new CliError(
        `--out: ${checkpoint.file} does not fit this study (${e.message}); delete it or pass --restart to start over`,
      );
    if (e instanceof RangeError && e.message.startsWith('meta.stepSize:'))
      throw new CliError(`--alpha: ${e.message.slice('meta.stepSize: '.length)}`);
    throw e;
  } finally {
    progress.stop();
  }
}

/**
 * Write --out, drop the checkpoint, print the table (or the JSON with --json), and only then draw
 * --plot: a figure that fails must not discard the results.
 */
async function reportStudy(result: StudyResult, plan: StudyPlan, o: StudyCliOptions): Promise<void> {
  const json = toJson(studyDocument(result));
  if (o.out !== undefined) writeFileAtomic('--out', o.out, json);
  plan.checkpoint?.remove();
  const width = o.wide ? Infinity : TEXT_WIDTH;
  const text =
    result.kind === 'mdp'
      ? formatMdpStudy(result, width)
      : result.kind === 'meta'
        ? formatMetaStudy(result, width)
        : formatToyStudy(result, width);
  process.stdout.write(o.json ? json : `${text}\n`);
  if (o.plot !== undefined) writeFigure('--plot', o.plot, await renderSvg(result));
}

/**
 * A study into `o.out` without printing (a sweep job): parse → plan (resuming `<out>.partial`) →
 * run → write atomically → drop the checkpoint.
 */
export async function studyToFile(o: StudyCliOptions & { out: string }): Promise<StudyResult> {
  const plan = planStudy(parseStudy(o), o);
  const result = await runStudy(plan, o);
  writeFileAtomic('--out', o.out, toJson(result));
  plan.checkpoint?.remove();
  return result;
}

/** `metagrad study`: parse → plan → run → report; exit 3 when a verdict is invalid (non-finite). */
export async function runStudyCommand(o: StudyCliOptions): Promise<number> {
  const plan = planStudy(parseStudy(o), o);
  const result = await runStudy(plan, o);
  await reportStudy(result, plan, o);
  const invalid = invalidVerdicts(result);
  if (invalid.length === 0) return 0;
  process.stderr.write(
    `metagrad: error: non-finite statistics, no verdict for ${invalid.join(', ')}; ` +
      'the inputs are beyond double precision (lower --alpha, --theta or raise --sigma)\n',
  );
  return EXIT_NON_FINITE;
}
