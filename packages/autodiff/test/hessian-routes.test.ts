/**
 * Five routes to the same Hessian agree to 1e-10 (grad∘grad per coordinate, jacobian∘grad,
 * hvp with basis vectors, jvp∘grad, `hessian`), on a small MLP-like pytree, and agree with
 * central differences of the gradient.
 */
import * as ad from '../src';
import { grad, hessian, hvp, jacobian, jvp, mul, Rng, sum, type Tensor, tensor } from '../src';

interface Params {
  W: Tensor;
  b: Tensor;
}

const rng = new Rng(7);
const X = ad.randomNormal(rng, [5, 3]);
const labels = [0, 3, 1, 2, 3];
const p0: Params = { W: ad.randomNormal(rng, [3, 4], 0, 0.7), b: ad.randomNormal(rng, [4], 0, 0.3) };

/** Mean log-likelihood of the labels under softmax(tanh(X W + b) · 2), plus an L2 term. */
function loss(p: Params): Tensor {
  const h = ad.tanh(ad.add(ad.matmul(X, p.W), p.b));
  const logp = ad.logSoftmax(ad.mul(h, 2), -1);
  const ll = ad.mean(ad.takeAlongAxis(logp, tensor(labels, { shape: [5, 1] }), -1));
  return ad.add(ad.neg(ll), ad.mul(ad.sum(ad.square(p.W)), 0.05));
}

const before = [...p0.W.data, ...p0.b.data];
const N = 16; // 12 + 4 parameters

function flat(p: Params): Float64Array {
  return Float64Array.from([...p.W.data, ...p.b.data]);
}

function unflat(v: Float64Array): Params {
  return { W: tensor(v.slice(0, 12), { shape: [3, 4] }), b: tensor(v.slice(12), { shape: [4] }) };
}

const basis = (j: number): Params => {
  const e = new Float64Array(N);
  e[j] = 1;
  return unflat(e);
};

/** A matrix from N columns (or rows) given as flat vectors. */
const fromRows = (rows: Float64Array[]): number[][] => rows.map((r) => Array.from(r));

/** A pytree Hessian {W: {W, b}, b: {W, b}} as an N×N matrix. */
function blocksToMatrix(H: { W: Params; b: Params }): number[][] {
  const M: number[][] = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  const outs: [keyof Params, number, number][] = [
    ['W', 0, 12],
    ['b', 12, 4],
  ];
  for (const [ok, oOff, oSize] of outs) {
    for (const [ik, iOff, iSize] of outs) {
      const block = H[ok][ik];
      expect(block.size).toBe(oSize * iSize);
      for (let r = 0; r < oSize; r++)
        for (let c = 0; c < iSize; c++) M[oOff + r][iOff + c] = block.data[r * iSize + c];
    }
  }
  return M;
}

function maxDiff(A: number[][], B: number[][]): number {
  let m = 0;
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) m = Math.max(m, Math.abs(A[i][j] - B[i][j]));
  return m;
}

describe('five routes to the Hessian of an MLP-like loss over {W: [3,4], b: [4]}', () => {
  const g: (p: Params) => Params = grad(loss);

  // 1. grad∘grad, one coordinate of the gradient at a time
  const viaGradGrad = fromRows(
    Array.from({ length: N }, (_, i) => {
      const e = basis(i);
      const gi = (p: Params) => {
        const gp = g(p);
        return ad.add(ad.sum(ad.mul(gp.W, e.W)), ad.sum(ad.mul(gp.b, e.b)));
      };
      return flat(grad(gi)(p0) as Params);
    }),
  );
  // 2. jacobian of the gradient
  const viaJacobian = blocksToMatrix(jacobian(g)(p0));
  // 3. hvp with basis vectors (H symmetric: column j = row j)
  const viaHvp = fromRows(Array.from({ length: N }, (_, j) => flat(hvp(loss, p0, basis(j)) as Params)));
  // 4. jvp of the gradient (forward over reverse)
  const viaJvp = fromRows(Array.from({ length: N }, (_, j) => flat(jvp(g, [p0], [basis(j)])[1] as Params)));
  // 5. hessian
  const viaHessian = blocksToMatrix(hessian(loss)(p0));

  test('the Hessian is not trivial', () => {
    const norm = Math.max(...viaHessian.flat().map(Math.abs));
    expect(norm).toBeGreaterThan(0.05);
    // W and b interact through tanh: the off-diagonal block is non-zero
    expect(
      Math.max(
        ...viaHessian
          .slice(0, 12)
          .flatMap((r) => r.slice(12))
          .map(Math.abs),
      ),
    ).toBeGreaterThan(1e-3);
  });

  test.each([
    ['grad∘grad', () => viaGradGrad],
    ['jacobian∘grad', () => viaJacobian],
    ['hvp with basis vectors', () => viaHvp],
    ['jvp∘grad', () => viaJvp],
  ])('%s agrees with hessian to 1e-10', (_name, route) => {
    expect(maxDiff(route(), viaHessian)).toBeLessThanOrEqual(1e-10);
  });

  test('the Hessian is symmetric', () => {
    const T = viaHessian.map((_, i) => viaHessian.map((r) => r[i]));
    expect(maxDiff(T, viaHessian)).toBeLessThanOrEqual(1e-12);
  });

  test('central differences of the gradient agree', () => {
    const h = 1e-5;
    const x = flat(p0);
    const cols = Array.from({ length: N }, (_, j) => {
      const plus = x.slice();
      const minus = x.slice();
      plus[j] += h;
      minus[j] -= h;
      const gp = flat(g(unflat(plus)));
      const gm = flat(g(unflat(minus)));
      return gp.map((v, i) => (v - gm[i]) / (2 * h));
    });
    expect(maxDiff(fromRows(cols), viaHessian)).toBeLessThanOrEqual(1e-7);
  });

  test('hvp with a random direction equals H·v', () => {
    const v = rng.fillNormal(new Float64Array(N));
    const Hv = flat(hvp(loss, p0, unflat(v)) as Params);
    for (let i = 0; i < N; i++) {
      const expected = viaHessian[i].reduce((s, hij, j) => s + hij * v[j], 0);
      expect(Math.abs(Hv[i] - expected)).toBeLessThanOrEqual(1e-10);
    }
  });

  test('no transform mutated the parameters', () => {
    expect(Array.from(flat(p0))).toEqual(before);
  });
});

describe('jacobian and hessian report progress row by row', () => {
  test('onProgress sees every row once, in order, and the result is unchanged', () => {
    const x = tensor([0.3, -0.7, 1.1]);
    const f = (t: Tensor) => sum(mul(mul(t, t), t));
    const calls: [number, number][] = [];
    const h = hessian(f, { onProgress: (done, total) => calls.push([done, total]) })(x);
    expect(calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(Array.from(h.data)).toEqual(Array.from(hessian(f)(x).data));
    const jcalls: number[] = [];
    jacobian((t: Tensor) => mul(t, 2), { onProgress: (d) => jcalls.push(d) })(x);
    expect(jcalls).toEqual([1, 2, 3]);
  });
});
