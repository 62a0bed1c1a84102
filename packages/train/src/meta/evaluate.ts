import type { PyTree } from '@metagrad/autodiff';
import { type NavigationTask, optimalReturn, type Policy, rollout, type TabularMdp } from '@metagrad/envs';
import type { MetaParams } from './adaptation';
import { meanReturn } from './lanes';
import type { Problem } from './problem';
import { sampleTasks } from './sampling';

/**
 * The fixed test set: task j is `testTasks(n, TEST_SEED)[j]`, its episodes are keyed by
 * EVAL_TASK_BASE + j under TEST_SEED. Every run, whatever its training seed, is evaluated on the
 * same tasks with the same episode streams (common random numbers), as the MAML paper's test
 * goals came from one fixed seed.
 */
export const TEST_SEED = 1;
/**
 * Task-index offset of the test episodes. It was 2 ** 40, which the Int32 lane indices of
 * `rollout` wrapped to exactly 0; rollout now refuses indices above 2^31 − 1, and 0 keeps every
 * committed evaluation reproducible bit for bit. (The test episodes' streams are keyed under
 * TEST_SEED, so only a training run with seed TEST_SEED shares streams with them, never tasks.)
 */
export const EVAL_TASK_BASE = 0;
/**
 * The validation set: tasks and episode streams drawn like the test set's under a seed no
 * training run uses, for choosing evaluation settings (say the later steps' α) without looking
 * at the test tasks.
 */
export const VALIDATION_SEED = 1_000_003;

/** The tasks an evaluation runs on: the fixed test set (the default) or the validation set. */
export type TaskSet = 'test' | 'validation';
export const taskSetSeed = (set: TaskSet = 'test') => (set === 'validation' ? VALIDATION_SEED : TEST_SEED);

export interface EvaluationOptions {
  /** Test tasks (default 40). */
  tasks?: number;
  /** Adaptation steps (default 3). */
  steps?: number;
  /** Episodes per task and step (default 40, ≈ the MAML paper's 4000 samples at H = 100). */
  episodes?: number;
  /** Step size of the first step (default the run's α). */
  alpha?: number;
  /** Later steps use alpha · laterFactor (default 0.5: the MAML code halves α after step 1). */
  laterFactor?: number;
  /** The test tasks (default) or the validation tasks (VALIDATION_SEED). */
  taskSet?: TaskSet;
}

/** Mean return over test tasks after each number of adaptation steps, with 95% intervals. */
export interface EvaluationResult {
  tasks: number;
  episodes: number;
  steps: number;
  alpha: number;
  laterFactor: number;
  /** [step][task]: mean episode return of each task after `step` adaptation steps. */
  perTask: number[][];
  mean: number[];
  /** Half-width of the normal-approximation 95% interval of the mean over tasks. */
  ci95: number[];
  /** The goal-aware optimum's mean return on the same tasks, where it is known. */
  oracle: number | null;
  /** Present (as 'validation') only when the evaluation did not use the test tasks. */
  taskSet?: 'validation';
}

export function meanAndCi(xs: readonly number[]): { mean: number; ci95: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: Number.NaN };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { mean, ci95: (1.959963984540054 * sd) / Math.sqrt(n) };
}

/**
 * Meta-evaluation as the MAML paper did it: on the fixed test tasks, adapt the meta-learned
 * policy with the run's inner update for k steps (α, then α·laterFactor), sampling fresh episodes
 * after every step, and report the mean return after 0..k steps. The meta-parameters are never
 * modified. Works before any training (on the initial parameters) just as well.
 */
export function evaluateMeta<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  options: EvaluationOptions = {},
): EvaluationResult {
  const n = positiveInt('tasks', options.tasks ?? 40, 1);
  const k = positiveInt('steps', options.steps ?? 3, 0);
  const episodes = positiveInt('episodes', options.episodes ?? 40, 1);
  const alpha = options.alpha ?? problem.cfg.alpha;
  const laterFactor = options.laterFactor ?? 0.5;
  if (!(Number.isFinite(alpha) && alpha >= 0))
    throw new RangeError(`alpha: expected a number >= 0, got ${alpha}`);
  if (!(Number.isFinite(laterFactor) && laterFactor >= 0))
    throw new RangeError(`laterFactor: expected a number >= 0, got ${laterFactor}`);
  const seed = taskSetSeed(options.taskSet);
  const tasks = problem.tasks.testTasks(n, seed);
  const indices = tasks.map((_, j) => EVAL_TASK_BASE + j);
  const evalProblem: Problem<P> = {
    ...problem,
    sample: (t, p, ti, e, off) => problem.sample(t, p, ti, e, off, seed),
  };
  const samples = sampleTasks(evalProblem, meta, tasks, indices, k, episodes, undefined, (s) =>
    s === 0 ? alpha : alpha * laterFactor,
  );
  const perTask = Array.from({ length: k + 1 }, (_, s) => samples.map((x) => meanReturn(x.batches[s])));
  return summarizeEvaluation(
    perTask,
    { tasks: n, episodes, steps: k, alpha, laterFactor },
    oracleReturn(problem, tasks, indices, seed),
    options.taskSet,
  );
}

/** An EvaluationResult from per-task returns [step][task]: mean ± 95% interval over tasks at every step. */
export function summarizeEvaluation(
  perTask: number[][],
  protocol: Pick<EvaluationResult, 'tasks' | 'episodes' | 'steps' | 'alpha' | 'laterFactor'>,
  oracle: number | null,
  taskSet: TaskSet = 'test',
): EvaluationResult {
  const stats = perTask.map(meanAndCi);
  return {
    ...protocol,
    perTask,
    mean: stats.map((s) => s.mean),
    ci95: stats.map((s) => s.ci95),
    oracle,
    ...(taskSet === 'validation' ? { taskSet } : {}),
  };
}

/** An evaluation option: an integer ≥ min (RangeError naming it otherwise). */
export function positiveInt(name: string, v: number, min: number): number {
  if (!(Number.isInteger(v) && v >= min))
    throw new RangeError(`${name}: expected an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * The goal-aware optimum's mean return on the test tasks: on 2D navigation the policy that moves
 * straight at the goal at full speed (per-axis clipped, exactly the optimum for box-clipped
 * moves); on tabular MDPs the optimal finite-horizon value by backward induction; null elsewhere.
 */
export function oracleReturn(
  problem: Problem,
  tasks: readonly unknown[],
  indices: readonly number[],
  seed: number = TEST_SEED,
): number | null {
  const name = problem.cfg.env;
  if (name === 'tabular-mdp' || name === 'random-mdp' || name === 'mdp-file') {
    const values = tasks.map((t) => optimalReturn(t as TabularMdp, { horizon: problem.horizon }).value);
    return values.reduce((a, b) => a + b, 0) / values.length;
  }
  if (name !== 'navigation2d') return null;
  const goals = (tasks as NavigationTask[]).map((t) => t.goal);
  const towardGoal: Policy = (obs, _t, actions, ctx) => {
    for (let b = 0; b < ctx.size; b++) {
      const g = goals[b];
      actions[2 * b] = g[0] - obs[2 * b];
      actions[2 * b + 1] = g[1] - obs[2 * b + 1];
    }
  };
  const batch = rollout(problem.env, tasks, towardGoal, {
    episodes: 1,
    horizon: problem.horizon,
    taskIndices: indices,
    seed,
  });
  return meanReturn(batch);
}
