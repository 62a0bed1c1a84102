import { flattenTree, grad, mapTree, type PyTree, Rng, randomNormal, type Tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';

/** All numeric arrays of two batches are bit-identical. */
export function expectSameBatch(a: Batch, b: Batch): void {
  expect([a.size, a.horizon, a.obsDim, a.actDim]).toEqual([b.size, b.horizon, b.obsDim, b.actDim]);
  for (const key of [
    'observations',
    'actions',
    'rewards',
    'mask',
    'dones',
    'lengths',
    'taskIndex',
    'episodeIndex',
  ] as const) {
    const x = a[key];
    const y = b[key];
    expect(x.length).toBe(y.length);
    let same = true;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) same = false;
    expect({ key, same }).toEqual({ key, same: true });
  }
}

/** Largest |entry| over every leaf of a pytree. */
export function maxAbsLeaf(tree: unknown): number {
  let m = 0;
  for (const l of flattenTree(tree).leaves)
    for (let i = 0; i < l.size; i++) m = Math.max(m, Math.abs(l.data[i]));
  return m;
}

/** max |∇_p KL(old ‖ p)| at p = old. */
export function klGradAtOld<P extends PyTree>(kl: (old: P, p: P) => Tensor, old: P): number {
  return maxAbsLeaf(grad((p: P) => kl(old, p))(old));
}

/** A batch with padded steps carrying nonsense observations, to prove they are masked out. */
export function withGarbagePadding(batch: Batch, value: number): Batch {
  const observations = Float64Array.from(batch.observations);
  for (let i = 0; i < batch.mask.length; i++)
    if (batch.mask[i] === 0) observations.fill(value, i * batch.obsDim, (i + 1) * batch.obsDim);
  return { ...batch, observations };
}

/** Perturb every leaf, so the point is not a symmetric initialisation (zero biases etc.). */
export function shifted<P extends PyTree>(p: P, seed: number, scale: number): P {
  let k = 0;
  return mapTree(p, (x: Tensor) =>
    x.add(randomNormal(new Rng(seed).derive(k++), x.shape.slice(), 0, scale)),
  ) as P;
}

/** Episodes cut to different lengths (lane b keeps lengths[b % lengths.length] steps), padding garbage. */
export function cut(batch: Batch, lengths: readonly number[]): Batch {
  const mask = Float64Array.from(batch.mask);
  for (let b = 0; b < batch.size; b++)
    mask.fill(0, b * batch.horizon + lengths[b % lengths.length], (b + 1) * batch.horizon);
  const out = withGarbagePadding({ ...batch, mask }, 7);
  expect(out.mask.some((m) => m === 0)).toBe(true);
  return out;
}
