/**
 * The libraries the kernel suite measures, each behind the same interface: given a shape and
 * float64 operands, return the function to time (or why it is not available). Each adapter
 * converts operands once, outside the timed function, into the library's own format.
 */

import { availableParallelism } from 'node:os';
import {
  cpuMatmul,
  getBackend,
  gpuMatmul,
  type MatmulSpec,
  setBackend,
  setNumThreads,
} from '@metagrad/autodiff';
import * as tf from '@tensorflow/tfjs';
import { GPU } from 'gpu.js';
import { Matrix } from 'ml-matrix';
import ndarray from 'ndarray';
import gemm from 'ndarray-gemm';
import { initTfBackend, type TfBackend, useTfBackend } from '../tfjs-backends';
import { installWebGpuNavigator } from '../webgpu-navigator';

/** op(A) is m×k and op(B) is k×n; A is stored k×m when transA, B n×k when transB. */
export interface Shape {
  label: string;
  batch: number;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
}

const NO_TRANSPOSES = 'n/a: no transposed product without a copy';

export interface MatmulPeer {
  name: string;
  /** The function to time for this shape, or a short reason why this library cannot run. */
  prepare(shape: Shape, a: Float64Array, b: Float64Array): Promise<(() => unknown) | string>;
}

function spec(s: Shape): MatmulSpec {
  return {
    batch: s.batch,
    m: s.m,
    k: s.k,
    n: s.n,
    transA: s.transA ?? false,
    transB: s.transB ?? false,
    aOffsets: null,
    bOffsets: null,
  };
}

/** Threads of the multi-threaded column: every core, as torch's default. */
export const ALL_THREADS = availableParallelism();

/** metagrad's CPU kernel at a given thread count (set inside the timed call: it is a global). */
function metagradCpuAt(threads: number): MatmulPeer {
  return {
    name: `metagrad cpu (f64, ${threads} thread${threads > 1 ? 's' : ''})`,
    prepare: async (s, a, b) => {
      const out = new Float64Array(s.batch * s.m * s.n);
      const sp = spec(s);
      return () => {
        setNumThreads(threads);
        cpuMatmul(a, b, out, sp);
      };
    },
  };
}

export const metagradCpu = metagradCpuAt(1);
export const metagradCpuThreads = metagradCpuAt(ALL_THREADS);

/** metagrad's GPU backend through its synchronous worker bridge. */
export const metagradGpu: MatmulPeer = {
  name: 'metagrad gpu (f32)',
  prepare: async (s, a, b) => {
    setBackend('gpu');
    const info = getBackend();
    setBackend('cpu');
    if (info.active !== 'gpu') return `n/a: ${info.reason ?? 'no adapter'}`;
    const out = new Float64Array(s.batch * s.m * s.n);
    const sp = spec(s);
    return () => gpuMatmul(a, b, out, sp);
  },
};

/** TF.js matmul on one of its backends; operands live on that backend, selected per call. */
function tfjsOn(backend: TfBackend): MatmulPeer {
  return {
    name: `tfjs ${backend} (f32)`,
    prepare: async (s, a, b) => {
      const why = await initTfBackend(backend);
      if (why) return why;
      const ta = tf.tensor3d(Float32Array.from(a), s.transA ? [s.batch, s.k, s.m] : [s.batch, s.m, s.k]);
      const tb = tf.tensor3d(Float32Array.from(b), s.transB ? [s.batch, s.n, s.k] : [s.batch, s.k, s.n]);
      return () => {
        useTfBackend(backend);
        const c = tf.matMul(ta, tb, s.transA, s.transB);
        c.dataSync();
        c.dispose();
      };
    },
  };
}

export const tfjsCpu = tfjsOn('cpu');
export const tfjsWasm = tfjsOn('wasm');

function perBatch<T>(
  s: Shape,
  src: Float64Array,
  rows: number,
  cols: number,
  make: (v: Float64Array) => T,
): T[] {
  return Array.from({ length: s.batch }, (_, p) =>
    make(src.subarray(p * rows * cols, (p + 1) * rows * cols)),
  );
}

export const mlMatrix: MatmulPeer = {
  name: 'ml-matrix (f64)',
  prepare: async (s, a, b) => {
    if (s.transA || s.transB) return NO_TRANSPOSES;
    const toMatrix = (rows: number, cols: number) => (v: Float64Array) =>
      Matrix.from1DArray(rows, cols, Array.from(v));
    const as = perBatch(s, a, s.m, s.k, toMatrix(s.m, s.k));
    const bs = perBatch(s, b, s.k, s.n, toMatrix(s.k, s.n));
    return () => {
      for (let p = 0; p < s.batch; p++) as[p].mmul(bs[p]);
    };
  },
};

