import { Rng } from '@metagrad/autodiff';
import { checkInt, checkNumber } from './errors';
import { type TaskDistribution, taskDistribution } from './task-distribution';

/** Finn et al. 2017 sinusoid regression constants. */
export const SINUSOID = {
  amplitude: [0.1, 5.0],
  phase: [0, Math.PI],
  input: [-5, 5],
  shots: [5, 10],
  hidden: [40, 40],
  innerLr: 0.01,
  metaBatch: 25,
} as const;

/** y = amplitude · sin(x − phase). */
export interface SinusoidTask {
  readonly amplitude: number;
  readonly phase: number;
}

/** K points of one task: x [K, 1] and y [K, 1] (column vectors, ready for a 1→…→1 network). */
export interface RegressionData {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly count: number;
}

export function sinusoidTasks(): TaskDistribution<SinusoidTask> {
  return taskDistribution('sinusoid', (rng) => ({
    amplitude: rng.uniformRange(SINUSOID.amplitude[0], SINUSOID.amplitude[1]),
    phase: rng.uniformRange(SINUSOID.phase[0], SINUSOID.phase[1]),
  }));
}

export function sinusoidValue(task: SinusoidTask, x: number): number {
  return task.amplitude * Math.sin(x - task.phase);
}

/** K samples with x ∼ U[−5, 5] from `rng`. */
export function sampleSinusoid(task: SinusoidTask, k: number, rng: Rng): RegressionData {
  checkInt('k (shots)', k, 1);
  const x = new Float64Array(k);
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    x[i] = rng.uniformRange(SINUSOID.input[0], SINUSOID.input[1]);
    y[i] = sinusoidValue(task, x[i]);
  }
  return { x, y, count: k };
}

/** Evenly spaced inputs over [−5, 5] (for plots and evaluation curves). */
export function sinusoidGrid(task: SinusoidTask, points: number): RegressionData {
  checkInt('points', points, 2);
  const x = new Float64Array(points);
  const y = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    x[i] = SINUSOID.input[0] + ((SINUSOID.input[1] - SINUSOID.input[0]) * i) / (points - 1);
    y[i] = sinusoidValue(task, x[i]);
  }
  return { x, y, count: points };
}

/**
 * A K-shot meta-batch: per task a support set and a query set of K points each, drawn from
 * `new Rng(seed).derive(taskIndex, 0 | 1)` so the data do not depend on how tasks are grouped.
 */
export function sinusoidMetaBatch(
  tasks: readonly SinusoidTask[],
  k: number,
  seed: number,
  taskIndices: readonly number[] = tasks.map((_, i) => i),
): { support: RegressionData; query: RegressionData }[] {
  checkInt('seed', seed, 0);
  const root = new Rng(seed);
  return tasks.map((task, i) => ({
    support: sampleSinusoid(task, k, root.derive(taskIndices[i], 0)),
    query: sampleSinusoid(task, k, root.derive(taskIndices[i], 1)),
  }));
}

/** Mean squared error of predictions against targets. */
export function mse(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  checkInt('pred.length', pred.length, target.length, target.length);
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (pred[i] - target[i]) ** 2;
  return s / checkNumber('target.length', target.length, 1);
}
