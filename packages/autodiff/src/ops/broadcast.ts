import { type Shape, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { reshape } from './movement';
import { sum } from './reduction';

/**
 * The one broadcast-undo helper: sum a cotangent of a broadcast result back to the shape of
 * the input that was broadcast. Every binary op and batched matmul uses it.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, axes, true), shape);
}
