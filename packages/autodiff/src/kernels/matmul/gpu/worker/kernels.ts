/**
 * Batched matmul as gpu.js WebGPU kernels. Output is 3-D `[N, M, B]` (gpu.js sizes are the
 * reverse of row-major), so thread (x, y, z) = (column j, row i, batch entry). Sizes and batch
 * strides are constants: gpu.js caps loops over a non-constant bound (LOOP_MAX), and constants
 * let the shader compiler unroll. One compiled kernel per shape, in an LRU cache of MAX_CACHED.
 */
import type { MatmulSpec } from '../../types';

/** The part of gpu.js this file uses. */
export interface GpuJs {
  createKernel(fn: (...args: Float32Array[]) => number, settings: Record<string, unknown>): GpuKernel;
}
type GpuKernel = (a: Float32Array, b: Float32Array) => Promise<Float32Array[][]>;

/** One product as the worker receives it; strides are how far apart batch entries start. */
export interface GpuMatmulJob extends Omit<MatmulSpec, 'aOffsets' | 'bOffsets'> {
  strideA: number;
  strideB: number;
  aLength: number;
  bLength: number;
}

interface KernelThis {
  thread: { x: number; y: number; z: number };
  constants: { K: number; M: number; N: number; SA: number; SB: number };
}

// Four index patterns; each body is plain enough for gpu.js to translate to WGSL.
function mmNN(this: KernelThis, a: Float32Array, b: Float32Array): number {
  const ao = this.thread.z * this.constants.SA + this.thread.y * this.constants.K;
  const bo = this.thread.z * this.constants.SB + this.thread.x;
  let s = 0;
  for (let q = 0; q < this.constants.K; q++) s += a[ao + q] * b[bo + q * this.constants.N];
  return s;
}
function mmTN(this: KernelThis, a: Float32Array, b: Float32Array): number {
  const ao = this.thread.z * this.constants.SA + this.thread.y;
  const bo = this.thread.z * this.constants.SB + this.thread.x;
  let s = 0;
  for (let q = 0; q < this.constants.K; q++) s += a[ao + q * this.constants.M] * b[bo + q * this.constants.N];
  return s;
}
function mmNT(this: KernelThis, a: Float32Array, b: Float32Array): number {
  const ao = this.thread.z * this.constants.SA + this.thread.y * this.constants.K;
  const bo = this.thread.z * this.constants.SB + this.thread.x * this.constants.K;
  let s = 0;
  for (let q = 0; q < this.constants.K; q++) s += a[ao + q] * b[bo + q];
  return s;
}
function mmTT(this: KernelThis, a: Float32Array, b: Float32Array): number {
  const ao = this.thread.z * this.constants.SA + this.thread.y;
  const bo = this.thread.z * this.constants.SB + this.thread.x * this.constants.K;
  let s = 0;
  for (let q = 0; q < this.constants.K; q++) s += a[ao + q * this.constants.M] * b[bo + q];
  return s;
}

const MAX_CACHED = 64;

export class MatmulKernels {
  private readonly cache = new Map<string, GpuKernel>();

  constructor(private readonly gpu: GpuJs) {}

  private kernelFor(job: GpuMatmulJob): GpuKernel {
    const key = [job.batch, job.m, job.k, job.n, +job.transA, +job.transB, job.strideA, job.strideB]
      .concat([job.aLength, job.bLength])
      .join(',');
    let kernel = this.cache.get(key);
    if (kernel) {
      // least recently used first: a hit moves to the back of the Map's insertion order
      this.cache.delete(key);
      this.cache.set(key, kernel);
      return kernel;
    }
    const fn = job.transA ? (job.transB ? mmTT : mmTN) : job.transB ? mmNT : mmNN;
    kernel = this.gpu.createKernel(fn as unknown as (...args: Float32Array[]) => number, {
      output: [job.n, job.m, job.batch],
      constants: { K: job.k, M: job.m, N: job.n, SA: job.strideA, SB: job.strideB },
      precision: 'single',
      loopMaxIterations: Math.max(1000, job.k),
    });
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, kernel);
    return kernel;
  }

  /** Runs one product and copies the result, row by row, into `out` ([batch, m, n]). */
  async run(job: GpuMatmulJob, a: Float32Array, b: Float32Array, out: Float32Array): Promise<void> {
    const result = await this.kernelFor(job)(a, b);
    // gpu.js hands back views of one readback buffer; copy before the next run reuses it
    for (let p = 0; p < job.batch; p++) {
      const rows = result[p];
      for (let i = 0; i < job.m; i++) out.set(rows[i], (p * job.m + i) * job.n);
    }
  }
}
