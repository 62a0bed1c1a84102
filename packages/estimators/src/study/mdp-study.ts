import { grad, jacobian, logSoftmax, mul, reshape, sum, type Tensor, take, tensor } from '@metagrad/autodiff';
import {
  type Batch,
  enumerateTrajectories,
  type Policy,
  rollout,
  stateValues,
  type TabularMdp,
  TabularMdpEnv,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';
import { exactEstimatorMoments, MOMENTS_MAX_TRAJECTORIES } from '../exact/expectation';
import { exactDerivatives } from '../exact/tabular';
import { LinearBaseline } from '../linear-baseline';
import { type TrajectoryEntry, trajectoryEstimators } from '../table';
import { stateActionIndices } from '../tabular-policy';
import { upperTriangles, vectorStats } from './stats';
import type { MdpEstimatorResult, MdpProblem, MdpStudyResult, StudyOptions } from './types';

/** Sampled data of `repeats` consecutive estimates (B trajectories each), rows repeat-major. */
interface Chunk {
  repeats: number;
  sa: Int32Array;
  rewards: Float64Array;
  mask: Float64Array;
  values: Float64Array;
}

function sampleChunk(
  p: MdpProblem,
  theta: Float64Array,
  B: number,
  first: number,
  count: number,
  seed: number,
): Chunk {
  const { mdp } = p;
  const env = TabularMdpEnv.forMdp(mdp);
  const policy = tabularSoftmaxPolicy(theta, mdp.states, mdp.actions);
  // episode streams are keyed by episode index, so chunking never changes the samples
  const batch = rollout(env, mdp, policy, { episodes: count * B, episodeOffset: first * B, seed });
  const T = batch.horizon;
  const sa = stateActionIndices(batch.observations, batch.actions, batch.mask, mdp.states, mdp.actions);
  let values: Float64Array = new Float64Array(sa.length);
  const baseline = p.baseline ?? 'exact';
  if (baseline === 'exact') {
    const v = stateValues(mdp, theta, T);
    for (let i = 0; i < sa.length; i++)
      values[i] = batch.mask[i] * v[(i % T) * mdp.states + Math.floor(sa[i] / mdp.actions)];
  } else if (baseline === 'fitted') values = fittedValues(env, mdp, policy, batch, B, first, count, seed);
  return { repeats: count, sa, rewards: batch.rewards, mask: batch.mask, values };
}

/**
 * Per estimate, a linear baseline fitted on B other trajectories (task stream 1, never used for
 * the estimates themselves), so it is independent of the batch it is applied to.
 */
function fittedValues(
  env: TabularMdpEnv,
  mdp: TabularMdp,
  policy: Policy,
  batch: Batch,
  B: number,
  first: number,
  count: number,
  seed: number,
): Float64Array {
  const out = new Float64Array(batch.rewards.length);
  const T = batch.horizon;
  for (let r = 0; r < count; r++) {
    const fitBatch = rollout(env, mdp, policy, {
      episodes: B,
      episodeOffset: (first + r) * B,
      seed,
      taskIndices: [1],
    });
    const lanes = Array.from({ length: B }, (_, b) => r * B + b);
    const pred = LinearBaseline.fit(fitBatch).predict(selectLanes(batch, lanes));
    out.set(pred, r * B * T);
  }
  return out;
}

function selectLanes(batch: Batch, lanes: number[]): Batch {
  const { horizon: T, obsDim: d } = batch;
  const pick = <A extends Float64Array>(x: A, w: number): A => {
    const out = new (x.constructor as new (n: number) => A)(lanes.length * T * w);
    for (const [k, b] of lanes.entries()) out.set(x.subarray(b * T * w, (b + 1) * T * w), k * T * w);
    return out;
  };
  return {
    ...batch,
    size: lanes.length,
    observations: pick(batch.observations, d),
    rewards: pick(batch.rewards, 1),
    mask: pick(batch.mask, 1),
  };
}

/**
 * Gradients [R, P] and Hessians [R, P, P] of one estimator for R estimates at once: each estimate
 * gets its own copy θ_r of the parameters, F(Θ) = Σ_r L_r(θ_r), so ∇F holds every gradient and one
 * reverse pass per parameter (the Jacobian of Σ_r ∇_r F) holds every Hessian column.
 */
function estimates(p: MdpProblem, theta: Float64Array, entry: TrajectoryEntry, c: Chunk, B: number) {
  const { states: S, actions: A, horizon: T, discount } = p.mdp;
  const P = S * A;
  const R = c.repeats;
  const idx = new Float64Array(c.sa.length);
  for (let i = 0; i < idx.length; i++) idx[i] = Math.floor(i / (B * T)) * P + c.sa[i];
  const index = tensor(idx, { shape: [R * B, T] });
  const maskT = tensor(c.mask, { shape: [R * B, T] });
  const F = (Th: Tensor) => {
    const flat = reshape(logSoftmax(reshape(Th, [R, S, A]), 2), [R * P]);
    const logProbs = mul(take(flat, index, 0), maskT);
    return mul(R, entry.build({ logProbs, rewards: c.rewards, mask: c.mask, discount }, c.values));
  };
  const Th = tensor(
    new Float64Array(R * P).map((_, i) => theta[i % P]),
    { shape: [R, P] },
  );
  const gradient = (grad(F) as (x: Tensor) => Tensor)(Th).data;
  const jac = (jacobian((x: Tensor) => sum(grad(F)(x) as Tensor, 0)) as (x: Tensor) => Tensor)(Th).data;
  const hess = new Float64Array(R * P * P);
  for (let i = 0; i < P; i++)
    for (let r = 0; r < R; r++)
      for (let j = 0; j < P; j++) hess[r * P * P + i * P + j] = jac[i * R * P + r * P + j];
  return { gradient: Float64Array.from(gradient), hessian: hess };
}

export function mdpStudy(p: MdpProblem, opts: StudyOptions): MdpStudyResult {
  const { mdp } = p;
  const src = p.theta ?? mdp.logits;
  if (src === undefined)
    throw new RangeError('theta: expected policy logits (the MDP file has no `logits` and none were given)');
  const theta = Float64Array.from(src);
  const P = mdp.states * mdp.actions;
  if (theta.length !== P) throw new RangeError(`theta: expected ${P} logits, got ${theta.length}`);
  const B = opts.samples ?? 20;
  const R = opts.repeats ?? 400;
  const chunk = opts.batchSize ?? 50;
  const seed = opts.seed ?? 0;
  const alpha = opts.alpha ?? 0.01;
  const all = trajectoryEstimators();
  const names = opts.estimators ?? all.map((e) => e.name);
  const entries = names.map((n) => {
    const e = all.find((x) => x.name === n);
    if (!e)
      throw new RangeError(
        `estimators: expected names from ${all.map((x) => x.name).join(', ')}, got ${JSON.stringify(n)}`,
      );
    return e;
  });
  const exact = exactDerivatives(mdp, theta);
  let enumerated: ReturnType<typeof enumerateTrajectories> | null = null;
  try {
    enumerated = enumerateTrajectories(mdp, MOMENTS_MAX_TRAJECTORIES);
  } catch {
    enumerated = null; // too many trajectories for an exact estimator mean: report sampled bias only
  }
  const grads = entries.map(() => new Float64Array(R * P));
  const hessians = entries.map(() => new Float64Array(R * P * P));
  const total = R * entries.length;
  let done = 0;
  for (let first = 0; first < R; first += chunk) {
    const count = Math.min(chunk, R - first);
    const c = sampleChunk(p, theta, B, first, count, seed);
    entries.forEach((e, k) => {
      const out = estimates(p, theta, e, c, B);
      grads[k].set(out.gradient, first * P);
      hessians[k].set(out.hessian, first * P * P);
      done += count;
      opts.onProgress?.(done, total);
    });
  }
  const exactUpper = upperTriangles(exact.hessian, P);
  const results: MdpEstimatorResult[] = entries.map((e, k) => {
    let exactBias: MdpEstimatorResult['exactBias'] = null;
    // a fitted baseline is random: its exact estimator mean is not enumerable (it is unbiased anyway)
    if (enumerated !== null && p.baseline !== 'fitted') {
      const m = exactEstimatorMoments(mdp, theta, e.build, {
        withValues: (p.baseline ?? 'exact') === 'exact',
        enumerated,
      });
      exactBias = {
        gradient: Math.hypot(...m.gradient.map((x, i) => x - exact.grad[i])),
        hessian: Math.hypot(...m.hessian.map((x, i) => x - exact.hessian[i])),
      };
    }
    return {
      name: e.name,
      label: e.label,
      claim: e.unbiased,
      gradient: vectorStats(grads[k], exact.grad, alpha),
      hessian: vectorStats(upperTriangles(hessians[k], P), exactUpper, alpha),
      exactBias,
    };
  });
  return {
    kind: 'mdp',
    parameters: P,
    samples: B,
    repeats: R,
    seed,
    alpha,
    exact: { J: exact.J, grad: Array.from(exact.grad), hessian: Array.from(exact.hessian) },
    estimators: results,
    falsePositiveRate: falsePositiveText(alpha),
  };
}

export function falsePositiveText(alpha: number): string {
  return `an unbiased estimator is wrongly flagged with probability at most ${alpha} per verdict (Bonferroni over the entries tested, normal approximation of the mean of R estimates)`;
}
