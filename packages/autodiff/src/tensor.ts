import type { FloatArray } from './backend/types';
import { type DType, dtypeOf } from './dtype';
import type { Shape } from './shape';

export type NestedArray = number | NestedArray[];

/**
 * An immutable n-d array of float64 (default) or float32 in contiguous row-major storage.
 * If it was computed from a differentiated variable inside a transform, it also remembers the
 * op that made it and that op's inputs: those are the edges the backward pass walks.
 */
export class Tensor {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly size: number;
  /** Name of the primitive that produced this tensor; null for leaves and constants. */
  op: string | null = null;
  inputs: Tensor[] | null = null;
  /** Op parameters the derivative rule needs (axes, flags, ...). */
  attrs: unknown = null;
  /** True when the value depends on a variable of an active transform. */
  tracked = false;
  // scratch fields of the backward pass (stamped with the pass id, so no clearing is needed)
  /** @internal */ _visit = 0;
  /** @internal */ _relevant = 0;
  /** @internal */ _target = 0;
  /** @internal */ _ct: Tensor | null = null;

  constructor(data: FloatArray, shape: Shape, size: number) {
    this.data = data;
    this.shape = shape;
    this.size = size;
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
}
