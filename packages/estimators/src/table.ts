import type { SurrogateBuilder } from './exact/expectation';
import { dice } from './surrogates/dice';
import { loadedDice } from './surrogates/loaded-dice';
import { lvc } from './surrogates/lvc';
import { mamlBiased } from './surrogates/maml';
import { sf } from './surrogates/sf';
import { tmaml } from './surrogates/tmaml';

/**
 * What an estimator is unbiased for. `hessian` is E[∇²L] = ∇²J. `metaGradient`: for the
 * trajectory estimators, the one-step MAML meta-gradient (I + α∇²J(θ))∇J(θ′) with the exact inner
 * step θ′ = θ + α∇J(θ), estimated as (I + αĤ)ĝ(θ′) from independent inner and outer batches
 * (unbiased iff the estimator's gradient and Hessian are; the study's meta mode tests it); for the
 * `meta` entries, the gradient of the N-sample meta-objective V_N(θ) = E[J(θ + α ĝ_N(θ))].
 * null = not applicable.
 */
export interface Unbiased {
  gradient: boolean | null;
  hessian: boolean | null;
  metaGradient: boolean | null;
}

interface Base {
  name: string;
  label: string;
  unbiased: Unbiased;
  /** Why, in one line (shown by the CLI and the docs). */
  note: string;
}

/** A surrogate on trajectories: the study differentiates it once (gradient) and twice (Hessian). */
export interface TrajectoryEntry extends Base {
  kind: 'trajectory';
  build: SurrogateBuilder;
}

/** Estimators of other problem shapes, tested by their own oracles (toy, N-tuples, smoothing). */
export interface OtherEntry extends Base {
  kind: 'nSample' | 'meta' | 'zeroOrder';
}

export type EstimatorEntry = TrajectoryEntry | OtherEntry;

/** A trajectory estimator's meta-gradient (I + αĤ)ĝ(θ′) is unbiased iff both factors are. */
const yes = (gradient: boolean, hessian: boolean): Unbiased => ({
  gradient,
  hessian,
  metaGradient: gradient && hessian,
});

/** The estimator table: every estimator once, with the properties its tests assert. */
export const ESTIMATORS: readonly EstimatorEntry[] = [
  {
    name: 'sf',
    label: 'score function (+ baseline)',
    kind: 'trajectory',
    unbiased: yes(true, false),
    note: 'Σ lp_t ⊥(G_t − γ^t V): Hessian keeps only Σ ∇²lp_t A_t',
    build: (t, values) => sf(t, { values }),
  },
  {
    name: 'maml',
    label: 'original MAML-RL inner loss',
    kind: 'trajectory',
    unbiased: yes(true, false),
    note: 'Σ lp_t ⊥γ^t Â_t differentiated twice: Hessian misses the ∇lp∇lpᵀ terms',
    build: (t, values) => mamlBiased(t, { values }),
  },
  {
    name: 'maml-reference',
    label: 'MAML-RL as in the reference code',
    kind: 'trajectory',
    unbiased: yes(false, false),
    note: 'GAE advantages without γ^t (gradient biased unless γ = 1), Hessian misses ∇lp∇lpᵀ terms',
    build: (t, values) => mamlBiased(t, { values, discounted: false }),
  },
  {
    name: 'dice',
    label: 'DiCE',
    kind: 'trajectory',
    unbiased: yes(true, true),
    note: 'Σ □(C_t) γ^t r_t: unbiased at every order, high variance',
    build: (t) => dice(t),
  },
  {
    name: 'dice-baseline',
    label: 'DiCE + first-order baseline',
    kind: 'trajectory',
    unbiased: yes(true, true),
    note: 'adds Σ (1 − □(lp_t)) γ^t V(s_t): value 0, first-order variance only',
    build: (t, values) => dice(t, { values }),
  },
  {
    name: 'loaded-dice',
    label: 'Loaded DiCE λ = 1',
    kind: 'trajectory',
    unbiased: yes(true, true),
    note: 'any-order baseline, unbiased at every order',
    build: (t, values) => loadedDice(t, { values, lambda: 1 }),
  },
  {
    name: 'loaded-dice-0.5',
    label: 'Loaded DiCE λ = 0.5',
    kind: 'trajectory',
    unbiased: yes(true, false),
    note: 'λ < 1 damps cross-time terms: biased Hessian, lower variance',
    build: (t, values) => loadedDice(t, { values, lambda: 0.5 }),
  },
  {
    name: 'tmaml',
    label: 'TMAML (c_t = −γ^t V)',
    kind: 'trajectory',
    unbiased: yes(true, true),
    note: 'cross-time coefficient G_t − γ^t V(s_t): unbiased; lower Hessian variance on the study MDP, not on every MDP',
    build: (t, values) => tmaml(t, { values }),
  },
  {
    name: 'tmaml-poster',
    label: 'TMAML, poster sign (c_t = +V)',
    kind: 'trajectory',
    unbiased: yes(true, true),
    note: 'literal poster form: still unbiased, coefficient G_t + V(s_t) adds variance',
    build: (t, values) => tmaml(t, { values, posterSign: true }),
  },
  {
    name: 'lvc',
    label: 'LVC (ProMP)',
    kind: 'trajectory',
    unbiased: yes(true, false),
    note: 'Σ □(lp_t) Â_t: per-step terms only, cross-time terms dropped',
    build: (t, values) => lvc(t, { values }),
  },
  {
    name: 'n-sample-sf',
    label: 'N-sample score function',
    kind: 'nSample',
    unbiased: { gradient: true, hessian: null, metaGradient: null },
    note: 'f(X̄)·Σ ∇log p(X_i): unbiased for ∇E[f(X̄_N)], variance O(N)',
  },
  {
    name: 'lsf',
    label: 'linearised score function',
    kind: 'nSample',
    unbiased: { gradient: false, hessian: null, metaGradient: null },
    note: '∇f(X̄)ᵀ(1/N)Σ X_i ∇log p(X_i): bias and variance O(1/N)',
  },
  {
    name: 'sf-meta',
    label: 'SF meta-gradient',
    kind: 'meta',
    unbiased: { gradient: null, hessian: null, metaGradient: true },
    note: '(I + αĤ)∇̂J(θ′) + Ĵ(θ′)Σ ∇log p(τ_i): unbiased for ∇V_N',
  },
  {
    name: 'lsf-meta',
    label: 'LSF meta-gradient',
    kind: 'meta',
    unbiased: { gradient: null, hessian: null, metaGradient: false },
    note: '(I + αĤ)∇̂J(θ′): drops the O(N)-variance score term',
  },
  {
    name: 'es',
    label: 'ES (antithetic Gaussian smoothing)',
    kind: 'zeroOrder',
    unbiased: { gradient: false, hessian: null, metaGradient: false },
    note: 'unbiased for the gradient of the σ-smoothed objective only; no second derivatives',
  },
];

export function trajectoryEstimators(): TrajectoryEntry[] {
  return ESTIMATORS.filter((e): e is TrajectoryEntry => e.kind === 'trajectory');
}

/** Look up an entry by name; the error lists the valid names. */
export function estimatorByName(name: string): EstimatorEntry {
  const e = ESTIMATORS.find((x) => x.name === name);
  if (!e)
    throw new RangeError(
      `estimator: expected one of ${ESTIMATORS.map((x) => x.name).join(', ')}, got ${JSON.stringify(name)}`,
    );
  return e;
}
