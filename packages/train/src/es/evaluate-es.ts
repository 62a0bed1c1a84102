import { Rng } from '@metagrad/autodiff';
import { type Batch, episodeReturns } from '@metagrad/envs';
import {
  EVAL_TASK_BASE,
  type EvaluationOptions,
  type EvaluationResult,
  oracleReturn,
  positiveInt,
  summarizeEvaluation,
  taskSetSeed,
} from '../meta/evaluate';
import type { Problem } from '../meta/problem';
import { adaptationRollouts, adaptOnTask } from './adaptation-operator';
import type { EsProblem } from './es-problem';
import { AFTER_EPISODE } from './perturbation';

/** Stream of U's perturbations at evaluation (per test task and step). */
const EVAL_ADAPT_STREAM = 0xe7a1;

/** What one test task's adaptation played, for exploration pictures. */
export interface EsTaskTrace {
  task: unknown;
  /** The episodes U played at each step (step 1 first). */
  explore: Batch[][];
  /** The adapted policy's episode after each of 0..k steps. */
  adapted: Batch[];
}

/**
 * Meta-test an es-maml policy on the fixed test tasks, as `evaluateMeta` does for the gradient
 * learners: apply U (K rollouts each) 0..k times, and after each measure the adapted policy's
 * mean return over `episodes` fresh episodes. θ is never modified; `alpha` overrides es-step's α
 * (hill climbing has none). `laterFactor` scales α after the first step, as for PG runs.
 */
export function evaluateEs(
  problem: EsProblem,
  theta: Float64Array,
  options: EvaluationOptions = {},
  onTask?: (trace: EsTaskTrace) => void,
): EvaluationResult {
  const n = positiveInt('tasks', options.tasks ?? 40, 1);
  const k = positiveInt('steps', options.steps ?? 3, 0);
  const episodes = positiveInt('episodes', options.episodes ?? 40, 1);
  const alpha = options.alpha ?? problem.cfg.alpha;
  const laterFactor = options.laterFactor ?? 0.5;
  const seed = taskSetSeed(options.taskSet);
  const tasks = problem.tasks.testTasks(n, seed);
  const indices = tasks.map((_, j) => EVAL_TASK_BASE + j);
  const K = adaptationRollouts(problem.cfg.adapt, problem.cfg.k);
  const perTask: number[][] = Array.from({ length: k + 1 }, () => []);
  tasks.forEach((task, j) => {
    const trace: EsTaskTrace = { task, explore: [], adapted: [] };
    let x = theta;
    for (let s = 0; s <= k; s++) {
      if (s > 0) {
        const played: Batch[] = [];
        x = adaptOnTask(problem, task, indices[j], x, {
          rng: new Rng(seed).derive(EVAL_ADAPT_STREAM, j, s),
          seed,
          episodeOffset: (s - 1) * K,
          alpha: s === 1 ? alpha : alpha * laterFactor,
          onEpisode: (b) => played.push(b),
        }).theta;
        trace.explore.push(played);
      }
      let sum = 0;
      for (let e = 0; e < episodes; e++) {
        const b = problem.episode(task, indices[j], x, AFTER_EPISODE + s * episodes + e, seed);
        if (e === 0) trace.adapted.push(b);
        sum += episodeReturns(b)[0];
      }
      perTask[s].push(sum / episodes);
    }
    onTask?.(trace);
  });
  return summarizeEvaluation(
    perTask,
    { tasks: n, episodes, steps: k, alpha, laterFactor },
    oracleReturn(problem as unknown as Problem, tasks, indices, seed),
    options.taskSet,
  );
}
