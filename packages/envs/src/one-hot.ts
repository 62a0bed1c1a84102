import { EnvConfigError } from './errors';

/**
 * The state s of a one-hot observation: the index of the first 1 in row `row` of `values`, read
 * as rows of `size` numbers (the tabular MDP's observation layout). `label` names the row in the
 * error; it is called only when the row holds no 1.
 */
export function oneHotIndex(
  values: ArrayLike<number>,
  row: number,
  size: number,
  label: () => string,
): number {
  const start = row * size;
  for (let s = 0; s < size; s++) if (values[start + s] === 1) return s;
  throw new EnvConfigError(`${label()}: expected a one-hot state vector`);
}
