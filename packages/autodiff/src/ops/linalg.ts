import { type TensorLike, toTensor } from '../creation';
import { allocate, resultDtype } from '../dtype';
import { ArgumentError, fmtShape, ShapeError } from '../errors';
import { matmulKernel } from '../kernels/matmul';
import type { MatmulSpec } from '../kernels/matmul/types';
import { solveInto } from '../kernels/solve';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { sumTo } from './broadcast';
import { mul, neg } from './elementwise/spec';
import { emit } from './emit';
import { permute, reshape, squeeze } from './movement';
import { sum } from './reduction';
import { type RulesFor, wants } from './rule';

interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

export interface LinalgAttrs {
  matmul: MatmulAttrs;
  solve: null;
}

/** Per-batch start offsets of a broadcast operand, or null when it is laid out plainly. */
function batchOffsets(own: readonly number[], full: readonly number[], matSize: number): Int32Array | null {
  if (sameShape(own, full)) return null;
  const n = sizeOf(full);
  const strides = broadcastStrides(own, full);
  const out = new Int32Array(n);
  const idx = new Array<number>(full.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < full.length; d++) off += idx[d] * strides[d];
    out[i] = off * matSize;
    for (let d = full.length - 1; d >= 0; d--) {
      if (++idx[d] < full[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Batched product op(A)·op(B) over the last two axes, broadcasting the leading (batch) axes.
 * Transposed operands are read in place by the kernel: the VJPs never materialise a transpose.
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(
      `matmul: operands need at least 2 dimensions, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const ar = a.shape[a.ndim - 2];
  const ac = a.shape[a.ndim - 1];
  const br = b.shape[b.ndim - 2];
  const bc = b.shape[b.ndim - 1];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} (${k} vs ${kb})`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul', aBatch, bBatch);
  const shape = [...batchShape, m, n];
  const out = allocate(resultDtype(a.dtype, b.dtype), sizeOf(shape));
  let spec: MatmulSpec;
  if (bBatch.length === 0 && !transA) {
    // a stack of row blocks times one matrix is a single tall product
    spec = { batch: 1, m: (a.size / k) | 0, k, n, transA, transB, aOffsets: null, bOffsets: null };
    if (a.size === 0) spec.m = 0;
  } else {
    spec = {
      batch: sizeOf(batchShape),
      m,
      k,
      n,
      transA,
      transB,
      aOffsets: batchOffsets(aBatch, batchShape, m * k),
      bOffsets: batchOffsets(bBatch, batchShape, k * n),
    };
  }
  // an empty inner dimension leaves the zeros (an empty sum); the kernel only sees real products
  if (out.length > 0 && k > 0) matmulKernel(a.data, b.data, out, spec);
  const attrs: MatmulAttrs = { transA, transB };
  return emit('matmul', out, shape, [a, b], attrs);
}

/** numpy matmul: batched with broadcast batch axes; a 1-D operand is a row (a) or column (b). */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  let ta = toTensor(a, 'matmul', 'a');
  let tb = toTensor(b, 'matmul', 'b', ta);
  if (ta.ndim === 0 || tb.ndim === 0)
    throw new ShapeError(
      `matmul: scalars are not matrices (shapes ${fmtShape(ta.shape)}, ${fmtShape(tb.shape)}); use mul`,
    );
  const rowA = ta.ndim === 1;
  const colB = tb.ndim === 1;
  if (rowA) ta = reshape(ta, [1, ta.shape[0]]);
  if (colB) tb = reshape(tb, [tb.shape[0], 1]);
  let out = matmulT(ta, tb, false, false);
  if (rowA) out = squeeze(out, out.ndim - 2);
  if (colB) out = squeeze(out, out.ndim - 1);
  return out;
}

/** Inner product of two vectors (or matmul for higher ranks). */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a, 'dot', 'a');
  const tb = toTensor(b, 'dot', 'b', ta);
  if (ta.ndim === 1 && tb.ndim === 1) {
    if (ta.size !== tb.size) throw new ShapeError(`dot: vectors of lengths ${ta.size} and ${tb.size}`);
    return sum(mul(ta, tb));
  }
  return matmul(ta, tb);
}

/** Outer product of two vectors: [m] × [n] → [m, n]. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a, 'outer', 'a');
  const tb = toTensor(b, 'outer', 'b', ta);
  return mul(reshape(ta, [ta.size, 1]), reshape(tb, [1, tb.size]));
}

/** Solve A·X = B for square A [n, n] and B [n] or [n, m] (LU with partial pivoting, float64). */
export function solve(A: TensorLike, B: TensorLike): Tensor {
  const ta = toTensor(A, 'solve', 'A');
  const tb = toTensor(B, 'solve', 'B', ta);
  if (ta.ndim !== 2 || ta.shape[0] !== ta.shape[1])
    throw new ShapeError(`solve: A must be square [n, n], got ${fmtShape(ta.shape)}`);
  const n = ta.shape[0];
  if ((tb.ndim !== 1 && tb.ndim !== 2) || tb.shape[0] !== n) {
    throw new ShapeError(
      `solve: B must be [${n}] or [${n}, m] for A ${fmtShape(ta.shape)}, got ${fmtShape(tb.shape)}`,
    );
  }
  const m = tb.ndim === 1 ? 1 : tb.shape[1];
  const out = allocate(resultDtype(ta.dtype, tb.dtype), n * m);
  const pivot = solveInto(ta.data, tb.data, n, m, out);
  if (!(pivot > 0)) throw new ArgumentError(`solve: A ${fmtShape(ta.shape)} is singular (zero pivot)`);
  return emit('solve', out, tb.shape.slice(), [ta, tb], null);
}

export const linalgRules: RulesFor<LinalgAttrs> = {
  matmul: (g, _o, [a, b], { transA: tA, transB: tB }) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (wants(a)) {
      // op(A) = A or Aᵀ: dA = g·op(B)ᵀ, transposed back when A was read transposed
      da = tA ? matmulT(b, g, tB, true) : matmulT(g, b, false, !tB);
      da = sumTo(da, a.shape);
    }
    if (wants(b)) {
      if (b.ndim === 2 && a.ndim > 2 && !tA) {
        // fold the batch into rows: Σ_i A_iᵀ g_i as one tall product, no per-batch results
        const k = a.shape[a.ndim - 1];
        const rows = sizeOf(a.shape.slice(0, -1));
        const a2 = reshape(a, [rows, k]);
        const g2 = reshape(g, [rows, g.shape[g.ndim - 1]]);
        db = tB ? matmulT(g2, a2, true, false) : matmulT(a2, g2, true, false);
      } else {
        // dB = op(A)ᵀ·g, transposed back when B was read transposed
        db = tB ? matmulT(g, a, true, tA) : matmulT(a, g, !tA, false);
        db = sumTo(db, b.shape);
      }
    }
    return [da, db];
  },
  solve: (g, o, [A, B]) => {
    // X = A⁻¹B:  dB = A⁻ᵀ g,  dA = −dB Xᵀ
    const dB = solve(permute(A, [1, 0]), g);
    const col = (t: Tensor) => (t.ndim === 1 ? reshape(t, [t.shape[0], 1]) : t);
    const dA = wants(A) ? neg(matmulT(col(dB), col(o), false, true)) : null;
    return [dA, wants(B) ? dB : null];
  },
};
