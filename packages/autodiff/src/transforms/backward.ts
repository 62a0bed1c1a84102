import { allocate } from '../dtype';
import { UnsupportedDerivativeError } from '../errors';
import { add } from '../ops/elementwise/spec';
import type { VjpRule } from '../ops/rule';
import { rules } from '../ops/rules';
import { engineState } from '../state';
import { Tensor } from '../tensor';

/**
 * Reverse pass from `roots` with cotangents `seeds` (null = ones), returning the cotangent of each target
 * (null when the root does not depend on it). Walks graph edges (not a tape), never past a
 * target, and only through tensors that depend on a target. `createGraph` records the pass
 * itself so its results can be differentiated again; without it no graph is built at all.
 */
export function backward(
  roots: readonly Tensor[],
  seeds: readonly (Tensor | null)[],
  targets: readonly Tensor[],
  createGraph: boolean,
): (Tensor | null)[] {
  const pass = ++engineState.pass;
  for (const t of targets) t._target = pass;
  // iterative post-order DFS: a tensor enters `order` only after all of its inputs. A tensor is
  // marked when it is expanded (not when pushed), so one reached along two paths is expanded
  // once, and its later stack entries are skipped.
  const order: Tensor[] = [];
  const stack: Tensor[] = [];
  const expanded: boolean[] = [];
  for (const r of roots) {
    if (!r.tracked || r._visit === pass) continue;
    stack.push(r);
    expanded.push(false);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const t = stack[top];
      if (expanded[top]) {
        stack.pop();
        expanded.pop();
        order.push(t);
        continue;
      }
      if (t._visit === pass) {
        stack.pop();
        expanded.pop();
        continue;
      }
      t._visit = pass;
      if (t._target === pass || t.inputs === null) {
        stack.pop();
        expanded.pop();
        order.push(t);
        continue;
      }
      expanded[top] = true;
      for (const x of t.inputs) {
        if (x.tracked && x._visit !== pass) {
          stack.push(x);
          expanded.push(false);
        }
      }
    }
  }
  for (const t of order) {
    let rel = t._target === pass;
    if (!rel && t.inputs !== null)
      for (const x of t.inputs) if (x._relevant === pass && x._visit === pass) rel = true;
    t._relevant = rel ? pass : 0;
    t._ct = null;
  }
  for (const t of targets) t._ct = null;
  const results: (Tensor | null)[] = targets.map(() => null);
  let reached = false;
  for (const r of roots) if (r._relevant === pass) reached = true;
  if (!reached) return results;

  const saved = engineState.recording;
  engineState.recording = createGraph;
  try {
    for (let i = 0; i < roots.length; i++) {
      const r = roots[i];
      if (r._relevant !== pass) continue;
      const s = seeds[i] ?? new Tensor(allocate(r.dtype, r.size).fill(1), r.shape, r.size);
      r._ct = r._ct === null ? s : add(r._ct, s);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = t._ct;
      if (g === null || t._relevant !== pass || t._target === pass) continue;
      t._ct = null; // free it: nothing downstream needs it any more
      const inputs = t.inputs;
      const rule = t.op === null ? undefined : (rules[t.op] as VjpRule<unknown>);
      if (rule === undefined || inputs === null)
        throw new UnsupportedDerivativeError(`no derivative rule for op '${t.op}'`);
      // emit stored the attrs typed for this op (see OpAttrs)
      const grads = rule(g, t, inputs, t.attrs);
      for (let j = 0; j < inputs.length; j++) {
        const x = inputs[j];
        const gx = grads[j];
        if (gx === null || gx === undefined || x._relevant !== pass || x._visit !== pass) continue;
        x._ct = x._ct === null ? gx : add(x._ct, gx);
      }
    }
    for (let j = 0; j < targets.length; j++) {
      results[j] = targets[j]._ct;
      targets[j]._ct = null;
    }
  } finally {
    engineState.recording = saved;
  }
  return results;
}
