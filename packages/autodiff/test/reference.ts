/**
 * Float64 reference implementations for the op table, in plain JavaScript on flat number arrays
 * with a shape. Nothing here imports the engine: index loops only, written for clarity.
 */

export interface Arr {
  shape: number[];
  data: number[];
}

export const arr = (shape: readonly number[], data: readonly number[]): Arr => ({
  shape: shape.slice(),
  data: data.slice(),
});

export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + idx[d];
  return i;
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = i - (n - s.length);
      const v = k < 0 ? 1 : s[k];
      if (v !== 1) {
        if (d !== 1 && d !== v) throw new Error(`reference: cannot broadcast ${JSON.stringify(shapes)}`);
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

/** Read `a` at a multi-index of the broadcast output shape. */
export function readBroadcast(a: Arr, outIdx: readonly number[]): number {
  const off = outIdx.length - a.shape.length;
  const idx = a.shape.map((d, i) => (d === 1 ? 0 : outIdx[i + off]));
  return a.data[ravel(idx, a.shape)];
}

export function mapN(xs: readonly Arr[], f: (...v: number[]) => number): Arr {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  const n = sizeOfShape(shape);
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    data.push(f(...xs.map((x) => readBroadcast(x, idx))));
  }
  return { shape, data };
}

export const map1 = (a: Arr, f: (x: number) => number): Arr => mapN([a], f);
export const map2 = (a: Arr, b: Arr, f: (x: number, y: number) => number): Arr => mapN([a, b], f);

function normAxes(axes: number | readonly number[] | undefined, nd: number): number[] {
  if (axes === undefined) return Array.from({ length: nd }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  return list.map((a) => (a < 0 ? a + nd : a));
}

/** Reduce over `axes` by applying `f` to the list of values of each output position. */
export function reduceRef(
  a: Arr,
  axes: number | readonly number[] | undefined,
  keep: boolean,
  f: (v: number[]) => number,
): Arr {
  const ax = normAxes(axes, a.shape.length);
  const keepShape = a.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const groups: number[][] = Array.from({ length: sizeOfShape(keepShape) }, () => []);
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape).map((v, d) => (ax.includes(d) ? 0 : v));
    groups[ravel(idx, keepShape)].push(a.data[i]);
  }
  const shape = keep ? keepShape : a.shape.filter((_, i) => !ax.includes(i));
  return { shape, data: groups.map(f) };
}

export const sumOf = (v: number[]): number => v.reduce((s, x) => s + x, 0);
export const lseOf = (v: number[]): number => {
  const m = Math.max(...v);
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
};

/** Cumulative scan along `axis`. */
export function scanRef(
  a: Arr,
  axis: number,
  op: (acc: number, x: number) => number,
  unit: number,
  exclusive: boolean,
  reverse: boolean,
): Arr {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const out = a.data.slice();
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape);
    const t = idx[ax];
    let acc = unit;
    for (let s = 0; s < a.shape[ax]; s++) {
      const include = reverse ? (exclusive ? s > t : s >= t) : exclusive ? s < t : s <= t;
      if (!include) continue;
      const j = idx.slice();
      j[ax] = s;
      acc = op(acc, a.data[ravel(j, a.shape)]);
    }
    out[i] = acc;
  }
  return { shape: a.shape.slice(), data: out };
}

export function permuteRef(a: Arr, perm: readonly number[]): Arr {
  const shape = perm.map((p) => a.shape[p]);
  const data: number[] = [];
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const o = unravel(i, shape);
    const src = new Array<number>(a.shape.length);
    perm.forEach((p, k) => {
      src[p] = o[k];
    });
    data.push(a.data[ravel(src, a.shape)]);
  }
  return { shape, data };
}

export function reshapeRef(a: Arr, shape: readonly number[]): Arr {
  const s = shape.slice();
  const free = s.indexOf(-1);
  if (free >= 0) s[free] = a.data.length / sizeOfShape(s.filter((_, i) => i !== free));
  return { shape: s, data: a.data.slice() };
}

export function broadcastToRef(a: Arr, shape: readonly number[]): Arr {
  const n = sizeOfShape(shape);
  const data: number[] = [];
  for (let i = 0; i < n; i++) data.push(readBroadcast(a, unravel(i, shape)));
  return { shape: shape.slice(), data };
}

export function sliceRef(a: Arr, begin: readonly number[], size: readonly number[]): Arr {
  const b = begin.map((v, i) => (v < 0 ? v + a.shape[i] : v));
  const shape = size.map((s, i) => (s === -1 ? a.shape[i] - b[i] : s));
  const data: number[] = [];
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const idx = unravel(i, shape).map((v, d) => v + b[d]);
    data.push(a.data[ravel(idx, a.shape)]);
  }
  return { shape, data };
}

