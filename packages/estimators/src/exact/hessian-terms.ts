import { mul, sum, type Tensor, tensor } from '@metagrad/autodiff';
import { enumerateTrajectories, type TabularMdp } from '@metagrad/envs';
import { dice } from '../surrogates/dice';
import { prepare } from '../surrogates/inputs';
import { lvc } from '../surrogates/lvc';
import { magicBox } from '../surrogates/magic-box';
import { sf } from '../surrogates/sf';
import { exactEstimatorMoments, MOMENTS_MAX_TRAJECTORIES, type SurrogateBuilder } from './expectation';

/** Matrices [P, P] row-major that add up to ∇²J. */
export interface HessianTerms {
  /** Poster split: E[∇²log p(τ) R(τ)]. */
  scoreHessian: Float64Array;
  /** E[Σ_t ∇lp_t ∇lp_tᵀ R(τ)] (diagonal part of E[∇log p ∇log pᵀ R]). */
  outerDiagonal: Float64Array;
  /** E[Σ_{t≠t'} ∇lp_t ∇lp_t'ᵀ R(τ)] (cross part). */
  outerCross: Float64Array;
  /** Causal split (coefficient G_t = Σ_{k≥t} γ^k r_k): E[Σ_t G_t ∇²lp_t], what the original MAML keeps. */
  causalLogProbHessian: Float64Array;
  /** E[Σ_t G_t ∇lp_t ∇lp_tᵀ], the per-step outer products LVC adds. */
  causalPerStep: Float64Array;
  /** E[Σ_t G_t (∇lp_t ∇C_{<t}ᵀ + ∇C_{<t} ∇lp_tᵀ)], the cross-time terms only DiCE/TMAML keep. */
  causalCrossTime: Float64Array;
  /** ∇²J (= the sum of either split). */
  total: Float64Array;
}

/** Whole-trajectory surrogates: Σ_t lp_t·R, Σ_t □(lp_t)·R and □(Σ_t lp_t)·R (R = G_0). */
function whole(kind: 'lp' | 'perStep' | 'joint'): SurrogateBuilder {
  return (traj) => {
    const p = prepare(traj);
    const R = new Float64Array(p.B * p.T);
    for (let b = 0; b < p.B; b++) R.fill(p.returnsDiscountedFrom0[b * p.T], b * p.T, (b + 1) * p.T);
    const r = tensor(R, { shape: [p.B, p.T] });
    let x: Tensor;
    if (kind === 'lp') x = sum(mul(p.lp, r));
    else if (kind === 'perStep') x = sum(mul(magicBox(p.lp), r));
    else x = sum(mul(magicBox(sum(p.lp, 1)), tensor(R.filter((_, i) => i % p.T === 0))));
    return x.div(p.B);
  };
}

const minus = (a: Float64Array, b: Float64Array) => a.map((x, i) => x - b[i]);

/**
 * The exact per-trajectory Hessian decomposed into the terms the papers discuss, each an exact
 * expectation by enumeration, so one can see which term an estimator gets wrong.
 */
export function exactHessianTerms(mdp: TabularMdp, theta: ArrayLike<number>): HessianTerms {
  const enumerated = enumerateTrajectories(mdp, MOMENTS_MAX_TRAJECTORIES);
  const h = (b: SurrogateBuilder) => exactEstimatorMoments(mdp, theta, b, { enumerated }).hessian;
  const scoreHessian = h(whole('lp'));
  const perStep = h(whole('perStep'));
  const joint = h(whole('joint'));
  const causalLogProbHessian = h((t) => sf(t));
  const lvcH = h((t) => lvc(t));
  const total = h((t) => dice(t));
  const outerDiagonal = minus(perStep, scoreHessian);
  return {
    scoreHessian,
    outerDiagonal,
    outerCross: minus(minus(joint, scoreHessian), outerDiagonal),
    causalLogProbHessian,
    causalPerStep: minus(lvcH, causalLogProbHessian),
    causalCrossTime: minus(total, lvcH),
    total,
  };
}
