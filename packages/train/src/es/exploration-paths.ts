import type { PyTree } from '@metagrad/autodiff';
import { type Batch, CORNERS, type FourCornersTask, type NavigationTask } from '@metagrad/envs';
import type { MetaParams } from '../meta/adaptation';
import type { TrainConfig } from '../meta/config';
import { EVAL_TASK_BASE, TEST_SEED } from '../meta/evaluate';
import { initMetaParams } from '../meta/init';
import { makeProblem, type Problem } from '../meta/problem';
import { sampleTasks } from '../meta/sampling';
import { readPolicy } from '../run/run-dir';
import { treeFromJson } from '../run/serialize';
import { evaluateEs } from './evaluate-es';
import { readEsRunParams } from './evaluate-es-run';

/** Environments whose observation is the 2-D position, so an episode is a path in the plane. */
export const PATH_ENVS = ['four-corners', 'navigation2d'] as const;

/** One point of one drawn episode. */
export interface PathPoint {
  method: string;
  task: number;
  /** 'exploration' (the K episodes adaptation used) or 'adapted' (the policy after one adaptation). */
  kind: 'exploration' | 'adapted';
  episode: number;
  t: number;
  x: number;
  y: number;
}

export interface Goal {
  method: string;
  task: number;
  x: number;
  y: number;
}

function pathsOf(
  batch: Batch,
  base: Omit<PathPoint, 'episode' | 't' | 'x' | 'y'>,
  first: number,
): PathPoint[] {
  const out: PathPoint[] = [];
  const { horizon: T, obsDim } = batch;
  for (let b = 0; b < batch.size; b++)
    for (let t = 0; t < batch.lengths[b]; t++) {
      const o = (b * T + t) * obsDim;
      out.push({ ...base, episode: first + b, t, x: batch.observations[o], y: batch.observations[o + 1] });
    }
  return out;
}

const goalOf = (env: string, task: unknown): [number, number] =>
  env === 'four-corners'
    ? (CORNERS[(task as FourCornersTask).corner] as [number, number])
    : ((task as NavigationTask).goal as unknown as [number, number]);

/** How a run is named in the picture: the algorithm and its K. */
export function methodLabel(c: TrainConfig): string {
  return c.algo === 'es-maml'
    ? `ES-MAML (${c.adapt}, ${c.policy}, K=${c.k})`
    : `PG-MAML (${c.algo}, ${c.outer}, K=${c.fastBatch})`;
}

/**
 * The paths of one run on the first `tasks` test tasks (the evaluation's tasks and streams):
 * the K exploration episodes its adaptation used and the adapted policy's episode. ES-MAML
 * explores with K different deterministic policies (hill-climbing candidates or ES queries);
 * PG-MAML with K episodes of one stochastic policy, then one policy-gradient step.
 */
export function explorationPaths(
  dir: string,
  config: TrainConfig,
  tasks: number,
): { points: PathPoint[]; goals: Goal[] } {
  const method = methodLabel(config);
  const points: PathPoint[] = [];
  const goals: Goal[] = [];
  if (config.algo === 'es-maml') {
    const { problem, theta } = readEsRunParams(dir, config);
    let j = 0;
    evaluateEs(problem, theta, { tasks, steps: 1, episodes: 1 }, (trace) => {
      trace.explore[0].forEach((b, e) => {
        points.push(...pathsOf(b, { method, task: j, kind: 'exploration' }, e));
      });
      points.push(...pathsOf(trace.adapted[1], { method, task: j, kind: 'adapted' }, 0));
      const [x, y] = goalOf(config.env, trace.task);
      goals.push({ method, task: j++, x, y });
    });
    return { points, goals };
  }
  const problem = makeProblem(config);
  const saved = readPolicy(dir);
  const meta =
    saved.meta === null
      ? initMetaParams(problem)
      : (treeFromJson(saved.meta, `${dir}/meta`) as unknown as MetaParams<PyTree>);
  const testTasks = problem.tasks.testTasks(tasks, TEST_SEED);
  const indices = testTasks.map((_, j) => EVAL_TASK_BASE + j);
  const evalProblem: Problem = {
    ...problem,
    sample: (t, p, ti, e, off) => problem.sample(t, p, ti, e, off, TEST_SEED),
  };
  const samples = sampleTasks(evalProblem, meta, testTasks, indices, 1, config.fastBatch);
  samples.forEach((s, j) => {
    points.push(...pathsOf(s.batches[0], { method, task: j, kind: 'exploration' }, 0));
    // one episode of the adapted (stochastic) policy, as for ES
    const adapted = s.batches[1];
    points.push(...pathsOf({ ...adapted, size: 1 }, { method, task: j, kind: 'adapted' }, 0));
    const [x, y] = goalOf(config.env, testTasks[j]);
    goals.push({ method, task: j, x, y });
  });
  return { points, goals };
}
