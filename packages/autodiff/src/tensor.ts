import { type DType, dtypeOf, type FloatArray } from './dtype';
import type { OpName } from './ops/rules';
import type { Shape } from './shape';

export type NestedArray = number | NestedArray[];

/** Node's hook for `console.log` and `util.inspect` (a registered symbol, so no node import). */
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
/** Above this many elements `inspect` shows the first and last few values only. */
const INSPECT_FULL = 1000;
const INSPECT_EDGE = 3;

/**
 * An immutable n-d array of float64 (default) or float32 in contiguous row-major storage.
 * If it was computed from a differentiated variable inside a transform, it also remembers the
 * op that made it and that op's inputs: those are the edges the backward pass walks.
 */
export class Tensor {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly size: number;
  /** True when the value depends on a variable of an active transform. */
  readonly tracked: boolean;
  /** Name of the primitive that produced this tensor; null for leaves and constants. */
  readonly op: OpName | null;
  /** The op's inputs: the edges the backward pass walks. */
  readonly inputs: readonly Tensor[] | null;
  /** Op parameters the derivative rule needs (axes, flags, ...), typed per op by `OpAttrs`. */
  readonly attrs: unknown;
  // scratch fields of the backward pass (stamped with the pass id, so no clearing is needed)
  /** @internal */ _visit = 0;
  /** @internal */ _relevant = 0;
  /** @internal */ _target = 0;
  /** @internal */ _ct: Tensor | null = null;

  /** Graph fields are set once here: by `emit` for op results and by transforms for variables. */
  constructor(
    data: FloatArray,
    shape: Shape,
    size: number,
    tracked = false,
    op: OpName | null = null,
    inputs: readonly Tensor[] | null = null,
    attrs: unknown = null,
  ) {
    this.data = data;
    this.shape = shape;
    this.size = size;
    this.tracked = tracked;
    this.op = op;
    this.inputs = inputs;
    this.attrs = attrs;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a size-1 tensor. */
  item(): number {
    if (this.size !== 1)
      throw new RangeError(`item: tensor has shape [${this.shape.join(', ')}], expected exactly one element`);
    return this.data[0];
  }

  /** Nested plain arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number, stride: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const n = this.shape[dim];
      const inner = stride / (n || 1);
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * inner, inner);
      return out;
    };
    return build(0, 0, this.size);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}]) ${JSON.stringify(this.toArray())}`;
  }

  /**
   * What `console.log(t)` and `util.inspect(t)` print: shape, dtype and the values (nested by
   * row; a large tensor shows its first and last few entries per axis), not the graph fields.
   */
  [inspectSymbol](): string {
    const head = `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}${this.tracked ? ', tracked' : ''})`;
    const summarize = this.size > INSPECT_FULL;
    const value = (v: number) => String(Object.is(v, -0) ? 0 : Number(v.toPrecision(6)));
    const build = (dim: number, offset: number, stride: number): string => {
      if (dim === this.shape.length) return value(this.data[offset]);
      const n = this.shape[dim];
      const inner = stride / (n || 1);
      const at = (i: number) => build(dim + 1, offset + i * inner, inner);
      const idx = Array.from({ length: n }, (_, i) => i);
      const parts =
        summarize && n > 2 * INSPECT_EDGE
          ? [...idx.slice(0, INSPECT_EDGE).map(at), '…', ...idx.slice(n - INSPECT_EDGE).map(at)]
          : idx.map(at);
      const separator = dim === this.shape.length - 1 ? ', ' : `,\n${' '.repeat(dim + 1)}`;
      return `[${parts.join(separator)}]`;
    };
    return `${head} ${build(0, 0, this.size)}`;
  }
}
