/**
 * Gradients through a GPU matmul agree with the CPU path (within float32 tolerance): the
 * engine's matmul VJPs are matmuls too (Aᵀ·B, A·Bᵀ, with broadcast batch offsets), so every
 * product of forward, backward and second order runs on the selected backend.
 */
import { getBackend, grad, matmul, mul, Rng, setBackend, sum, type Tensor, tanh, tensor } from '../src';
import { shutdownGpu } from '../src/kernels/matmul';

function randomTensor(rng: Rng, shape: number[]): Tensor {
  const size = shape.reduce((p, q) => p * q, 1);
  const data = Float64Array.from({ length: size }, () => rng.uniformRange(-1, 1));
  return tensor(data, { shape });
}

/** A small two-layer objective: broadcast weights over a batch of inputs. */
function objective(w1: Tensor, w2: Tensor, x: Tensor): Tensor {
  return sum(mul(tanh(matmul(tanh(matmul(x, w1)), w2)), 0.5));
}

function relDiff(a: Tensor, b: Tensor): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.data.length; i++) {
    num = Math.max(num, Math.abs(a.data[i] - b.data[i]));
    den = Math.max(den, Math.abs(b.data[i]));
  }
  return num / (den + 1e-30);
}

let gpuUp = false;
beforeAll(() => {
  setBackend('gpu');
  gpuUp = getBackend().active === 'gpu';
  if (!gpuUp && process.env.CI === 'true')
    throw new Error(`CI requires the software GPU adapter: ${getBackend().reason}`);
  if (!gpuUp) console.log(`GPU gradient test runs on the CPU fallback: ${getBackend().reason}`);
  setBackend('cpu');
});

afterAll(async () => {
  setBackend('cpu');
  await shutdownGpu();
});

test('first-order gradients (weights and inputs) match the CPU backend', () => {
  const rng = new Rng(11);
  const w1 = randomTensor(rng, [7, 13]);
  const w2 = randomTensor(rng, [13, 3]);
  const x = randomTensor(rng, [4, 9, 7]); // batch of 4 broadcast against 2-D weights
  const g = grad(objective, { argnums: [0, 1, 2] });
  setBackend('cpu');
  const cpu = g(w1, w2, x) as Tensor[];
  setBackend('gpu');
  const gpu = g(w1, w2, x) as Tensor[];
  setBackend('cpu');
  for (let i = 0; i < 3; i++) {
    expect(gpu[i].shape).toEqual(cpu[i].shape);
    expect(relDiff(gpu[i], cpu[i])).toBeLessThan(1e-5);
  }
  // float32 rounding shows the products really ran on the GPU
  if (gpuUp) expect(relDiff(gpu[0], cpu[0])).toBeGreaterThan(0);
});

test('second order (gradient of the squared gradient norm) matches the CPU backend', () => {
  const rng = new Rng(12);
  const w1 = randomTensor(rng, [5, 6]);
  const w2 = randomTensor(rng, [6, 2]);
  const x = randomTensor(rng, [3, 8, 5]);
  const inner = grad(objective);
  const outer = grad((a: Tensor, b: Tensor, c: Tensor) => {
    const gw = inner(a, b, c) as Tensor;
    return sum(mul(gw, gw));
  });
  setBackend('cpu');
  const cpu = outer(w1, w2, x) as Tensor;
  setBackend('gpu');
  const gpu = outer(w1, w2, x) as Tensor;
  setBackend('cpu');
  expect(relDiff(gpu, cpu)).toBeLessThan(1e-4);
});
