import { fromData, zerosLike } from '../creation';
import { ArgumentError, fmtShape, ShapeError } from '../errors';
import { add, mul } from '../ops/elementwise/spec';
import { reshape, stack } from '../ops/movement';
import { sum } from '../ops/reduction';
import { engineState } from '../state';
import { Tensor } from '../tensor';
import { backward } from './backward';
import { flattenTree, mapTree, unflattenSingle } from './pytree';

export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). An array gives a tuple of results. */
  argnums?: number | readonly number[];
  /** f returns [output, aux]; aux is passed through undifferentiated. */
  hasAux?: boolean;
}

/** Identity forward, zero derivative at every order, inside nested transforms too. */
export function stopGradient(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`stopGradient: expected a Tensor, got ${typeof x}`);
  return new Tensor(x.data, x.shape, x.size);
}

/** A fresh differentiation variable of this transform, linked to `x` so outer transforms see through it. */
function variable(x: Tensor): Tensor {
  return x.tracked && engineState.recording
    ? new Tensor(x.data, x.shape, x.size, true, 'identity', [x], null)
    : new Tensor(x.data, x.shape, x.size, true);
}

/** Results handed back outside every transform carry no graph (so memory is freed). */
function detach<T>(tree: T): T {
  return engineState.depth === 0 ? mapTree(tree, (t) => (t.tracked ? stopGradient(t) : t)) : tree;
}

/**
 * Aux data is passed through as it is (numbers, strings, any object): only tensors in nested
 * arrays and plain objects lose their graph outside every transform.
 */
