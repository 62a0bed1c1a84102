import { full, mapTree, type PyTree, Rng } from '@metagrad/autodiff';
import type { MetaParams } from './adaptation';
import type { Problem } from './problem';

/** Stream of the policy initialisation (the other streams are keyed by task and episode). */
const INIT_STREAM = 0;

/** Initial meta-parameters for a seed: the policy's init, plus α per parameter for Meta-SGD. */
export function initMetaParams<P extends PyTree>(
  problem: Problem<P>,
  seed = problem.cfg.seed,
): MetaParams<P> {
  const policy = problem.model.init(new Rng(seed).derive(INIT_STREAM));
  if (!problem.cfg.learnAlpha) return { policy };
  return { policy, alpha: mapTree(policy, (t) => full(t.shape, problem.cfg.alpha)) };
}
