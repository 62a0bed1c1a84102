import { Tensor } from '../../tensor';
import { wants } from '../rule';
import { binary, constantKernel } from './define';
import { mul } from './spec';

/*
 * Elementwise ops the engine's own rules use; not exported from the package. Their names are
 * part of the op-name type (derived here as in spec.ts).
 */

/** g · (1 − y²) in one pass: the derivative of tanh given its output y. */
export const tanhBackward = binary('tanhBackward', 'x * (1 - y * y)', (gg, _o, [g, y]) => [
  wants(g) ? tanhBackward(gg, y) : null,
  wants(y) ? mul(gg, mul(g, mul(y, -2))) : null,
]);

/** 1 where x > y, ½ at ties, else 0: how max and min share the derivative. */
export const tieShare = constantKernel('tieShare', 2, '(x > y ? 1 : (x === y ? 0.5 : 0))');
/** 1 where lo ≤ x ≤ hi, else 0 (clip's derivative). */
export const inRange = constantKernel('inRange', 1, '(x >= p0 && x <= p1 ? 1 : 0)');

/** where's condition as a 0/1 tensor: a tensor as it is, booleans or numbers as 0/1. */
export function toCondition(cond: Tensor | readonly (boolean | number)[] | boolean | number): Tensor {
  if (cond instanceof Tensor) return cond;
  if (typeof cond === 'boolean' || typeof cond === 'number')
    return new Tensor(Float64Array.of(cond ? 1 : 0), [], 1);
  const d = new Float64Array(cond.length);
  for (let i = 0; i < cond.length; i++) d[i] = cond[i] ? 1 : 0;
  return new Tensor(d, [cond.length], cond.length);
}
