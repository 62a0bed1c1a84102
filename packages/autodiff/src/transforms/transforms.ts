import { fromData, zerosLike } from '../creation';
import { ArgumentError } from '../errors';
import { reshape, stack } from '../ops/movement';
import { engineState } from '../state';
import type { Tensor } from '../tensor';
import { backward } from './backward';
import { checkTransformOptions } from './options';
import { flattenTree } from './pytree';
import {
  argList,
  checkFn,
  detach,
  detachAux,
  level,
  matchLeaves,
  regroup,
  scalarOutput,
  trace,
  variable,
  vdot,
} from './trace';
import type { ArgGrads, Argnums, Cotangent, LeavesTo } from './types';

export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). An array gives a tuple of results. */
  argnums?: Argnums;
  /** f returns [output, aux]; aux is passed through undifferentiated. */
  hasAux?: boolean;
}

/** Options of `jacobian` and `hessian`. */
export interface JacobianOptions {
  argnums?: Argnums;
  /**
   * Called after each row (one reverse pass per output element) with the rows done and the total,
   * so a long Jacobian or Hessian can show progress.
   */
  onProgress?: (done: number, total: number) => void;
}

type Scalar<A extends unknown[]> = (...args: A) => Tensor;
type WithAux<A extends unknown[], Aux> = (...args: A) => readonly [Tensor, Aux];
/** The untyped form (any f, any options) the typed overloads fall back to. */
type Loose = (...args: never[]) => unknown;

