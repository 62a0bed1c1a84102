/**
 * One generic spec over the op table: forward vs the float64 reference, gradient vs central
 * differences, grad-of-grad vs differences of the gradient, and ⟨J·t, c⟩ = ⟨t, Jᵀ·c⟩ between
 * jvp and vjp; float32 forward against the float64 reference within float32 tolerance.
 * A coverage test fails when an exported op has no entry.
 *
 * This table found a backward-pass ordering bug (since fixed): the DFS marked a node
 * visited when pushed, not when expanded, so a node could come before one of its inputs and
 * late cotangents were dropped (grad of sigmoid∘sigmoid-like sharing, logsumexp, logSoftmax,
 * pow, concat of the same tensor twice all went wrong).
 */
import * as ad from '../src';
import { checkGrad, checkGradGrad, jvp, Rng, type Tensor, tensor, vjp } from '../src';
import { type InputSpec, NOT_OPS, OP_TABLE, type OpCase, type OpEntry } from './op-table';
import type { Arr } from './reference';

function sample(spec: InputSpec, rng: Rng): Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.values) return tensor(spec.values, { shape: spec.shape });
  const lo = spec.lo ?? -2;
  const hi = spec.hi ?? 2;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.uniformRange(lo, hi);
    while (spec.avoid?.some((k) => Math.abs(v - k) < 0.1)) v = rng.uniformRange(lo, hi);
    data[i] = v;
  }
  return tensor(data, { shape: spec.shape });
}

const toArr = (t: Tensor): Arr => ({ shape: t.shape.slice(), data: Array.from(t.data) });

function randomLike(t: Tensor, rng: Rng): Tensor {
  return tensor(rng.fillNormal(new Float64Array(t.size)), { shape: t.shape.slice() });
}

function dotAll(a: readonly Tensor[], b: readonly Tensor[]): number {
  let s = 0;
  a.forEach((x, i) => {
    for (let k = 0; k < x.size; k++) s += x.data[k] * b[i].data[k];
  });
  return s;
}

function expectClose(actual: Tensor, expected: Arr, tol: number, what: string): void {
  expect({ what, shape: actual.shape.slice() }).toEqual({ what, shape: expected.shape });
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      throw new Error(`${what}: element ${i} is ${a}, reference ${e} (tolerance ${tol})`);
    }
  }
}

type Row = [string, OpEntry, OpCase, number, number];
const rows: Row[] = OP_TABLE.flatMap((e, i) =>
  e.cases.map((c, j): Row => [`${e.name}: ${c.label}`, e, c, i, j]),
);

describe.each(rows)('%s', (_title, entry, c, i, j) => {
  const rng = new Rng(20261121).derive(i, j);
  const xs = c.inputs.map((s) => sample(s, rng));
  const f = (args: Tensor[]) => c.fn(...args);
  const tol = entry.gradTol ?? { atol: 1e-5, rtol: 1e-4 };

  test('forward matches the float64 reference', () => {
    const out = c.fn(...xs);
    expect(out.dtype).toBe('float64');
    expectClose(out, c.ref(...xs.map(toArr)), entry.fwdTol ?? 1e-12, `${entry.name} forward`);
  });

  test('float32 inputs give a float32 result close to the float64 reference', () => {
    if (xs.length === 0) return;
    const x32 = xs.map((x) => tensor(x, { dtype: 'float32' }));
    const out = c.fn(...x32);
    expect(out.dtype).toBe('float32');
    // the reference sees the same (float32-rounded) inputs, in float64; rounding errors of
    // float32 intermediates scale with the inputs' magnitude (e.g. x − logsumexp(x) at 1000)
    const scale = Math.max(1, ...x32.map((x) => Math.max(0, ...Array.from(x.data, Math.abs))));
    expectClose(out, c.ref(...x32.map(toArr)), 2e-5 * scale, `${entry.name} float32 forward`);
  });

  if (entry.nonDifferentiable) {
    test('output is a constant: vjp and jvp give zeros', () => {
      if (xs.length === 0) return;
      const [out, pullback] = vjp(f, xs);
      const cts = pullback(randomLike(out, rng))[0] as Tensor[];
      for (const g of cts) expect(Array.from(g.data).every((v) => v === 0)).toBe(true);
      const [, tout] = jvp(f, [xs], [xs.map((x) => randomLike(x, rng))]);
      expect(Array.from((tout as Tensor).data).every((v) => v === 0)).toBe(true);
    });
    return;
  }
  if (xs.length === 0) return;

  test('gradient matches central differences', () => {
    expect(checkGrad(f, xs, tol).ok).toBe(true);
  });

  test('grad-of-grad matches differences of the gradient', () => {
    expect(checkGradGrad(f, xs, tol).ok).toBe(true);
  });

  test('<J t, c> = <t, J^T c> between jvp and vjp', () => {
    const ts = xs.map((x) => randomLike(x, rng));
    const [out, tout] = jvp(f, [xs], [ts]);
    const cot = randomLike(out as Tensor, rng);
    const [, pullback] = vjp(f, xs);
    const back = pullback(cot)[0] as Tensor[];
    expect((tout as Tensor).shape).toEqual((out as Tensor).shape);
    back.forEach((g, k) => {
      expect(g.shape).toEqual(xs[k].shape);
    });
    const lhs = dotAll([tout as Tensor], [cot]);
    const rhs = dotAll(ts, back);
    expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(lhs)));
  });
});

