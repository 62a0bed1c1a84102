/**
 * The matrix-product kernel: `matmulKernel` dispatches each product to the CPU backend (cpu/)
 * or the GPU backend (gpu/, a worker thread running WebGPU); plus backend selection and the
 * individual backends for benchmarks and tests. The other kernels (elementwise, reduce,
 * movement, scan, solve) run on the CPU only and sit beside this folder.
 */
export type { Calibration, CalibrationSample } from './calibrate';
export { cpuMatmul } from './cpu/matmul';
export { getNumThreads, PARALLEL_MIN_MACS, setNumThreads, shutdownThreads } from './cpu/threads';
export { gpuMatmul, shutdownGpu } from './gpu/gpu-backend';
export { referenceMatmul } from './reference';
export {
  type BackendInfo,
  type BackendRequest,
  calibrateAutoThreshold,
  getBackend,
  type MatmulProfile,
  matmulKernel,
  profileMatmuls,
  setAutoThreshold,
  setBackend,
} from './select';
export type { Backend, BackendName, FloatArray, MatmulSpec } from './types';
