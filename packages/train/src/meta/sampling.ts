import type { PyTree } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { NonFiniteError } from '../non-finite';
import { adaptStep, type MetaParams } from './adaptation';
import { FIT_EPISODE_BASE } from './control-variate';
import { meanReturn } from './lanes';
import { finishTaskSamples, firstOrderOf, type TaskSamples } from './meta-objective';
import { baselineValues } from './objectives';
import type { Problem } from './problem';

export interface SamplingTimes {
  /** Seconds in rollouts. */
  sampling: number;
  /** Seconds in inner adaptation and baseline fits. */
  inner: number;
}

/**
 * Sample one meta-iteration: every task's episodes at θ, then k times adapt each task's policy
 * on its newest episodes and sample again with the adapted policies, all tasks in one rollout
 * per step (lanes grouped by task, one batched forward per group and time step). Episode streams
 * are keyed by (global task index, episode index), and step s uses episodes s·E .. s·E + E − 1,
 * so every (iteration, task, step, episode) has its own stream whatever the batch split.
 */
export function sampleTasks<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  tasks: readonly unknown[],
  taskIndices: readonly number[],
  steps: number,
  episodes: number,
  times: SamplingTimes = { sampling: 0, inner: 0 },
  alphaSchedule: (step: number) => number = () => problem.cfg.alpha,
): TaskSamples<P>[] {
  const batches: Batch[][] = tasks.map(() => []);
  const values: (Float64Array | undefined)[][] = tasks.map(() => []);
  const fits: Batch[][] = tasks.map(() => []);
  const cv = problem.controlVariate;
  let params: P[] = [meta.policy];
  for (let s = 0; ; s++) {
    let t0 = performance.now();
    const sampled = problem.sample(tasks, params, taskIndices, episodes, s * episodes);
    times.sampling += (performance.now() - t0) / 1000;
    sampled.forEach((b, i) => {
      const ret = meanReturn(b);
      if (!Number.isFinite(ret))
        throw new NonFiniteError(`return of task ${taskIndices[i]} after ${s} inner steps is ${ret}`);
      batches[i].push(b);
    });
    if (s === steps) break;
    // tmaml-meta: each task's control variate is fitted on its own batch of other episodes
    let fit: Batch[] | undefined;
    if (cv !== undefined) {
      t0 = performance.now();
      fit = problem.sample(tasks, params, taskIndices, episodes, FIT_EPISODE_BASE + s * episodes);
      times.sampling += (performance.now() - t0) / 1000;
    }
    t0 = performance.now();
    const alpha = meta.alpha ?? alphaSchedule(s);
    params = tasks.map((task, i) => {
      let v: Float64Array | undefined;
      if (cv !== undefined && fit !== undefined) {
        fits[i].push(fit[i]);
        v = cv.valuesFor(fit[i], sampled[i]);
      } else v = baselineValues(sampled[i], problem.discount, problem.cfg.baseline);
      values[i].push(v);
      const from = params.length === 1 ? params[0] : params[i];
      return adaptStep((p: P) => problem.inner(p, task, sampled[i], v), from, alpha, firstOrderOf(problem));
    });
    times.inner += (performance.now() - t0) / 1000;
  }
  const t0 = performance.now();
  const out = tasks.map((task, i) =>
    finishTaskSamples(
      problem,
      task,
      batches[i],
      values[i],
      meta.policy,
      params.length === 1 ? params[0] : params[i],
      cv === undefined ? undefined : fits[i],
    ),
  );
  times.inner += (performance.now() - t0) / 1000;
  return out;
}
