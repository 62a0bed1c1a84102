/**
 * The gpu.js backend against the float64 CPU kernel, within float32 error bounds. In CI
 * (CI=true) the software adapter (Mesa llvmpipe through Dawn's OpenGL ES backend) is required;
 * elsewhere, without an adapter, these tests say why and only the fallback is checked.
 */
import {
  calibrateAutoThreshold,
  cpuMatmul,
  getBackend,
  type MatmulSpec,
  matmulKernel,
  setAutoThreshold,
  setBackend,
  shutdownGpu,
} from '../src/kernels/matmul';
import { Rng } from '../src/random';
import { makeSpec, operandLengths, randomArray } from './backend-helpers';

const EPS32 = 2 ** -23;
let gpuUp = false;

beforeAll(() => {
  setBackend('gpu');
  const info = getBackend();
  gpuUp = info.active === 'gpu';
  if (!gpuUp) {
    if (process.env.CI === 'true')
      throw new Error(`CI requires the software GPU adapter, but: ${info.reason}`);
    console.log(`GPU tests skipped, only the fallback is checked: ${info.reason}`);
  }
});

afterAll(async () => {
  setBackend('cpu');
  await shutdownGpu();
});

/**
 * Worst violation ratio of |gpu − cpu| ≤ (k + 2)·ε32·(|A|·|B|) + tiny, the float32 error bound
 * of a length-k dot product with rounded inputs: ≤ 1 passes.
 */
function gpuVsCpu(
  spec: MatmulSpec,
  seed = 3,
  outCtor: typeof Float64Array | typeof Float32Array = Float64Array,
) {
  const rng = new Rng(seed);
  const len = operandLengths(spec);
  const a = randomArray(rng, len.a);
  const b = randomArray(rng, len.b);
  const want = new Float64Array(spec.batch * spec.m * spec.n);
  cpuMatmul(a, b, want, spec);
  const bound = new Float64Array(want.length);
  cpuMatmul(a.map(Math.abs), b.map(Math.abs), bound, spec);
  const got = new outCtor(want.length).fill(Number.NaN);
  matmulKernel(a, b, got, spec);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const r = Math.abs(got[i] - want[i]) / ((spec.k + 2) * EPS32 * bound[i] + 1e-30);
    if (!(r <= worst)) worst = r;
  }
  return worst;
}

const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('gpu backend equals the float64 CPU kernel within float32 tolerance', () => {
  test.each([1, 7, 33, 64, 131])('square %i, every transposition', (s) => {
    if (!gpuUp) return;
    for (const [transA, transB] of TRANS)
      expect(gpuVsCpu(makeSpec(1, s, s, s, { transA, transB }))).toBeLessThanOrEqual(1);
  });

  test.each([
    [2000, 100, 100],
    [100, 2000, 100],
    [2000, 2, 100],
    [2000, 100, 2],
    [1, 513, 3],
    [77, 1, 5],
  ])('rectangular %i×%i·%i×n, every transposition', (m, k, n) => {
    if (!gpuUp) return;
    for (const [transA, transB] of TRANS)
      expect(gpuVsCpu(makeSpec(1, m, k, n, { transA, transB }))).toBeLessThanOrEqual(1);
  });

  test('batched', () => {
    if (!gpuUp) return;
    expect(gpuVsCpu(makeSpec(64, 32, 32, 32))).toBeLessThanOrEqual(1);
    expect(gpuVsCpu(makeSpec(7, 19, 23, 11, { transA: true }))).toBeLessThanOrEqual(1);
  });

  test('broadcast: a shared B (stride 0) and A entries in irregular order', () => {
    if (!gpuUp) return;
    const shared = makeSpec(5, 13, 29, 6, { bOffsets: new Int32Array(5), transB: true });
    expect(gpuVsCpu(shared)).toBeLessThanOrEqual(1);
    const irregular = makeSpec(4, 9, 10, 11, { aOffsets: Int32Array.from([180, 0, 90, 0]) });
    expect(gpuVsCpu(irregular)).toBeLessThanOrEqual(1);
  });

  test('float32 output arrays', () => {
    if (!gpuUp) return;
    expect(gpuVsCpu(makeSpec(2, 21, 45, 17), 4, Float32Array)).toBeLessThanOrEqual(1);
  });

  test('k = 0 and empty outputs need no GPU round trip', () => {
    const out = new Float64Array(4).fill(1);
    matmulKernel(new Float64Array(0), new Float64Array(0), out, makeSpec(1, 2, 0, 2));
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(() =>
      matmulKernel(new Float64Array(0), new Float64Array(0), new Float64Array(0), makeSpec(0, 2, 3, 2)),
    ).not.toThrow();
  });

  test('bad specs are rejected before reaching the GPU', () => {
    expect(() =>
      matmulKernel(new Float64Array(3), new Float64Array(4), new Float64Array(4), makeSpec(1, 2, 2, 2)),
    ).toThrow(/a\.length = 3/);
  });
});

describe('auto dispatch', () => {
  /** True when the product below was computed in float32 (so on the GPU). */
  function ranOnGpu(): boolean {
    const spec = makeSpec(1, 100, 100, 100); // 2·10⁶ FLOPs: above auto's minimum
    const rng = new Rng(9);
    const a = randomArray(rng, 10000);
    const b = randomArray(rng, 10000);
    const cpu = new Float64Array(10000);
    const got = new Float64Array(10000);
    cpuMatmul(a, b, cpu, spec);
    matmulKernel(a, b, got, spec);
    return got.some((v, i) => v !== cpu[i]);
  }

  afterEach(() => setAutoThreshold(null));

  test('products at or above the threshold go to the GPU, smaller ones stay on the CPU', () => {
    setBackend('auto');
    setAutoThreshold(Number.POSITIVE_INFINITY);
    expect(ranOnGpu()).toBe(false);
    expect(getBackend().active).toBe('cpu');
    if (!gpuUp) return;
    setAutoThreshold(0);
    expect(ranOnGpu()).toBe(true);
    expect(getBackend()).toMatchObject({ requested: 'auto', active: 'gpu', autoThresholdFlops: 0 });
  });

  test('calibration reports CPU and GPU times per size and a threshold', () => {
    setBackend('auto');
    const cal = calibrateAutoThreshold([16, 48]);
    if (!gpuUp) {
      expect(cal.thresholdFlops).toBe(Number.POSITIVE_INFINITY);
      return;
    }
    expect(getBackend().autoThresholdFlops).toBe(cal.thresholdFlops);
    // largest size first; the search stops at the first size where the GPU loses
    expect(cal.samples.at(-1)?.flops).toBe(2 * 48 ** 3);
    for (const s of cal.samples) expect(s.cpuMs > 0 && s.gpuMs > 0).toBe(true);
    for (const s of cal.samples) expect(s.flops >= cal.thresholdFlops).toBe(s.gpuMs < s.cpuMs);
  });
});