/** [value, gradient] of a scalar function; with hasAux, [[value, aux], gradient] (JAX's layout). */
export function valueAndGrad<A extends unknown[]>(f: Scalar<A>): (...args: A) => [Tensor, Cotangent<A[0]>];
export function valueAndGrad<A extends unknown[], const N extends Argnums = 0>(
  f: Scalar<A>,
  opts: { argnums?: N; hasAux?: false },
): (...args: A) => [Tensor, ArgGrads<A, N>];
export function valueAndGrad<A extends unknown[], Aux, const N extends Argnums = 0>(
  f: WithAux<A, Aux>,
  opts: { argnums?: N; hasAux: true },
): (...args: A) => [[Tensor, Aux], ArgGrads<A, N>];
export function valueAndGrad<F extends Loose>(
  f: F,
  opts?: GradOptions,
): (...args: Parameters<F>) => [unknown, unknown];
export function valueAndGrad(f: Loose, opts: GradOptions = {}): (...args: unknown[]) => [unknown, unknown] {
  checkFn(f, 'valueAndGrad');
  checkTransformOptions('valueAndGrad', opts, ['argnums', 'hasAux']);
  return (...args) => {
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
export function grad<A extends unknown[]>(f: Scalar<A>): (...args: A) => Cotangent<A[0]>;
export function grad<A extends unknown[], const N extends Argnums = 0>(
  f: Scalar<A>,
  opts: { argnums?: N; hasAux?: false },
): (...args: A) => ArgGrads<A, N>;
export function grad<A extends unknown[], Aux, const N extends Argnums = 0>(
  f: WithAux<A, Aux>,
  opts: { argnums?: N; hasAux: true },
): (...args: A) => [ArgGrads<A, N>, Aux];
export function grad<F extends Loose>(f: F, opts?: GradOptions): (...args: Parameters<F>) => unknown;
export function grad(f: Loose, opts: GradOptions = {}): (...args: unknown[]) => unknown {
  checkFn(f, 'grad');
  checkTransformOptions('grad', opts, ['argnums', 'hasAux']);
  const vg = valueAndGrad(f, opts);
  return (...args) => {
    const [v, g] = vg(...(args as never[]));
    return opts.hasAux ? [g, (v as unknown[])[1]] : g;
  };
}

/** The cotangents of every argument of `A`, as a tuple in argument order. */
export type ArgsCotangents<A extends readonly unknown[]> = { -readonly [K in keyof A]: Cotangent<A[K]> };

/**
 * [output, pullback] (plus aux with hasAux): pullback(cotangent shaped like the output) gives
 * the cotangents of the primals, as a tuple in argument order.
 */
export function vjp<A extends unknown[], O>(
  f: (...args: A) => O,
  ...primals: A
): [Cotangent<O>, (ct: Cotangent<O> | O) => ArgsCotangents<A>] {
  return vjpImpl(f as Loose, primals, false) as [Cotangent<O>, (ct: Cotangent<O> | O) => ArgsCotangents<A>];
}

export function vjpWithAux<A extends unknown[], O, Aux>(
  f: (...args: A) => readonly [O, Aux],
  ...primals: A
): [Cotangent<O>, (ct: Cotangent<O> | O) => ArgsCotangents<A>, Aux] {
  return vjpImpl(f as Loose, primals, true) as [
    Cotangent<O>,
    (ct: Cotangent<O> | O) => ArgsCotangents<A>,
    Aux,
  ];
}

function vjpImpl(f: Loose, primals: unknown[], hasAux: boolean): unknown[] {
  checkFn(f, hasAux ? 'vjpWithAux' : 'vjp');
  const argnums = primals.map((_, i) => i);
  const tr = level(() => trace(f, primals, argnums, hasAux, 'vjp'));
  const outFlat = flattenTree(tr.out, 'vjp: output');
  const pullback = (ct: unknown): unknown[] => {
    const ctFlat = flattenTree(ct, 'vjp: cotangent');
    matchLeaves('vjp', ctFlat, 'cotangent', outFlat.leaves, 'output');
    const seeds = ctFlat.leaves;
    const flat = backward(outFlat.leaves, seeds, tr.targets, engineState.depth > 0);
    return regroup(tr, flat, false) as unknown[];
  };
  const out = detach(tr.out);
  return hasAux ? [out, pullback, detachAux(tr.aux)] : [out, pullback];
}

/**
 * Forward-mode product: [f(primals), J·tangents]. Computed as the transpose of the (linear)
 * VJP, so it reuses the reverse rules and stays differentiable.
 */
export function jvp<A extends unknown[], O>(
  f: (...args: A) => O,
  primals: readonly [...A],
  tangents: { readonly [K in keyof A]: A[K] | Cotangent<A[K]> },
): [Cotangent<O>, Cotangent<O>] {
  checkFn(f, 'jvp');
  checkPrimalList(primals, tangents);
  if (primals.length !== tangents.length)
    throw new ArgumentError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  const tanFlats = tangents.map((t, i) => flattenTree(t, `jvp: tangents[${i}]`));
  const tan = {
    leaves: tanFlats.flatMap((f) => f.leaves),
    paths: tanFlats.flatMap((f, i) => f.paths.map((p) => `[${i}]${p}`)),
  };
  const [out, tout] = level(() => {
    const tr = trace(
      f,
      primals.slice(),
      primals.map((_, i) => i),
      false,
      'jvp',
    );
    matchLeaves('jvp', tan, 'tangents', tr.targets, 'primals');
    const outFlat = flattenTree(tr.out, 'jvp: output');
    const us = outFlat.leaves.map((o) => variable(zerosLike(o)));
    const g = backward(outFlat.leaves, us, tr.targets, true);
    const root = vdot(g, tan.leaves);
    const flat = root === null ? us.map(() => null) : backward([root], [null], us, engineState.depth > 1);
    return [tr.out, outFlat.unflatten(flat.map((t, i) => t ?? zerosLike(outFlat.leaves[i])))];
  });
  return [detach(out) as Cotangent<O>, tout as Cotangent<O>];
}

/** JAX's jvp takes primals and tangents as tuples; a bare tensor (or pytree) is a common slip. */
function checkPrimalList(primals: unknown, tangents: unknown): void {
  for (const [name, list] of [
    ['primals', primals],
    ['tangents', tangents],
  ] as const) {
    if (!Array.isArray(list))
      throw new ArgumentError(
        `jvp: ${name} must be an array with one entry per argument of f, like JAX's tuple ` +
          `(got a ${list?.constructor?.name ?? typeof list}); write jvp(f, [x], [v]) for f of one argument`,
      );
  }
}

/**
 * Hessian-vector product ∇²f(x)·v of a scalar f, by reverse-over-reverse in one level. Curried
 * like `grad` and `hessian` (`hvp(f)(x, v)`), or direct (`hvp(f, x, v)`).
 */
export function hvp<P>(f: (x: P) => Tensor): (x: P, v: P | Cotangent<P>) => Cotangent<P>;
export function hvp<P>(f: (x: P) => Tensor, x: P, v: P | Cotangent<P>): Cotangent<P>;
export function hvp<P>(
  f: (x: P) => Tensor,
  ...xv: [] | [P, P | Cotangent<P>]
): Cotangent<P> | ((x: P, v: P | Cotangent<P>) => Cotangent<P>) {
  checkFn(f, 'hvp');
  if (xv.length === 0) return (x, v) => hvpAt(f as Loose, x, v) as Cotangent<P>;
  if (xv.length !== 2)
    throw new ArgumentError(
      `hvp: expected hvp(f)(x, v) or hvp(f, x, v); got ${(xv as unknown[]).length + 1} arguments`,
    );
  return hvpAt(f as Loose, xv[0], xv[1]) as Cotangent<P>;
}

function hvpAt(f: Loose, x: unknown, v: unknown): unknown {
  const vFlat = flattenTree(v, 'hvp: v');
  return level(() => {
    const tr = trace(f, [x], [0], false, 'hvp');
    matchLeaves('hvp', vFlat, 'v', tr.targets, 'x');
    const out = scalarOutput(tr.out, 'hvp');
    const g = backward([out], [null], tr.targets, true);
    const root = vdot(g, vFlat.leaves);
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
export function jacobian<A extends unknown[], O>(
  f: (...args: A) => O,
): (...args: A) => LeavesTo<O, Cotangent<A[0]>>;
export function jacobian<A extends unknown[], O, const N extends Argnums = 0>(
  f: (...args: A) => O,
  opts: JacobianOptions & { argnums?: N },
): (...args: A) => LeavesTo<O, ArgGrads<A, N>>;
export function jacobian<F extends Loose>(f: F, opts?: JacobianOptions): (...args: Parameters<F>) => unknown;
export function jacobian(f: Loose, opts: JacobianOptions = {}): (...args: unknown[]) => unknown {
  checkFn(f, 'jacobian');
  checkTransformOptions('jacobian', opts, ['argnums', 'onProgress']);
  return (...args) => {
    const argnums = argList(opts.argnums, args.length, 'jacobian');
    const single = typeof opts.argnums !== 'object';
    return level(() => {
      const tr = trace(f, args, argnums, false, 'jacobian');
      const outFlat = flattenTree(tr.out, 'jacobian: output');
      const createGraph = engineState.depth > 1;
      const total = outFlat.leaves.reduce((n, o) => n + o.size, 0);
      let done = 0;
      const blocks = outFlat.leaves.map((o) => {
        const rows: (Tensor | null)[][] = [];
        for (let e = 0; e < o.size; e++) {
          const seed = zerosLike(o);
          seed.data[e] = 1;
          rows.push(backward([o], [seed], tr.targets, createGraph));
          opts.onProgress?.(++done, total);
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
export function hessian<A extends unknown[]>(
  f: Scalar<A>,
): (...args: A) => LeavesTo<Cotangent<A[0]>, Cotangent<A[0]>>;
export function hessian<A extends unknown[], const N extends Argnums = 0>(
  f: Scalar<A>,
  opts: JacobianOptions & { argnums?: N },
): (...args: A) => LeavesTo<ArgGrads<A, N>, ArgGrads<A, N>>;
export function hessian<F extends Loose>(f: F, opts?: JacobianOptions): (...args: Parameters<F>) => unknown;
export function hessian(f: Loose, opts: JacobianOptions = {}): (...args: unknown[]) => unknown {
  checkFn(f, 'hessian');
  checkTransformOptions('hessian', opts, ['argnums', 'onProgress']);
  const { onProgress: _, ...gradOpts } = opts;
  return jacobian(grad(f, gradOpts) as (...args: unknown[]) => unknown, opts);
}
