import {
  add,
  grad,
  hessian,
  matmul,
  mul,
  reshape,
  softmax,
  sum,
  type Tensor,
  tensor,
  zeros,
} from '@metagrad/autodiff';
import type { TabularMdp } from '@metagrad/envs';

/**
 * Exact J(θ) = E[Σ_{t<T} γ^t R(s_t, a_t)] of the tabular softmax policy π(·|s) = softmax(θ[s]) by
 * backward induction, written with engine ops so ∇J, ∇²J and meta-gradients are exact.
 * θ: [S·A] (one parameter vector) or [M, S·A] (M vectors at once; the result is then [M]).
 */
export function exactReturn(mdp: TabularMdp, theta: Tensor, horizon = mdp.horizon): Tensor {
  const { states: S, actions: A } = mdp;
  const batched = theta.ndim === 2;
  const M = batched ? theta.shape[0] : 1;
  if (theta.size !== M * S * A)
    throw new RangeError(`theta: expected ${S * A} logits per policy ([S·A]), got shape [${theta.shape}]`);
  const pi = softmax(reshape(theta, [M, S, A]), 2);
  // Pᵀ as [S', S·A] so that V [M, S'] @ Pᵀ gives E[V(s') | s, a] for every (s, a)
  const pt = new Float64Array(S * S * A);
  for (let sa = 0; sa < S * A; sa++)
    for (let s2 = 0; s2 < S; s2++) pt[s2 * S * A + sa] = mdp.transitions[sa * S + s2];
  const P = tensor(pt, { shape: [S, S * A] });
  const R = tensor(mdp.rewards, { shape: [1, S * A] });
  let v: Tensor = zeros([M, S]);
  for (let t = horizon - 1; t >= 0; t--) {
    const q = t === horizon - 1 ? R : add(R, mul(mdp.discount, matmul(v, P)));
    v = sum(mul(pi, reshape(q, [q.shape[0], S, A])), 2);
  }
  const j = matmul(v, tensor(mdp.initial, { shape: [S, 1] }));
  return batched ? reshape(j, [M]) : reshape(j, []);
}

function thetaTensor(mdp: TabularMdp, theta: ArrayLike<number> | undefined): Tensor {
  const src = theta ?? mdp.logits;
  if (src === undefined)
    throw new RangeError('theta: expected logits (none given and the MDP has no `logits` field)');
  return tensor(Float64Array.from(src));
}

export interface ExactDerivatives {
  J: number;
  /** ∇J: [S·A], index s·A + a. */
  grad: Float64Array;
  /** ∇²J: [S·A, S·A] row-major. */
  hessian: Float64Array;
}

/** Exact J, ∇J and ∇²J at θ (default: the MDP's own logits). */
export function exactDerivatives(mdp: TabularMdp, theta?: ArrayLike<number>): ExactDerivatives {
  const th = thetaTensor(mdp, theta);
  const f = (x: Tensor) => exactReturn(mdp, x);
  return {
    J: f(th).item(),
    grad: Float64Array.from((grad(f) as (x: Tensor) => Tensor)(th).data),
    hessian: Float64Array.from((hessian(f) as (x: Tensor) => Tensor)(th).data),
  };
}

/**
 * Exact one-step MAML meta-gradient ∇_θ J(θ + α∇J(θ)) = (I + α∇²J(θ))∇J(θ') with the exact
 * inner gradient (same task inside and outside); the inner step stays differentiable.
 */
export function exactMetaGradient(mdp: TabularMdp, alpha: number, theta?: ArrayLike<number>): Float64Array {
  const th = thetaTensor(mdp, theta);
  const f = (x: Tensor) => exactReturn(mdp, x);
  const g = grad(f) as (x: Tensor) => Tensor;
  const meta = grad((x: Tensor) => f(add(x, mul(alpha, g(x))))) as (x: Tensor) => Tensor;
  return Float64Array.from(meta(th).data);
}

/**
 * Time-dependent state values V_t(s) = E[Σ_{k≥t} γ^{k−t} r_k | s_t = s] under softmax(θ), for
 * t < T: [T, S] (plain numbers; used as exact ⊥ baselines).
 */
export function exactValues(mdp: TabularMdp, theta: ArrayLike<number>, horizon = mdp.horizon): Float64Array {
  const { states: S, actions: A, transitions: P, rewards: R, discount: g } = mdp;
  const pi = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let m = -Infinity;
    for (let a = 0; a < A; a++) m = Math.max(m, theta[s * A + a]);
    let z = 0;
    for (let a = 0; a < A; a++) z += pi[s * A + a] = Math.exp(theta[s * A + a] - m);
    for (let a = 0; a < A; a++) pi[s * A + a] /= z;
  }
  const out = new Float64Array(horizon * S);
  let next = new Float64Array(S);
  for (let t = horizon - 1; t >= 0; t--) {
    const v = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const sa = s * A + a;
        let ev = 0;
        for (let s2 = 0; s2 < S; s2++) ev += P[sa * S + s2] * next[s2];
        v[s] += pi[sa] * (R[sa] + g * ev);
      }
    }
    out.set(v, t * S);
    next = v;
  }
  return out;
}
