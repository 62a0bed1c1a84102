/**
 * Which backend runs each matmul. `cpu` always runs the CPU kernel; `gpu` runs every product on
 * the GPU (falling back to the CPU, with one warning, when there is no adapter); `auto` sends
 * a product to the GPU only when its FLOPs reach a threshold measured on this machine.
 * Environment: METAGRAD_BACKEND (initial choice), METAGRAD_GPU_THRESHOLD_FLOPS (auto threshold,
 * skipping calibration; "Infinity" keeps auto on the CPU).
 */
import { type Calibration, measureCrossover } from './calibrate';
import { cpuMatmul } from './cpu/matmul';
import { gpuBridge, gpuMatmul, gpuUnavailableReason, warnGpuFallback } from './gpu/gpu-backend';
import type { FloatArray, MatmulSpec } from './types';

export type BackendRequest = 'cpu' | 'gpu' | 'auto';

export interface BackendInfo {
  requested: BackendRequest;
  /** Where products run: under `auto`, 'gpu' when at least the large ones go there. */
  active: 'cpu' | 'gpu';
  /** The GPU adapter in use, e.g. "opengles: llvmpipe (…)". */
  adapter?: string;
  /** Why the GPU is not used. */
  reason?: string;
  /** Under `auto`: products with at least this many FLOPs go to the GPU (null until calibrated). */
  autoThresholdFlops?: number | null;
}

/** Under `auto`, products below this never go to the GPU and never trigger calibration. */
const AUTO_MIN_FLOPS = 1 << 20;
const NAMES: readonly BackendRequest[] = ['cpu', 'gpu', 'auto'];

function parseRequest(value: string, source: string): BackendRequest {
  if ((NAMES as readonly string[]).includes(value)) return value as BackendRequest;
  throw new RangeError(`${source} = ${JSON.stringify(value)}, expected one of 'cpu', 'gpu', 'auto'`);
}

function envThreshold(): number | null {
  const raw = process.env.METAGRAD_GPU_THRESHOLD_FLOPS;
  if (raw === undefined || raw === '') return null;
  const v = Number(raw);
  if (Number.isNaN(v) || v < 0) {
    throw new RangeError(
      `METAGRAD_GPU_THRESHOLD_FLOPS = ${JSON.stringify(raw)}, expected a number ≥ 0 or Infinity`,
    );
  }
  return v;
}

let requested: BackendRequest = parseRequest(process.env.METAGRAD_BACKEND || 'cpu', 'METAGRAD_BACKEND');
let autoThreshold: number | null = envThreshold();

/** Chooses the backend for every following matmul; starts the GPU worker for 'gpu' and 'auto'. */
export function setBackend(name: BackendRequest): void {
  requested = parseRequest(name, 'setBackend(name)');
  if (requested === 'cpu') return;
  if (!gpuBridge() && requested === 'gpu') warnGpuFallback();
}

/** What was asked for and what actually runs. */
export function getBackend(): BackendInfo {
  if (requested === 'cpu') return { requested, active: 'cpu' };
  const bridge = gpuBridge();
  if (!bridge) return { requested, active: 'cpu', reason: gpuUnavailableReason() ?? undefined };
  if (requested === 'gpu') return { requested, active: 'gpu', adapter: bridge.adapter };
  if (autoThreshold === null) {
    return {
      requested,
      active: 'cpu',
      adapter: bridge.adapter,
      autoThresholdFlops: null,
      reason:
        'auto: GPU/CPU crossover not measured yet (measured on the first product of ≥ 2^20 FLOPs; ' +
        'or call calibrateAutoThreshold(), or set METAGRAD_GPU_THRESHOLD_FLOPS)',
    };
  }
  const onGpu = Number.isFinite(autoThreshold);
  return {
    requested,
    active: onGpu ? 'gpu' : 'cpu',
    adapter: bridge.adapter,
    autoThresholdFlops: autoThreshold,
    reason: onGpu
      ? undefined
      : 'auto: threshold is Infinity (the GPU lost at every size measured, or it was set so)',
  };
}

/**
 * Measures the GPU/CPU crossover now and uses it as the `auto` threshold (also what happens,
 * lazily, on the first large product under `auto` when no threshold is set).
 */
export function calibrateAutoThreshold(sizes?: number[]): Calibration {
  const result = measureCrossover(sizes);
  autoThreshold = result.thresholdFlops;
  return result;
}

/** Sets the `auto` threshold in FLOPs directly (Infinity: never the GPU; null: calibrate on first use). */
export function setAutoThreshold(flops: number | null): void {
  if (flops !== null && (Number.isNaN(flops) || flops < 0)) {
    throw new RangeError(`setAutoThreshold(flops) = ${flops}, expected a number ≥ 0, Infinity or null`);
  }
  autoThreshold = flops;
}

/** Entry point the engine calls for every matrix product (synchronous on every backend). */
export function matmulKernel(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  if (profile === null) {
    runMatmul(a, b, out, spec);
    return;
  }
  const t0 = performance.now();
  runMatmul(a, b, out, spec);
  profile.seconds += (performance.now() - t0) / 1000;
  profile.calls++;
  profile.flops += 2 * spec.batch * spec.m * spec.k * spec.n;
}

function runMatmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  if (onGpu(spec)) gpuMatmul(a, b, out, spec);
  else cpuMatmul(a, b, out, spec);
}

/** What `profileMatmuls` measured. */
export interface MatmulProfile {
  /** Matrix products run. */
  calls: number;
  /** Seconds inside the matmul kernel. */
  seconds: number;
  /** 2·batch·m·k·n summed over the products. */
  flops: number;
  /** Seconds the whole call took. */
  totalSeconds: number;
}

let profile: MatmulProfile | null = null;

/**
 * Runs `fn` once and reports how much of its time the matrix products took (e.g. to see whether
 * a workload is matmul-bound). Not reentrant.
 */
export function profileMatmuls<T>(fn: () => T): { result: T; profile: MatmulProfile } {
  if (profile !== null) throw new Error('profileMatmuls: already profiling (calls do not nest)');
  const p: MatmulProfile = { calls: 0, seconds: 0, flops: 0, totalSeconds: 0 };
  profile = p;
  const t0 = performance.now();
  try {
    const result = fn();
    p.totalSeconds = (performance.now() - t0) / 1000;
    return { result, profile: p };
  } finally {
    profile = null;
  }
}

function onGpu(spec: MatmulSpec): boolean {
  if (requested === 'cpu') return false;
  if (!gpuBridge()) {
    if (requested === 'gpu') warnGpuFallback();
    return false;
  }
  if (requested === 'gpu') return true;
  const flops = 2 * spec.batch * spec.m * spec.k * spec.n;
  if (flops < AUTO_MIN_FLOPS) return false;
  if (autoThreshold === null) calibrateAutoThreshold();
  return flops >= (autoThreshold as number);
}