export const ndarrayGemm: MatmulPeer = {
  name: 'ndarray-gemm (f64)',
  prepare: async (s, a, b) => {
    // transposed operands are strided views, which ndarray-gemm reads without copying
    const as = perBatch(s, a, s.m, s.k, (v) =>
      s.transA ? ndarray(v, [s.k, s.m]).transpose(1, 0) : ndarray(v, [s.m, s.k]),
    );
    const bs = perBatch(s, b, s.k, s.n, (v) =>
      s.transB ? ndarray(v, [s.n, s.k]).transpose(1, 0) : ndarray(v, [s.k, s.n]),
    );
    const cs = Array.from({ length: s.batch }, () => ndarray(new Float64Array(s.m * s.n), [s.m, s.n]));
    return () => {
      for (let p = 0; p < s.batch; p++) gemm(cs[p], as[p], bs[p]);
    };
  },
};

interface KernelThis {
  thread: { x: number; y: number; z: number };
  constants: { K: number; N: number; SA: number; SB: number };
}

/** The batched kernel both gpu.js peers run: output [N, M, B], K a constant. */
function gpuJsMatmul(this: KernelThis, a: Float32Array, b: Float32Array): number {
  const ao = this.thread.z * this.constants.SA + this.thread.y * this.constants.K;
  const bo = this.thread.z * this.constants.SB + this.thread.x;
  let s = 0;
  for (let q = 0; q < this.constants.K; q++) s += a[ao + q] * b[bo + q * this.constants.N];
  return s;
}

interface GpuJsPeer extends MatmulPeer {
  /** Destroys the peer's gpu.js instance (and kernels). */
  release(): void;
}

function gpuJsPeer(name: string, mode: 'cpu' | 'webgpu', ready: () => Promise<string | null>): GpuJsPeer {
  let gpu: GPU | null = null;
  return {
    name,
    release: () => {
      gpu?.destroy();
      gpu = null;
    },
    prepare: async (s, a, b) => {
      if (s.transA || s.transB) return NO_TRANSPOSES;
      const why = await ready();
      if (why) return why;
      gpu ??= new GPU({ mode });
      const settings = {
        output: [s.n, s.m, s.batch],
        constants: { K: s.k, N: s.n, SA: s.m * s.k, SB: s.k * s.n },
        precision: 'single',
        loopMaxIterations: Math.max(1000, s.k), // missing from gpu.js's typings
      };
      const kernel = gpu.createKernel(gpuJsMatmul as never, settings as never) as unknown as (
        x: Float32Array,
        y: Float32Array,
      ) => unknown;
      const fa = Float32Array.from(a);
      const fb = Float32Array.from(b);
      return () => kernel(fa, fb);
    },
  };
}

export const gpuJsCpu = gpuJsPeer('gpu.js cpu mode (f32)', 'cpu', async () => null);

let navigatorReady: Promise<string | null> | null = null;
/** Adapter gpu.js's WebGPU mode got in this thread, or null before the first use / without one. */
export let gpuJsWebGpuAdapter: string | null = null;
export const gpuJsWebGpu = gpuJsPeer('gpu.js webgpu direct (f32)', 'webgpu', async () => {
  navigatorReady ??= installWebGpuNavigator();
  gpuJsWebGpuAdapter = await navigatorReady;
  return gpuJsWebGpuAdapter ? null : 'n/a: no WebGPU adapter';
});

/**
 * Frees the WebGPU device gpu.js holds in this thread: Dawn's bindings poll a live device from
 * the event loop, which would keep the process busy and alive after the run.
 */
export async function releaseGpuJsWebGpu(): Promise<void> {
  gpuJsWebGpu.release();
  const { WebGPUContext } = require('gpu.js') as { WebGPUContext?: { destroy(): Promise<void> } };
  await WebGPUContext?.destroy();
}

export const ALL_PEERS: MatmulPeer[] = [
  metagradCpu,
  ...(ALL_THREADS > 1 ? [metagradCpuThreads] : []),
  metagradGpu,
  tfjsCpu,
  tfjsWasm,
  mlMatrix,
  ndarrayGemm,
  gpuJsCpu,
  gpuJsWebGpu,
];