export function concatRef(xs: readonly Arr[], axis: number): Arr {
  const nd = xs[0].shape.length;
  const ax = axis < 0 ? axis + nd : axis;
  const shape = xs[0].shape.slice();
  shape[ax] = xs.reduce((s, x) => s + x.shape[ax], 0);
  const data: number[] = [];
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const idx = unravel(i, shape);
    let k = idx[ax];
    let j = 0;
    while (k >= xs[j].shape[ax]) k -= xs[j++].shape[ax];
    const src = idx.slice();
    src[ax] = k;
    data.push(xs[j].data[ravel(src, xs[j].shape)]);
  }
  return { shape, data };
}

export function stackRef(xs: readonly Arr[], axis: number): Arr {
  const nd = xs[0].shape.length + 1;
  const ax = axis < 0 ? axis + nd : axis;
  return concatRef(
    xs.map((x) => {
      const s = x.shape.slice();
      s.splice(ax, 0, 1);
      return { shape: s, data: x.data };
    }),
    ax,
  );
}

/** numpy take with an index array of any shape. */
export function takeRef(a: Arr, idx: Arr, axis: number): Arr {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const n = a.shape[ax];
  const shape = [...a.shape.slice(0, ax), ...idx.shape, ...a.shape.slice(ax + 1)];
  const data: number[] = [];
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const o = unravel(i, shape);
    const ii = ravel(o.slice(ax, ax + idx.shape.length), idx.shape);
    const v = idx.data[ii];
    const src = [...o.slice(0, ax), v < 0 ? v + n : v, ...o.slice(ax + idx.shape.length)];
    data.push(a.data[ravel(src, a.shape)]);
  }
  return { shape, data };
}

export function takeAlongAxisRef(a: Arr, idx: Arr, axis: number): Arr {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const shape = a.shape.map((d, i) => (i === ax ? idx.shape[i] : d));
  const data: number[] = [];
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const o = unravel(i, shape);
    const v = readBroadcast(idx, o);
    const src = o.slice();
    src[ax] = v < 0 ? v + a.shape[ax] : v;
    data.push(a.data[ravel(src, a.shape)]);
  }
  return { shape, data };
}

export function oneHotRef(idx: Arr, depth: number): Arr {
  const data: number[] = [];
  for (const v of idx.data) for (let k = 0; k < depth; k++) data.push(k === (v < 0 ? v + depth : v) ? 1 : 0);
  return { shape: [...idx.shape, depth], data };
}

/** numpy matmul: 1-D operands promoted (and the added axis removed), batch axes broadcast. */
export function matmulRef(a: Arr, b: Arr): Arr {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]], data: a.data } : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0], 1], data: b.data } : b;
  const m = A.shape[A.shape.length - 2];
  const k = A.shape[A.shape.length - 1];
  const n = B.shape[B.shape.length - 1];
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const data: number[] = [];
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const o = unravel(i, shape);
    const bi = o.slice(0, -2);
    const r = o[o.length - 2];
    const c = o[o.length - 1];
    let s = 0;
    for (let p = 0; p < k; p++) s += readBroadcast(A, [...bi, r, p]) * readBroadcast(B, [...bi, p, c]);
    data.push(s);
  }
  let outShape = shape;
  if (a.shape.length === 1) outShape = outShape.filter((_, i) => i !== outShape.length - 2);
  if (b.shape.length === 1) outShape = outShape.slice(0, -1);
  return { shape: outShape, data };
}

/** Gauss–Jordan elimination with partial pivoting: X with A X = B (B [n] or [n, m]). */
export function solveRef(a: Arr, b: Arr): Arr {
  const n = a.shape[0];
  const m = b.shape.length === 1 ? 1 : b.shape[1];
  const M = Array.from({ length: n }, (_, r) => [
    ...a.data.slice(r * n, r * n + n),
    ...b.data.slice(r * m, r * m + m),
  ]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let j = c; j < n + m; j++) M[r][j] -= f * M[c][j];
    }
  }
  const data: number[] = [];
  for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) data.push(M[r][n + j] / M[r][r]);
  return { shape: b.shape.slice(), data };
}

export function logSoftmaxRef(a: Arr, axis: number): Arr {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const lse = reduceRef(a, ax, true, lseOf);
  return map2(a, lse, (x, l) => x - l);
}

export function sumToRef(a: Arr, shape: readonly number[]): Arr {
  const data = new Array<number>(sizeOfShape(shape)).fill(0);
  const off = a.shape.length - shape.length;
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape)
      .slice(off)
      .map((v, d) => (shape[d] === 1 ? 0 : v));
    data[ravel(idx, shape)] += a.data[i];
  }
  return { shape: shape.slice(), data };
}
