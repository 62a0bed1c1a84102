import type { Tensor } from '../tensor';
import type { PyTree } from './pytree';

/*
 * The types the transforms compute with, so callers need no casts: `grad(f)` for
 * f: (x: P) => Tensor is (x: P) => Cotangent<P>, which is P itself for a pytree of tensors.
 */

type IsAny<T> = 0 extends 1 & T ? true : false;
/** P is the whole (recursive) PyTree union or wider: mapping it leaf by leaf would not terminate. */
type IsWholeTree<P> = [PyTree] extends [P] ? true : false;

/** A pytree's cotangent: the same structure with a tensor at every leaf (a number leaf becomes a tensor). */
export type Cotangent<P> =
  IsAny<P> extends true
    ? P
    : IsWholeTree<P> extends true
      ? P
      : P extends Tensor | number
        ? Tensor
        : P extends null | undefined
          ? P
          : P extends object
            ? { [K in keyof P]: Cotangent<P[K]> }
            : P;

/** The output pytree `O` with `L` (the argument's structure) at each of its tensor leaves. */
export type LeavesTo<O, L> =
  IsAny<O> extends true
    ? O
    : IsWholeTree<O> extends true
      ? O
      : O extends Tensor | number
        ? L
        : O extends null | undefined
          ? O
          : O extends object
            ? { [K in keyof O]: LeavesTo<O[K], L> }
            : O;

/** Which arguments are differentiated: one index, or a tuple of them. */
export type Argnums = number | readonly number[];

/** The gradient for `argnums` N of a function of `A`: one cotangent, or a tuple of them. */
export type ArgGrads<A extends readonly unknown[], N> = N extends number
  ? Cotangent<A[N]>
  : N extends readonly number[]
    ? { -readonly [K in keyof N]: Cotangent<A[N[K] & number]> }
    : never;
