import * as path from 'node:path';
import type { PyTree } from '@metagrad/autodiff';
import { evaluateEsRun } from '../es/evaluate-es-run';
import type { MetaParams } from '../meta/adaptation';
import { evaluateMeta, type TaskSet } from '../meta/evaluate';
import { initMetaParams } from '../meta/init';
import { makeProblem } from '../meta/problem';
import { type EvaluationFile, evaluationDocument } from '../run/evaluation-file';
import {
  listSnapshots,
  RUN_FILES,
  RunDirError,
  readPolicy,
  readRunConfig,
  readRunConfigFields,
  readSnapshot,
  SNAPSHOT_DIR,
} from '../run/run-dir';
import { treeFromJson } from '../run/serialize';
import { isSupervisedEnv } from '../supervised/config';
import { CliError, parseIntOption, parseNumberOption } from './errors';
import { toJson, writeFileAtomic } from './io';
import { runSupervisedEvaluate } from './supervised-evaluate';

/**
 * The file `evaluate` writes into a run directory: random-init and snapshot evaluations get
 * their own, and an evaluation on the validation tasks adds `-validation` to the name.
 */
export const evaluationFile = (randomInit: boolean, snapshot?: number, validation = false) => {
  const name =
    snapshot !== undefined
      ? path.join(SNAPSHOT_DIR, `evaluation-${snapshot}.json`)
      : randomInit
        ? 'evaluation-random-init.json'
        : RUN_FILES.evaluation;
  return validation ? name.replace(/\.json$/, '-validation.json') : name;
};

export function evaluateRun(
  dir: string,
  opts: {
    tasks: number;
    steps: number;
    episodes: number;
    alpha?: number;
    laterFactor: number;
    randomInit: boolean;
    /** Evaluate the snapshot after this many iterations instead of the run's final policy. */
    snapshot?: number;
    /** The validation tasks instead of the test tasks. */
    taskSet?: TaskSet;
  },
): EvaluationFile {
  const config = readRunConfig(dir);
  if (config.algo === 'es-maml') {
    if (opts.snapshot !== undefined)
      throw new RunDirError(`--snapshot: es-maml runs keep no snapshots (${JSON.stringify(dir)})`);
    return evaluateEsRun(dir, config, opts);
  }
  const problem = makeProblem(config);
  const saved = opts.randomInit
    ? null
    : opts.snapshot !== undefined
      ? readSnapshot(dir, opts.snapshot)
      : readPolicy(dir);
  const meta =
    saved === null || saved.meta === null
      ? initMetaParams(problem)
      : (treeFromJson(saved.meta, path.join(dir, 'meta')) as unknown as MetaParams<PyTree>);
  return evaluationDocument(dir, saved, opts.randomInit, evaluateMeta(problem, meta, opts));
}

/** `--snapshot n|all`: an iteration count, every snapshot, or none (the final policy). */
function snapshotOption(v: unknown): number | 'all' | undefined {
  if (v === undefined) return undefined;
  if (v === 'all') return 'all';
  return parseIntOption('--snapshot', String(v), 1);
}

function formatEvaluation(e: EvaluationFile): string {
  const r = e.result;
  const lines = [
    `${e.run} (${e.source}, ${e.iterations} iterations; ${r.tasks} ${r.taskSet ?? 'test'} tasks × ${r.episodes} episodes)`,
  ];
  for (const [s, m] of r.mean.entries()) {
    lines.push(`  after ${s} step${s === 1 ? ' ' : 's'}: ${m.toFixed(2)} ± ${r.ci95[s].toFixed(2)}`);
  }
  if (r.oracle !== null) lines.push(`  oracle:        ${r.oracle.toFixed(2)}`);
  return lines.join('\n');
}

/** The env a run directory was trained on (undefined when unreadable: evaluateRun reports why). */
function runEnv(dir: string): unknown {
  try {
    return readRunConfigFields(dir).env;
  } catch {
    return undefined;
  }
}

export async function runEvaluateCommand(
  dirs: readonly string[],
  o: Record<string, unknown>,
): Promise<number> {
  if (dirs.length === 0) throw new CliError('evaluate: expected at least one run directory');
  // sinusoid runs: the supervised meta-test (MSE after 0..k SGD steps)
  if (dirs.some((d) => isSupervisedEnv(runEnv(d)))) {
    if (!dirs.every((d) => isSupervisedEnv(runEnv(d))))
      throw new CliError('evaluate: expected only sinusoid runs or only RL runs, got a mix');
    const results = [];
    for (const dir of dirs) {
      const e = await runSupervisedEvaluate(dir, o);
      if (o.save !== false) writeFileAtomic('evaluate', path.join(dir, RUN_FILES.evaluation), toJson(e));
      results.push(e);
    }
    if (o.json) process.stdout.write(toJson(results.length === 1 ? results[0] : results));
    return 0;
  }
  if (o.shots !== undefined || o.figure !== undefined)
    throw new CliError(`${o.shots !== undefined ? '--shots' : '--figure'}: an option of sinusoid runs only`);
  const opts = {
    tasks: o.tasks === undefined ? 40 : parseIntOption('--tasks', String(o.tasks), 1),
    steps: o.steps === undefined ? 3 : parseIntOption('--steps', String(o.steps), 0),
    episodes: o.episodes === undefined ? 40 : parseIntOption('--episodes', String(o.episodes), 1),
    alpha: o.alpha === undefined ? undefined : parseNumberOption('--alpha', String(o.alpha), { min: 0 }),
    laterFactor:
      o.laterFactor === undefined
        ? 0.5
        : parseNumberOption('--later-factor', String(o.laterFactor), { min: 0 }),
    randomInit: o.randomInit === true,
    taskSet: (o.validation === true ? 'validation' : 'test') as TaskSet,
  };
  const snapshot = snapshotOption(o.snapshot);
  if (snapshot !== undefined && opts.randomInit)
    throw new CliError('--snapshot: evaluates a trained snapshot; drop --random-init');
  const results: EvaluationFile[] = [];
  for (const dir of dirs) {
    const which = snapshot === 'all' ? listSnapshots(dir) : [snapshot];
    if (which.length === 0)
      throw new CliError(
        `--snapshot all: ${JSON.stringify(dir)} has no snapshots (train with --snapshot-every N)`,
      );
    for (const s of which) {
      let e: EvaluationFile;
      try {
        e = evaluateRun(dir, { ...opts, snapshot: s });
      } catch (err) {
        if (err instanceof RunDirError) throw new CliError(err.message);
        throw err;
      }
      if (o.save !== false)
        writeFileAtomic(
          'evaluate',
          path.join(dir, evaluationFile(opts.randomInit, s, opts.taskSet === 'validation')),
          toJson(e),
        );
      results.push(e);
      if (!o.json) process.stdout.write(`${formatEvaluation(e)}\n`);
    }
  }
  if (o.json) process.stdout.write(toJson(results.length === 1 ? results[0] : results));
  return 0;
}