describe('coverage', () => {
  const exported = Object.keys(ad).filter((k) => typeof (ad as Record<string, unknown>)[k] === 'function');
  const inTable = new Set(OP_TABLE.map((e) => e.name));

  test('every exported op has an entry in the op table', () => {
    const missing = exported.filter((k) => !inTable.has(k) && !NOT_OPS.includes(k));
    expect(missing).toEqual([]);
  });

  test('every table entry and non-op names a real export, once', () => {
    expect([...inTable].filter((k) => !exported.includes(k))).toEqual([]);
    expect(NOT_OPS.filter((k) => !exported.includes(k))).toEqual([]);
    expect(inTable.size).toBe(OP_TABLE.length);
    expect(NOT_OPS.filter((k) => inTable.has(k))).toEqual([]);
  });

  test('every differentiable entry has a 0-d or size-1 case', () => {
    const lacking = OP_TABLE.filter(
      (e) =>
        !e.nonDifferentiable &&
        !e.cases.some((c) => c.inputs.some((s) => s.shape.length === 0 || s.shape.includes(1))),
    ).map((e) => e.name);
    expect(lacking).toEqual([]);
  });
});

describe('the checkers can fail', () => {
  // value sin(x), but a derivative rule of 2 (the straight-through trick builds a wrong rule)
  const wrongFirst = (x: Tensor) =>
    ad.add(ad.stopGradient(ad.sin(x)), ad.sub(ad.mul(x, 2), ad.stopGradient(ad.mul(x, 2))));
  // value x³ and gradient value 3x², but the gradient's own derivative rule is 0 instead of 6x
  const x0 = tensor([0.7, -1.2]);
  const wrongSecond = (x: Tensor) => {
    const cube = ad.pow(x, 3);
    const slope = ad.stopGradient(ad.mul(ad.square(x), 3));
    return ad.sum(ad.add(ad.stopGradient(cube), ad.sub(ad.mul(x, slope), ad.stopGradient(ad.mul(x, slope)))));
  };

  test('checkGrad reports a wrong first derivative', () => {
    const r = checkGrad(wrongFirst, tensor([0.3, 1.1]), { raise: false });
    expect(r.ok).toBe(false);
    expect(r.worst).not.toBeNull();
    expect(() => checkGrad(wrongFirst, tensor([0.3, 1.1]))).toThrow(/differs from central difference/);
  });

  test('checkGradGrad reports a wrong second derivative that checkGrad cannot see', () => {
    expect(checkGrad(wrongSecond, x0).ok).toBe(true);
    expect(checkGradGrad(wrongSecond, x0, { raise: false }).ok).toBe(false);
  });

  test('the directional mode (large inputs) catches it too', () => {
    const big = tensor(new Rng(3).fillUniform(new Float64Array(100), -1, 1));
    const r = checkGrad((x: Tensor) => ad.sum(wrongFirst(x)), big, { raise: false });
    expect(r.mode).toBe('directions');
    expect(r.ok).toBe(false);
  });
});
