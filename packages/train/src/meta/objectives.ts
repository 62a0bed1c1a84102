import { div, exp, mul, neg, reshape, sub, sum, type Tensor, tensor, zeros } from '@metagrad/autodiff';
import { type Batch, exactReturn, type TabularMdp } from '@metagrad/envs';
import {
  estimatorByName,
  gae,
  LinearBaseline,
  mamlBiased,
  prepare,
  type TrajectoryEntry,
} from '@metagrad/estimators';
import { ppoClipLoss } from '../outer/ppo';
import type { InnerEstimator, TrainConfig } from './config';

/** What the objectives need from a run's configuration. */
export type ObjectiveConfig = Pick<
  TrainConfig,
  'estimator' | 'gaeLambda' | 'normalizeAdvantages' | 'baseline'
>;

/** ⊥ state values V(s_t) [B, T] for a batch: the linear feature baseline fitted on it, or none. */
export function baselineValues(
  batch: Batch,
  discount: number,
  kind: ObjectiveConfig['baseline'],
): Float64Array | undefined {
  return kind === 'linear' ? LinearBaseline.fit(batch, { discount }).predict(batch) : undefined;
}

/**
 * The inner objective whose gradient step adapts the policy: the chosen estimator's surrogate of
 * the expected return J, divided by the horizon H. Every public MAML-RL code adapts on the
 * per-step mean of its loss, so α here means what their α means (pytorch-maml-rl's 0.1 on 2D
 * navigation is 0.1 here). `maml` with `normalizeAdvantages` z-normalises its advantages, as
 * they do; the other estimators see raw rewards (normalisation would change what they estimate).
 */
export function innerObjective(
  cfg: ObjectiveConfig,
  logProbs: Tensor,
  batch: Batch,
  discount: number,
  values: Float64Array | undefined,
): Tensor {
  const traj = { logProbs, rewards: batch.rewards, mask: batch.mask, discount };
  let surrogate: Tensor;
  if (cfg.estimator === 'maml' || cfg.estimator === 'maml-reference') {
    surrogate = mamlBiased(traj, {
      values,
      gaeTau: cfg.gaeLambda,
      normalize: cfg.normalizeAdvantages,
      discounted: cfg.estimator === 'maml',
    });
  } else {
    // tmaml-meta is TMAML's surrogate; only where its values come from differs (sampleTasks)
    surrogate = trajectoryEntry(cfg.estimator === 'tmaml-meta' ? 'tmaml' : cfg.estimator).build(
      traj,
      values ?? new Float64Array(batch.size * batch.horizon),
    );
  }
  return div(surrogate, batch.horizon);
}

/** The exact inner objective on a tabular MDP: J(θ)/H by the oracle, no sampling. */
export function exactInnerObjective(mdp: TabularMdp, logits: Tensor): Tensor {
  return div(exactReturn(mdp, reshape(logits, [mdp.states, mdp.actions])), mdp.horizon);
}

function trajectoryEntry(name: InnerEstimator): TrajectoryEntry {
  const e = estimatorByName(name);
  if (e.kind !== 'trajectory')
    throw new RangeError(
      `estimator: expected a trajectory estimator, got ${JSON.stringify(name)} (${e.kind})`,
    );
  return e;
}

/**
 * GAE(γ, λ) advantages of a batch with ⊥ values (0 on padding), z-normalised over the real steps
 * when asked: the weights of the outer policy-gradient surrogate.
 */
export function advantages(
  batch: Batch,
  discount: number,
  values: Float64Array | undefined,
  lambda: number,
  normalize: boolean,
): Float64Array {
  const p = prepare({
    logProbs: zeros([batch.size, batch.horizon]),
    rewards: batch.rewards,
    mask: batch.mask,
    discount,
  });
  return gae(p, { values, gaeTau: lambda, normalize });
}

/**
 * The outer policy-gradient surrogate to minimise, −(1/(B·H)) Σ ρ_t Â_t over real steps, with the
 * likelihood ratio ρ_t = π_new/π_old (1 in value at the sampling policy, so its gradient there is
 * the policy gradient with advantages Â; TRPO evaluates it away from there). With `clipRange` ε
 * it is PPO's clipped objective (`ppoClipLoss`, a mean over real steps).
 */
export function policyGradientLoss(
  logProbs: Tensor,
  oldLogProbs: Float64Array,
  adv: Float64Array,
  batch: Batch,
  clipRange: number | null = null,
): Tensor {
  if (clipRange !== null) return ppoClipLoss(logProbs, oldLogProbs, adv, batch.mask, clipRange);
  const shape = [batch.size, batch.horizon];
  const ratio = exp(sub(logProbs, tensor(oldLogProbs, { shape })));
  const gain = mul(mul(ratio, tensor(adv, { shape })), tensor(batch.mask, { shape }));
  return neg(div(sum(gain), batch.size * batch.horizon));
}