function detachAux(aux: unknown): unknown {
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

const FIRST_ARG: readonly number[] = [0];

function argList(
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

interface Traced {
  out: unknown;
  aux: unknown;
  /** per differentiated argument: its variables and how to rebuild its structure */
  args: { vars: Tensor[]; unflatten: (ls: readonly Tensor[]) => unknown }[];
  targets: Tensor[];
}

/** Run f on fresh variables for the chosen arguments. Callers hold one transform level. */
function trace(
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
function regroup(tr: Traced, flat: readonly (Tensor | null)[], single: boolean): unknown {
  let k = 0;
  const per = tr.args.map((a) => a.unflatten(a.vars.map((v) => flat[k++] ?? zerosLike(v))));
  return single ? per[0] : per;
}

function scalarOutput(out: unknown, where: string): Tensor {
  if (!(out instanceof Tensor))
    throw new ArgumentError(`${where}: f must return a Tensor, got ${out === null ? 'null' : typeof out}`);
  if (out.size !== 1)
    throw new ShapeError(
      `${where}: f must return a scalar (one element), got shape ${fmtShape(out.shape)}; use vjp or jacobian for non-scalar outputs`,
    );
  return out;
}

/** Enter one transform level around `body`. */
function level<T>(body: () => T): T {
  engineState.depth++;
  try {
    return body();
  } finally {
    engineState.depth--;
  }
}

/** [value, gradient] of a scalar function; with hasAux, [[value, aux], gradient] (JAX's layout). */
export function valueAndGrad<F extends (...args: never[]) => unknown>(f: F, opts: GradOptions = {}) {
  return (...args: Parameters<F>): [any, any] => {
    const argnums = argList(opts.argnums, args.length, 'valueAndGrad');
    const single = typeof opts.argnums !== 'object';
    const [value, aux, g] = level(() => {
      const tr = trace(f, args, argnums, !!opts.hasAux, 'grad');
      const out = scalarOutput(tr.out, 'grad');
      const flat = backward([out], [null], tr.targets, engineState.depth > 1);
      return [out, tr.aux, regroup(tr, flat, single)] as const;
    });
    return opts.hasAux ? [[detach(value), detachAux(aux)], g] : [detach(value), g];
  };
}

/** Gradient of a scalar function with respect to argument(s) `argnums`; differentiable again. */
export function grad<F extends (...args: never[]) => unknown>(f: F, opts: GradOptions = {}) {
  const vg = valueAndGrad(f, opts);
  return (...args: Parameters<F>): any => {
    const [v, g] = vg(...args);
    return opts.hasAux ? [g, (v as unknown[])[1]] : g;
  };
}

/**
 * [output, pullback] (plus aux with hasAux): pullback(cotangent shaped like the output) gives
 * the cotangents of the primals, as a tuple in argument order.
 */
export function vjp(f: (...args: any[]) => unknown, ...primals: unknown[]): [any, (ct: unknown) => any[]] {
  return vjpImpl(f, primals, false) as [any, (ct: unknown) => any[]];
}

export function vjpWithAux(
  f: (...args: any[]) => unknown,
  ...primals: unknown[]
): [any, (ct: unknown) => any[], any] {
  return vjpImpl(f, primals, true) as [any, (ct: unknown) => any[], any];
}

function vjpImpl(f: (...args: any[]) => unknown, primals: unknown[], hasAux: boolean): unknown[] {
  const argnums = primals.map((_, i) => i);
  const tr = level(() => trace(f, primals, argnums, hasAux, 'vjp'));
  const outFlat = flattenTree(tr.out, 'vjp: output');
  const pullback = (ct: unknown): unknown[] => {
    const ctFlat = flattenTree(ct, 'vjp: cotangent');
    if (ctFlat.leaves.length !== outFlat.leaves.length) {
      throw new ArgumentError(
        `vjp: cotangent has ${ctFlat.leaves.length} leaves, the output has ${outFlat.leaves.length}`,
      );
    }
    ctFlat.leaves.forEach((c, i) => {
      const o = outFlat.leaves[i];
      if (c.size !== o.size)
        throw new ShapeError(
          `vjp: cotangent ${fmtShape(c.shape)} does not match output ${fmtShape(o.shape)} (leaf ${i})`,
        );
    });
    const seeds = ctFlat.leaves.map((c, i) => reshape(c, outFlat.leaves[i].shape));
    const flat = backward(outFlat.leaves, seeds, tr.targets, engineState.depth > 0);
    return regroup(tr, flat, false) as unknown[];
  };
  const out = detach(tr.out);
  return hasAux ? [out, pullback, detachAux(tr.aux)] : [out, pullback];
}

function vdot(a: readonly (Tensor | null)[], b: readonly Tensor[]): Tensor | null {
  let acc: Tensor | null = null;
  a.forEach((x, i) => {
    if (x === null) return;
    const term = sum(mul(x, b[i]));
    acc = acc === null ? term : add(acc, term);
  });
  return acc;
}

/**
 * Forward-mode product: [f(primals), J·tangents]. Computed as the transpose of the (linear)
 * VJP, so it reuses the reverse rules and stays differentiable.
 */
export function jvp(
  f: (...args: any[]) => unknown,
  primals: readonly unknown[],
  tangents: readonly unknown[],
): [any, any] {
  if (primals.length !== tangents.length)
    throw new ArgumentError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  const tanLeaves = tangents.flatMap((t, i) => flattenTree(t, `jvp: tangent ${i}`).leaves);
  const [out, tout] = level(() => {
    const tr = trace(
      f,
      primals.slice(),
      primals.map((_, i) => i),
      false,
      'jvp',
    );
    if (tanLeaves.length !== tr.targets.length)
      throw new ArgumentError(`jvp: tangents have ${tanLeaves.length} leaves, primals ${tr.targets.length}`);
    tr.targets.forEach((v, i) => {
      if (v.size !== tanLeaves[i].size)
        throw new ShapeError(
          `jvp: tangent ${fmtShape(tanLeaves[i].shape)} does not match primal ${fmtShape(v.shape)}`,
        );
    });
    const outFlat = flattenTree(tr.out, 'jvp: output');
    const us = outFlat.leaves.map((o) => variable(zerosLike(o)));
    const g = backward(outFlat.leaves, us, tr.targets, true);
    const root = vdot(
      g,
      tanLeaves.map((t, i) => reshape(t, tr.targets[i].shape)),
    );
    const flat = root === null ? us.map(() => null) : backward([root], [null], us, engineState.depth > 1);
    return [tr.out, outFlat.unflatten(flat.map((t, i) => t ?? zerosLike(outFlat.leaves[i])))];
  });
  return [detach(out), tout];
}

/** Hessian-vector product ∇²f(x)·v of a scalar f, by reverse-over-reverse in one level. */
export function hvp(f: (x: any) => unknown, x: unknown, v: unknown): any {
  const vLeaves = flattenTree(v, 'hvp: v').leaves;
  return level(() => {
    const tr = trace(f, [x], [0], false, 'hvp');
    if (vLeaves.length !== tr.targets.length)
      throw new ArgumentError(`hvp: v has ${vLeaves.length} leaves, x has ${tr.targets.length}`);
    // v is contracted with the gradient elementwise: a leaf that merely broadcasts against x
    // (e.g. [n, 1] for [n]) would silently give a wrong product, so sizes must match exactly
    tr.targets.forEach((t, i) => {
      if (vLeaves[i].size !== t.size)
        throw new ShapeError(
          `hvp: v ${fmtShape(vLeaves[i].shape)} does not match x ${fmtShape(t.shape)} (leaf ${i})`,
        );
    });
    const out = scalarOutput(tr.out, 'hvp');
    const g = backward([out], [null], tr.targets, true);
    const root = vdot(
      g,
      vLeaves.map((v, i) => reshape(v, tr.targets[i].shape)),
    );
    const flat =
      root === null ? g.map(() => null) : backward([root], [null], tr.targets, engineState.depth > 1);
    return regroup(tr, flat, true);
  });
}

/**
 * Jacobian of f (pytree in, pytree out) by one reverse pass per output element. For a tensor
 * output of shape O and a tensor argument of shape I the result has shape [...O, ...I]; for
 * pytrees it is the output's structure with the argument's structure at each leaf.
 */
export function jacobian<F extends (...args: never[]) => unknown>(
  f: F,
  opts: Omit<GradOptions, 'hasAux'> = {},
) {
  return (...args: Parameters<F>): any => {
    const argnums = argList(opts.argnums, args.length, 'jacobian');
    const single = typeof opts.argnums !== 'object';
    return level(() => {
      const tr = trace(f, args, argnums, false, 'jacobian');
      const outFlat = flattenTree(tr.out, 'jacobian: output');
      const createGraph = engineState.depth > 1;
      const blocks = outFlat.leaves.map((o) => {
        const rows: (Tensor | null)[][] = [];
        for (let e = 0; e < o.size; e++) {
          const seed = zerosLike(o);
          seed.data[e] = 1;
          rows.push(backward([o], [seed], tr.targets, createGraph));
        }
        const perTarget = tr.targets.map((v, j) => {
          const parts = rows.map((r) => r[j] ?? zerosLike(v));
          const stacked = parts.length > 0 ? stack(parts, 0) : fromData(new Float64Array(0), [0, ...v.shape]);
          return reshape(stacked, [...o.shape, ...v.shape]);
        });
        return regroup(tr, perTarget, single);
      });
      return outFlat.unflatten(blocks as Tensor[]);
    });
  };
}

/** Hessian of a scalar function: the Jacobian of its gradient. */
export function hessian<F extends (...args: never[]) => unknown>(
  f: F,
  opts: Omit<GradOptions, 'hasAux'> = {},
) {
  return jacobian(grad(f, opts) as unknown as F, opts);
}
