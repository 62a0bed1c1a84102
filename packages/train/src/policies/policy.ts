import type { PyTree, Rng, Tensor } from '@metagrad/autodiff';
import type { Batch, Policy } from '@metagrad/envs';

/**
 * What the meta-learners need from a policy: parameters as a pytree of tensors, differentiable
 * log-probabilities of a rollout batch, a sampler for the envs' vectorised rollouts, and the mean
 * KL divergence that TRPO constrains and ProMP penalises. Every method is a pure function of the
 * parameters it is given (nothing is stored on the policy object but its architecture).
 */
export interface PolicyModel<P extends PyTree = PyTree> {
  /** Short name for run configs and errors, e.g. 'gaussian-mlp'. */
  readonly kind: string;
  /** Fresh parameters from a seeded generator (deterministic for a seed). */
  init(rng: Rng): P;
  /** log π_θ(a_t|s_t) of every step of a batch: [B, T], padded steps exactly 0. */
  logProbs(params: P, batch: Batch): Tensor;
  /**
   * One rollout callback for several parameter sets at once: lane b acts with
   * `params[⌊b / lanesPerParams⌋]`, and all lanes that share parameters go through one batched
   * forward per time step. Sampling reads only `ctx.rngs[b]`, so episodes do not depend on how
   * lanes are grouped. A rollout with more than `params.length · lanesPerParams` lanes throws.
   * (The implementations here also take a single parameter set, `sampler(params)`, for all lanes.)
   */
  sampler(params: readonly P[], lanesPerParams: number): Policy;
  /**
   * Mean over the real steps of `batch` of KL(π_old(·|s_t) ‖ π_params(·|s_t)), a differentiable
   * scalar of `params` (`old` is held constant); 0 with a zero gradient at params = old.
   */
  kl(old: P, params: P, batch: Batch): Tensor;
  /**
   * Optional closed form of the KL's Hessian at old = params: F·v for
   * F = ∇²_q kl(params, q, batch) at q = params (the Fisher matrix, averaged over the real steps
   * as `kl` averages). The closure keeps the batch's forward pass, so each of the many products
   * TRPO's conjugate gradient asks for is cheap; without it callers differentiate `kl` twice.
   */
  fisherProduct?(params: P, batch: Batch): FisherProduct<P>;
  /**
   * Optional closed-form derivatives of ℓ = logProbs(params, batch) (flattened to [B·T]) at
   * params, with per-step weights g [B·T] for the second-order term: what the Hessian of an
   * objective S(ℓ(θ)) is made of, ∇²(S∘ℓ) v = Jℓᵀ ∇²S Jℓ v + Σ_n g_n ∇²ℓ_n v with g = ∇S.
   * Like `fisherProduct`, the forward pass is kept, so each product costs only matrix products.
   */
  logProbCurvature?(params: P, batch: Batch, g: Float64Array): LogProbCurvature<P>;
}

/** See PolicyModel.logProbCurvature (method syntax for the same bivariance as FisherProduct). */
export interface LogProbCurvature<P> {
  /** Jℓ·v [B·T] (0 on padded steps). */
  jvp(v: P): Float64Array;
  /** Jℓᵀ·u for u [B·T]. */
  vjp(u: Float64Array): P;
  /** Σ_n g_n ∇²ℓ_n·v. */
  weightedHvp(v: P): P;
  /**
   * Jℓᵀ·outer(Jℓ v) + Σ_n g_n ∇²ℓ_n·v in one forward and one reverse pass: with outer = ∇²S·
   * (an operator on [B·T]) this is ∇²(S∘ℓ)·v.
   */
  hvp(v: P, outer: (jv: Float64Array) => Float64Array): P;
}

/**
 * v ↦ F·v on parameter pytrees. Written as a method's type (parameters checked bivariantly, like
 * the interface's methods) so that a PolicyModel<P> still passes as a PolicyModel<PyTree>.
 */
export type FisherProduct<P> = { product(v: P): P }['product'];
