import type { FloatArray } from '../dtype';
import { fmtShape, NonFiniteError } from '../errors';
import type { Shape } from '../shape';
import { engineState } from '../state';
import { Tensor } from '../tensor';
import type { OpAttrs, OpName } from './rules';

function firstNonFinite(data: FloatArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/**
 * Inputs first: a NaN/Inf made by an earlier op was already caught at that op's output, so one
 * found here came from outside the checked ops (an argument, tensor(), a constant) and this is
 * the first op to see it.
 */
export function checkFinite(op: string, out: Tensor | null, inputs: readonly Tensor[]): void {
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k];
    const bad = firstNonFinite(x.data);
    if (bad >= 0)
      throw new NonFiniteError(
        `finite check: op '${op}' got ${x.data[bad]} at flat index ${bad} of input ${k} ${fmtShape(x.shape)} (it entered from outside the checked ops: an argument, a tensor() or a constant)`,
      );
  }
  if (out === null) return;
  const bad = firstNonFinite(out.data);
  if (bad < 0) return;
  const where = inputs.map((x) => fmtShape(x.shape)).join(', ');
  throw new NonFiniteError(
    `finite check: op '${op}' produced ${out.data[bad]} at flat index ${bad} of its output ${fmtShape(out.shape)} from finite inputs of shapes ${where}`,
  );
}

/**
 * Every primitive creates its output here: wrap the storage, link the op, its inputs and its
 * attrs (typed per op) into the graph when an input is tracked (and recording is on), and run
 * the opt-in finite check (of inputs and output; one flag test when off).
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
