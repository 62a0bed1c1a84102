/**
 * Measures where the GPU path starts to beat the CPU kernel on this machine, for `auto`.
 * Square products are timed on both (median of a few runs after a warm-up that compiles the
 * shader), largest first; the threshold is the smallest size from which the GPU wins at every
 * larger size tried. The first size where the GPU loses ends the search, so on a software
 * adapter (where it loses at the largest size) only one size is measured: threshold Infinity.
 */
import { cpuMatmul } from './cpu/matmul';
import { gpuBridge, gpuUnavailableReason } from './gpu/gpu-backend';
import type { MatmulSpec } from './types';

export interface CalibrationSample {
  size: number;
  flops: number;
  cpuMs: number;
  gpuMs: number;
}

export interface Calibration {
  /** Products with at least this many FLOPs (2·batch·m·k·n) go to the GPU under `auto`. */
  thresholdFlops: number;
  samples: CalibrationSample[];
  adapter?: string;
  reason?: string;
}

export const DEFAULT_CALIBRATION_SIZES = [64, 128, 256, 512];

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[s.length >> 1];
}

/** A warm-up slower than this means one timed run is enough (2.6 s per 512³ on llvmpipe). */
const SLOW_MS = 300;

function timeMs(fn: () => void, reps: number): number {
  const t0 = process.hrtime.bigint();
  fn(); // warm-up: shader compile, JIT
  if (Number(process.hrtime.bigint() - t0) / 1e6 > SLOW_MS) reps = 1;
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** Times CPU and GPU matmuls at `sizes` (square) and derives the auto threshold. */
export function measureCrossover(sizes: number[] = DEFAULT_CALIBRATION_SIZES, reps = 3): Calibration {
  const bridge = gpuBridge();
  if (!bridge) return { thresholdFlops: Infinity, samples: [], reason: gpuUnavailableReason() ?? undefined };
  const samples: CalibrationSample[] = [];
  for (const size of [...sizes].sort((p, q) => q - p)) {
    const spec: MatmulSpec = {
      batch: 1,
      m: size,
      k: size,
      n: size,
      transA: false,
      transB: false,
      aOffsets: null,
      bOffsets: null,
    };
    const a = new Float64Array(size * size).fill(0.5);
    const b = new Float64Array(size * size).fill(0.25);
    const out = new Float64Array(size * size);
    const cpuMs = timeMs(() => cpuMatmul(a, b, out, spec), reps);
    const gpuMs = timeMs(() => bridge.matmul(a, b, out, spec), reps);
    samples.push({ size, flops: 2 * size ** 3, cpuMs, gpuMs });
    if (gpuMs >= cpuMs) break;
  }
  let thresholdFlops = Infinity;
  for (const s of samples) if (s.gpuMs < s.cpuMs) thresholdFlops = s.flops;
  samples.reverse(); // ascending size
  return { thresholdFlops, samples, adapter: bridge.adapter };
}
