import { tensor } from '@metagrad/autodiff';
import { type SinusoidTask, sinusoidValue } from '@metagrad/envs';
import { NonFiniteError } from '../non-finite';
import { type Adapted, adaptStep, predict, unadapted } from './adapt';
import type { SupervisedConfig } from './config';
import { testBatch } from './data';
import type { SupervisedParams } from './params';

export interface SupervisedEvalOptions {
  /** Held-out tasks (from the test stream of `seed`, disjoint from every training draw). */
  tasks: number;
  /** Adaptation steps: MSE is reported after 0..steps. */
  steps: number;
  /** Support points per task (default the run's K). */
  shots: number;
  /** Step size of the adaptation (default the run's α; Meta-SGD uses its learned α). */
  alpha: number;
  /** Fresh points per task the MSE is measured on. */
  testPoints: number;
  seed: number;
  /** Tasks whose adapted curves are recorded (for the figure). */
  curveTasks: number;
  /** Steps after which the curves are recorded. */
  curveSteps: number[];
}

export interface CurveRecord {
  task: SinusoidTask;
  support: { x: number[]; y: number[] };
  x: number[];
  truth: number[];
  /** predictions on x after each of `curveSteps` steps */
  predictions: { steps: number; y: number[] }[];
}

export interface SupervisedEvaluation {
  tasks: number;
  shots: number;
  /** the adaptation's step size; 'learned' for Meta-SGD, which steps with its own α */
  alpha: number | 'learned';
  testPoints: number;
  seed: number;
  /** mean over tasks of the task's MSE after s steps, s = 0..steps */
  mse: number[];
  /** half-width of the 95% normal interval of that mean: 1.96·sd/√n */
  ci95: number[];
  curves: CurveRecord[];
}

const CURVE_POINTS = 100;

/** Per-task MSE of the adapted models on their query points. */
function perTaskMse(a: Adapted, x: Float64Array, y: Float64Array, T: number, n: number): Float64Array {
  const pred = predict(a, tensor(x, { shape: [T, n, 1] })).data;
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = t * n; i < (t + 1) * n; i++) s += (pred[i] - y[i]) ** 2;
    out[t] = s / n;
  }
  return out;
}

/**
 * Meta-test: adapt on K support points of each held-out task with plain SGD (CAVIA: the context
 * only; Meta-SGD: with its learned α) and measure the MSE on fresh points after 0..steps steps.
 */
export function evaluateSupervised(
  c: SupervisedConfig,
  p: SupervisedParams,
  o: SupervisedEvalOptions,
): SupervisedEvaluation {
  const b = testBatch(o.seed, o.tasks, o.shots, o.testPoints);
  const T = o.tasks;
  const inner = { algo: c.algo, steps: 1, alpha: o.alpha, contextDim: c.contextDim, firstOrder: true };
  const shown = b.tasks.slice(0, Math.min(o.curveTasks, T));
  const grid = Array.from({ length: CURVE_POINTS }, (_, i) => -5 + (10 * i) / (CURVE_POINTS - 1));
  const curves: CurveRecord[] = shown.map((task, t) => ({
    task,
    support: {
      x: Array.from(b.support.x.data.slice(t * o.shots, (t + 1) * o.shots)),
      y: Array.from(b.support.y.data.slice(t * o.shots, (t + 1) * o.shots)),
    },
    x: grid,
    truth: grid.map((x) => sinusoidValue(task, x)),
    predictions: [],
  }));
  const gridX = new Float64Array(T * CURVE_POINTS);
  for (let t = 0; t < T; t++) gridX.set(grid, t * CURVE_POINTS);
  const mse: number[] = [];
  const ci95: number[] = [];
  let a = unadapted(p, T, c.algo, c.contextDim);
  for (let s = 0; s <= o.steps; s++) {
    const m = perTaskMse(a, b.query.x.data as Float64Array, b.query.y.data as Float64Array, T, o.testPoints);
    const mean = m.reduce((x, y) => x + y, 0) / T;
    const variance = T > 1 ? m.reduce((x, y) => x + (y - mean) ** 2, 0) / (T - 1) : 0;
    if (!Number.isFinite(mean))
      throw new NonFiniteError(
        `evaluate: the adaptation diverged: the mean MSE after ${s} step${s === 1 ? '' : 's'} of α = ${o.alpha} is ${mean}; try a smaller --alpha`,
      );
    mse.push(mean);
    ci95.push((1.96 * Math.sqrt(variance)) / Math.sqrt(T));
    if (o.curveSteps.includes(s) && curves.length > 0) {
      const pred = predict(a, tensor(gridX, { shape: [T, CURVE_POINTS, 1] })).data;
      curves.forEach((cv, t) => {
        cv.predictions.push({
          steps: s,
          y: Array.from(pred.slice(t * CURVE_POINTS, (t + 1) * CURVE_POINTS)),
        });
      });
    }
    if (s < o.steps) a = adaptStep(p, a, b.support, inner);
  }
  return {
    tasks: T,
    shots: o.shots,
    alpha: p.alpha === undefined ? o.alpha : 'learned',
    testPoints: o.testPoints,
    seed: o.seed,
    mse,
    ci95,
    curves,
  };
}
