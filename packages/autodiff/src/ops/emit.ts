import type { FloatArray } from '../dtype';
import { NonFiniteError } from '../errors';
import type { Shape } from '../shape';
import { engineState } from '../state';
import { Tensor } from '../tensor';
import type { OpAttrs, OpName } from './rules';

function firstNonFinite(data: FloatArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function checkFinite(op: string, out: Tensor, inputs: readonly Tensor[]): void {
  const bad = firstNonFinite(out.data);
  if (bad < 0) return;
  const badInput = inputs.findIndex((x) => firstNonFinite(x.data) >= 0);
  if (badInput >= 0) return; // not the first op: the NaN/Inf came in through an input
  const where = inputs.map((x) => `[${x.shape.join(', ')}]`).join(', ');
  throw new NonFiniteError(
    `finite check: op '${op}' produced ${out.data[bad]} at flat index ${bad} of its output [${out.shape.join(', ')}] from finite inputs of shapes ${where}`,
  );
}

/**
 * Every primitive creates its output here: wrap the storage, link the op, its inputs and its
 * attrs (typed per op) into the graph when an input is tracked (and recording is on), and run
 * the opt-in finite check.
 */
export function emit<N extends OpName>(
  op: N,
  data: FloatArray,
  shape: Shape,
  inputs: readonly Tensor[],
  attrs: OpAttrs[N],
): Tensor {
  let tracked = false;
  if (engineState.recording) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].tracked) {
        tracked = true;
        break;
      }
    }
  }
  const out = tracked
    ? new Tensor(data, shape, data.length, true, op, inputs, attrs)
    : new Tensor(data, shape, data.length);
  if (engineState.finiteCheck) checkFinite(op, out, inputs);
  return out;
}
