import { ES_META_GRADIENTS, type EsMetaGradient } from '@metagrad/estimators';
import type { TrainConfig } from '../meta/config';

export { ES_META_GRADIENTS, type EsMetaGradient };

/**
 * The options of `--algo es-maml` and how they combine with the rest of a run's config. Field
 * checks (ranges) are in the config schema; this file holds what depends on the algorithm.
 */

/** Adaptation operators U_T(θ): hill climbing (accept a perturbation only if it improves), one MC-ES gradient step. */
export const ES_ADAPTS = ['hill-climb', 'es-step'] as const;
export type EsAdapt = (typeof ES_ADAPTS)[number];

/** Deterministic policies of es-maml. */
export const ES_POLICIES = ['linear', 'mlp'] as const;

/** Defaults of the es-maml fields (hill climbing with K = 5 rollouts, σ = 0.1 as the poster's runs). */
export const ES_DEFAULTS = {
  adapt: 'hill-climb' as EsAdapt,
  k: 5,
  sigma: 0.1,
  adaptSigma: 0.1,
  metaGradient: 'zero-order' as EsMetaGradient,
};

const show = (v: unknown) => JSON.stringify(v);

/** The first inconsistency of an es-maml config (or of ES-only choices in another algorithm), or null. */
export function esConfigProblem(c: TrainConfig): string | null {
  const esPolicy = (ES_POLICIES as readonly string[]).includes(c.policy);
  if (c.algo !== 'es-maml') {
    if (c.metaGradient !== 'zero-order')
      return `metaGradient: ${show(c.metaGradient)} is an estimator of algo 'es-maml', got algo ${show(c.algo)}`;
    if (esPolicy)
      return `policy: ${show(c.policy)} is a deterministic policy for algo 'es-maml'; algo ${show(c.algo)} needs auto, gaussian-mlp, categorical-mlp or tabular`;
    return null;
  }
  if (!esPolicy)
    return `policy: es-maml uses a deterministic policy: expected one of ${ES_POLICIES.join(', ')}, got ${show(c.policy)}`;
  if (c.policy === 'mlp' && c.hidden.length === 0)
    return "hidden: policy 'mlp' needs at least one hidden layer (use --policy linear for none), got []";
  if (c.adapt === 'es-step' && c.k < 2)
    return `k: es-step estimates a gradient from antithetic pairs: expected k >= 2, got ${c.k}`;
  if (c.metaGradient !== 'zero-order' && c.adapt !== 'es-step')
    return `metaGradient: ${show(c.metaGradient)} differentiates the ES gradient step U(θ) = θ + α∇f̃(θ): expected adapt 'es-step', got ${show(c.adapt)} (hill climbing has no Jacobian; use 'zero-order')`;
  if (c.learnAlpha)
    return 'learnAlpha: Meta-SGD learns the inner step of the gradient learners; es-maml has none to learn (got true)';
  if (c.estimator === 'exact')
    return "estimator: 'exact' is for maml and fomaml; es-maml is zero-order and has no inner estimator";
  return null;
}
