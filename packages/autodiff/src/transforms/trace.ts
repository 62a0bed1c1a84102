import { zerosLike } from '../creation';
import { describe } from '../describe';
import { ArgumentError, fmtShape, ShapeError } from '../errors';
import { add, mul } from '../ops/elementwise/spec';
import { sum } from '../ops/reduction';
import { engineState } from '../state';
import { Tensor } from '../tensor';
import { flattenTree, mapTree, unflattenSingle } from './pytree';

/*
 * What every transform shares: fresh variables for the differentiated arguments, one transform
 * level on the engine's stack, results regrouped into the arguments' structures, and results
 * detached from the graph once outside every transform.
 */

/** Identity forward, zero derivative at every order, inside nested transforms too. */
export function stopGradient(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`stopGradient: expected a Tensor, got ${typeof x}`);
  return new Tensor(x.data, x.shape, x.size);
}

/** A fresh differentiation variable of this transform, linked to `x` so outer transforms see through it. */
export function variable(x: Tensor): Tensor {
  return x.tracked && engineState.recording
    ? new Tensor(x.data, x.shape, x.size, true, 'identity', [x], null)
    : new Tensor(x.data, x.shape, x.size, true);
}

/** Results handed back outside every transform carry no graph (so memory is freed). */
export function detach<T>(tree: T): T {
  return engineState.depth === 0 ? mapTree(tree, (t) => (t.tracked ? stopGradient(t) : t)) : tree;
}

/**
 * Aux data is passed through as it is (numbers, strings, any object): only tensors in nested
 * arrays and plain objects lose their graph outside every transform.
 */
export function detachAux(aux: unknown): unknown {
  if (engineState.depth !== 0) return aux;
  const walk = (node: unknown): unknown => {
    if (node instanceof Tensor) return node.tracked ? stopGradient(node) : node;
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const proto = Object.getPrototypeOf(node);
      if (proto !== Object.prototype && proto !== null) return node;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v);
      return out;
    }
    return node;
  };
  return walk(aux);
}

/** Transforms take f first: a non-function would otherwise fail later as "f is not a function". */
export function checkFn(f: unknown, where: string): void {
  if (typeof f !== 'function') throw new TypeError(`${where}: f must be a function, got ${describe(f)}`);
}

const FIRST_ARG: readonly number[] = [0];

export function argList(
  argnums: number | readonly number[] | undefined,
  nargs: number,
  where: string,
): readonly number[] {
  const list = argnums === undefined ? FIRST_ARG : typeof argnums === 'number' ? [argnums] : argnums.slice();
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= nargs)
      throw new ArgumentError(`${where}: argnums ${a} out of range for ${nargs} argument(s)`);
  }
  return list;
}

export interface Traced {
  out: unknown;
  aux: unknown;
  /** per differentiated argument: its variables and how to rebuild its structure */
  args: { vars: Tensor[]; unflatten: (ls: readonly Tensor[]) => unknown }[];
  targets: Tensor[];
}

/** Run f on fresh variables for the chosen arguments. Callers hold one transform level. */
export function trace(
  f: (...args: never[]) => unknown,
  args: unknown[],
  argnums: readonly number[],
  hasAux: boolean,
  where: string,
): Traced {
  const call = args.slice();
  const diffArgs: Traced['args'] = [];
  const targets: Tensor[] = [];
  for (const i of argnums) {
    const arg = args[i];
    // a bare tensor (the common case) needs no pytree walk
    const flat = arg instanceof Tensor ? null : flattenTree(arg, `${where}: argument ${i}`);
    const vars = flat === null ? [variable(arg as Tensor)] : flat.leaves.map(variable);
    const unflatten = flat === null ? unflattenSingle : flat.unflatten;
    call[i] = unflatten(vars);
    diffArgs.push({ vars, unflatten });
    for (const v of vars) targets.push(v);
  }
  let out = (f as (...a: unknown[]) => unknown)(...call);
  let aux: unknown;
  if (hasAux) {
    if (!Array.isArray(out) || out.length !== 2)
      throw new ArgumentError(`${where}: with hasAux, f must return [output, aux]`);
    [out, aux] = out;
  }
  return { out, aux, args: diffArgs, targets };
}

/** Split a flat list of per-target results back into the arguments' structures. */
export function regroup(tr: Traced, flat: readonly (Tensor | null)[], single: boolean): unknown {
  let k = 0;
  const per = tr.args.map((a) => a.unflatten(a.vars.map((v) => flat[k++] ?? zerosLike(v))));
  return single ? per[0] : per;
}

export function scalarOutput(out: unknown, where: string): Tensor {
  if (!(out instanceof Tensor))
    throw new ArgumentError(`${where}: f must return a Tensor, got ${out === null ? 'null' : typeof out}`);
  if (out.size !== 1)
    throw new ShapeError(
      `${where}: f must return a scalar (one element), got shape ${fmtShape(out.shape)}; use vjp or jacobian for non-scalar outputs`,
    );
  return out;
}

/** Enter one transform level around `body`. */
export function level<T>(body: () => T): T {
  engineState.depth++;
  try {
    return body();
  } finally {
    engineState.depth--;
  }
}

export function vdot(a: readonly (Tensor | null)[], b: readonly Tensor[]): Tensor | null {
  let acc: Tensor | null = null;
  a.forEach((x, i) => {
    if (x === null) return;
    const term = sum(mul(x, b[i]));
    acc = acc === null ? term : add(acc, term);
  });
  return acc;
}

/**
 * Tangents, cotangents and directions pair with their primal leaf element by element, so each
 * leaf must have the primal's shape and dtype: an equal size alone would be read in the wrong
 * order ([3, 2] against [2, 3]) and a broadcastable shape would give a wrong product.
 */
export function matchLeaves(
  where: string,
  given: { leaves: readonly Tensor[]; paths: readonly string[] },
  name: string,
  primals: readonly Tensor[],
  primalName: string,
): void {
  if (given.leaves.length !== primals.length)
    throw new ArgumentError(
      `${where}: ${name} has ${given.leaves.length} leaves, ${primalName} has ${primals.length}`,
    );
  given.leaves.forEach((t, i) => {
    const p = primals[i];
    const at = given.paths[i];
    if (t.ndim !== p.ndim || t.shape.some((d, k) => d !== p.shape[k]))
      throw new ShapeError(
        `${where}: ${name}${at} has shape ${fmtShape(t.shape)}, expected ${fmtShape(p.shape)} (the shape of ${primalName}${at}, leaf ${i})`,
      );
    if (t.dtype !== p.dtype)
      throw new ArgumentError(
        `${where}: ${name}${at} has dtype ${t.dtype}, expected ${p.dtype} (the dtype of ${primalName}${at}, leaf ${i})`,
      );
  });
}
