/**
 * Kernels the engine runs on: `matmulKernel` (dispatched to the CPU or GPU backend), backend
 * selection, and the individual backends for benchmarks and tests.
 */
export type { Calibration, CalibrationSample } from './calibrate';
export { cpuMatmul } from './cpu/matmul';
export { gpuMatmul, shutdownGpu } from './gpu/gpu-backend';
export { referenceMatmul } from './reference-matmul';
export {
  type BackendInfo,
  type BackendRequest,
  calibrateAutoThreshold,
  getBackend,
  matmulKernel,
  setAutoThreshold,
  setBackend,
} from './select';
export type { Backend, BackendName, FloatArray, MatmulSpec } from './types';
