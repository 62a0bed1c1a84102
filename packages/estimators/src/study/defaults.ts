/**
 * The study's defaults, in one table that the library (`study`) and the `metagrad study` CLI both
 * read, so the two cannot drift apart.
 */
export const STUDY_DEFAULTS = {
  /** Seed of every random stream. */
  seed: 0,
  /** Level of the Bonferroni-corrected z-test. */
  level: 0.01,
  /** Tabular MDP problems (gradient/Hessian and meta-gradient modes). */
  mdp: {
    /** Trajectories per estimate. */
    samples: 20,
    /** Independent estimates R. */
    repeats: 400,
    /** Estimates per vectorised engine call (speed only, never the numbers). */
    batchSize: 50,
    /** The ⊥ state values the estimators get. */
    baseline: 'exact',
  },
  /** Meta-gradient mode. */
  meta: {
    /** Inner step size α of V(θ) = J(θ + α∇J(θ)) (a CLI default: the library asks for it). */
    stepSize: 0.1,
    /** Also the composed estimator with the estimated inner step. */
    composed: true,
  },
  /** Tang et al.'s Gaussian N-sample toy. */
  toy: {
    /** θ and σ of X ∼ N(θ, σ²) (CLI defaults: the library's problem names them). */
    theta: 2,
    sigma: 1,
    /** The N values swept. */
    n: [1, 2, 5, 10, 100, 1000] as readonly number[],
    repeats: 1000,
    batchSize: 250,
  },
} as const;
