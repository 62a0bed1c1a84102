import { type TensorLike, toTensor } from '../../creation';
import { allocate, resultDtype } from '../../dtype';
import { type Kernel, makeKernel } from '../../kernels/elementwise';
import { broadcastShapes, broadcastStrides, type Shape, sizeOf } from '../../shape';
import { engineState } from '../../state';
import { Tensor } from '../../tensor';
import { checkFinite, emit } from '../emit';
import type { VjpRule } from '../rule';
import type { OpName } from '../rules';

/**
 * The builders behind the one-line op specs of `spec.ts`. Each returns the op's function with
 * its spec attached (`opName`, `rule`), so the op-name type, the rule table, the
 * Tensor methods and the exports are all derived from the spec module (see `derived.ts`).
 * The builders are not generic on purpose: a spec's rule may call ops defined after it.
 */
export interface Differentiable<Args extends unknown[], A> {
  (...args: Args): Tensor;
  /** The graph node's name: the op's export name (checked when the rule table is built). */
  readonly opName: string;
  readonly rule: VjpRule<A>;
}

type Helpers = Record<string, (...a: number[]) => number>;

/** The kernel's inputs and scalar parameters for one call, and the attrs its rule sees. */
export interface Call<A> {
  inputs: Tensor[];
  attrs: A;
  p0?: number;
  p1?: number;
}

/** Run an n-ary kernel with broadcasting; returns storage and shape of the result. */
function runKernel(
  op: string,
  kernel: Kernel,
  inputs: readonly Tensor[],
  p0: number,
  p1: number,
  dtypeFrom: number,
): { data: Float64Array | Float32Array; shape: Shape } {
  let shape: Shape = inputs[0].shape;
  // inputs before `dtypeFrom` (where's condition) shape the result but do not set its dtype
  let dtype = inputs[dtypeFrom].dtype;
  for (let i = 1; i < inputs.length; i++) {
    shape = broadcastShapes(op, shape, inputs[i].shape);
    if (i >= dtypeFrom) dtype = resultDtype(dtype, inputs[i].dtype);
  }
  const size = sizeOf(shape);
  const data = allocate(dtype, size);
  // flat loop when every input is either full-size (same layout) or a single value
  let flat = true;
  for (const x of inputs) if (x.size !== size && x.size !== 1) flat = false;
  const strides = flat ? null : inputs.map((x) => broadcastStrides(x.shape, shape));
  kernel(
    inputs.map((x) => x.data),
    data,
    shape,
    strides,
    p0,
    p1,
  );
  return { data, shape };
}

function attach<F, S>(fn: F, spec: S): F & S {
  return Object.assign(fn as object, spec) as F & S;
}

/** Two operands as tensors; a number takes the dtype of the tensor beside it. */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const ta = toTensor(a, op, 'a', b instanceof Tensor ? b : undefined);
  return [ta, toTensor(b, op, 'b', ta)];
}

/** `name(x)`: a differentiable unary op computing `expr` of `x`. */
export function unary(
  name: string,
  expr: string,
  rule: VjpRule,
  helpers: Helpers = {},
): Differentiable<[x: TensorLike], null> {
  const kernel = makeKernel(1, expr, helpers);
  const op = name as OpName;
  const fn = (x: TensorLike): Tensor => {
    const t = toTensor(x, name, 'x');
    const { data, shape } = runKernel(name, kernel, [t], 0, 0, 0);
    return emit(op, data, shape, [t], null);
  };
  return attach(fn, { opName: name, rule });
}

/** `name(a, b)`: a differentiable broadcasting binary op computing `expr` of `x` (a) and `y` (b). */
export function binary(
  name: string,
  expr: string,
  rule: VjpRule,
): Differentiable<[a: TensorLike, b: TensorLike], null> {
  const kernel = makeKernel(2, expr);
  const op = name as OpName;
  const fn = (a: TensorLike, b: TensorLike): Tensor => {
    const ts = operands(name, a, b);
    const { data, shape } = runKernel(name, kernel, ts, 0, 0, 0);
    return emit(op, data, shape, ts, null);
  };
  return attach(fn, { opName: name, rule });
}

/**
 * An op with its own argument handling: `call` turns the arguments into kernel inputs, scalar
 * parameters (`p0`, `p1` in `expr`) and the attrs its rule receives. Inputs before `dtypeFrom`
 * shape the result but do not set its dtype.
 */
export function custom<Args extends unknown[], A>(spec: {
  name: string;
  arity: 1 | 2 | 3;
  expr: string;
  call: (...args: Args) => Call<A>;
  rule: VjpRule<A>;
  dtypeFrom?: number;
}): Differentiable<Args, A> {
  const kernel = makeKernel(spec.arity, spec.expr);
  const op = spec.name as OpName;
  const fn = (...args: Args): Tensor => {
    const c = spec.call(...args);
    const { data, shape } = runKernel(spec.name, kernel, c.inputs, c.p0 ?? 0, c.p1 ?? 0, spec.dtypeFrom ?? 0);
    return emit(op, data, shape, c.inputs, c.attrs as never);
  };
  return attach(fn, { opName: spec.name, rule: spec.rule });
}

/**
 * A kernel whose result is a constant for differentiation (comparisons, masks): no graph node,
 * zero derivative. `p0`, `p1` are scalar parameters of `expr`.
 */
export function constantKernel(name: string, arity: 1 | 2, expr: string) {
  const kernel = makeKernel(arity, expr);
  return (inputs: readonly TensorLike[], p0 = 0, p1 = 0): Tensor => {
    const like = inputs.find((y): y is Tensor => y instanceof Tensor);
    const ts = inputs.map((x, i) => toTensor(x, name, inputs.length === 1 ? 'x' : 'ab'[i], like));
    // not a graph op (no emit), but an op all the same for the finite check
    if (engineState.finiteCheck) checkFinite(name, null, ts);
    const { data, shape } = runKernel(name, kernel, ts, p0, p1, 0);
    return new Tensor(data, shape, data.length);
  };
}

/** `name(a, b)`: a 0/1 comparison, a constant for differentiation. */
export function comparison(name: string, expr: string) {
  const k = constantKernel(name, 2, expr);
  return (a: TensorLike, b: TensorLike): Tensor => k([a, b]);
}
