import { type Batch, rollout, stateValues, TabularMdpEnv, tabularSoftmaxPolicy } from '@metagrad/envs';
import { stateActionIndices } from '../tabular-policy';
import type { RepeatData } from './batched-estimates';
import { STUDY_DEFAULTS } from './defaults';
import type { MdpProblem } from './types';

/**
 * The batches of estimates first … first + count − 1 (B trajectories each) from one random stream
 * (the rollout's task index), estimate r drawn with θ_r (row r of `thetas`, [count · S·A]), with
 * the exact ⊥ values V_t(s_t) under θ_r when the problem's baseline is 'exact' (else zeros).
 * Episode streams are keyed by episode index, so the chunking never changes the samples.
 */
export function sampleRepeats(
  p: MdpProblem,
  thetas: Float64Array,
  B: number,
  first: number,
  count: number,
  seed: number,
  stream: number,
): { data: RepeatData; batch: Batch } {
  const { mdp } = p;
  const { states: S, actions: A } = mdp;
  const P = S * A;
  const batch = rollout(
    TabularMdpEnv.forMdp(mdp),
    mdp,
    tabularSoftmaxPolicy(thetas, S, A, { lanesPerPolicy: B }),
    { episodes: count * B, episodeOffset: first * B, seed, taskIndices: [stream] },
  );
  const T = batch.horizon;
  const sa = stateActionIndices(batch.observations, batch.actions, batch.mask, S, A);
  const values = new Float64Array(sa.length);
  if ((p.baseline ?? STUDY_DEFAULTS.mdp.baseline) === 'exact') {
    let v: Float64Array | null = null;
    for (let r = 0; r < count; r++) {
      const theta = thetas.subarray(r * P, (r + 1) * P);
      // the gradient/Hessian study repeats one θ: solve for its values once
      if (v === null || !sameRow(thetas, r, P)) v = stateValues(mdp, theta, T);
      for (let i = r * B * T; i < (r + 1) * B * T; i++)
        values[i] = batch.mask[i] * v[(i % T) * S + Math.floor(sa[i] / A)];
    }
  }
  return { data: { repeats: count, sa, rewards: batch.rewards, mask: batch.mask, values }, batch };
}

/** Whether row r of a [R, P] array equals row r − 1. */
function sameRow(x: Float64Array, r: number, P: number): boolean {
  for (let j = 0; j < P; j++) if (x[r * P + j] !== x[(r - 1) * P + j]) return false;
  return true;
}
