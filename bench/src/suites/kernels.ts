/**
 * Kernel suite: matmul GFLOP/s of metagrad's CPU and GPU backends and of peer libraries, all
 * measured in this run, as ratios to TensorFlow.js's CPU backend. Also reports the in-L1
 * ceiling of scalar JavaScript on this machine, the cost of the synchronous GPU bridge, and
 * the `auto` threshold calibrated here. metagrad's CPU kernel is measured on one thread and on
 * every core (the row split of threads.ts; the same bits either way).
 */
import {
  calibrateAutoThreshold,
  getBackend,
  gpuMatmul,
  PARALLEL_MIN_MACS,
  Rng,
  setBackend,
  setNumThreads,
  shutdownGpu,
} from '@metagrad/autodiff';
import { checkGpuDevice, describeGpuDevice } from '../gpu-device-check';
import { duration, rate, type TimingOptions, time } from '../infra/measure';
import type { Cell, ReportRow, Suite, SuiteOptions } from '../infra/suite';
import { microKernelCeiling } from './kernels-ceiling';
import {
  ALL_PEERS,
  ALL_THREADS,
  gpuJsWebGpu,
  gpuJsWebGpuAdapter,
  metagradCpu,
  metagradCpuThreads,
  releaseGpuJsWebGpu,
  type Shape,
  tfjsCpu,
} from './kernels-peers';

const SHAPES: Shape[] = [
  ...[32, 64, 128, 256, 512].map((s) => ({ label: `${s}³`, batch: 1, m: s, k: s, n: s })),
  { label: '64 × 32³', batch: 64, m: 32, k: 32, n: 32 },
  { label: '20 × 64³', batch: 20, m: 64, k: 64, n: 64 },
  { label: 'policy 2000×100·100×100', batch: 1, m: 2000, k: 100, n: 100 },
  // the policy layer's backward products (weight and input gradients)
  { label: 'policy Aᵀ·B 100×2000·2000×100', batch: 1, m: 100, k: 2000, n: 100, transA: true },
  { label: 'policy A·Bᵀ 2000×100·(100×100)ᵀ', batch: 1, m: 2000, k: 100, n: 100, transB: true },
  // the 2D-navigation training policy (64-64 tanh) on one task's 20 × 100 steps
  { label: 'train 2000×64·64×64', batch: 1, m: 2000, k: 64, n: 64 },
  { label: 'train Aᵀ·B 64×2000·2000×64', batch: 1, m: 64, k: 2000, n: 64, transA: true },
];

function operands(s: Shape, seed: number): [Float64Array, Float64Array] {
  const rng = new Rng(seed);
  const fill = (len: number) => Float64Array.from({ length: len }, () => rng.uniformRange(-1, 1));
  return [fill(s.batch * s.m * s.k), fill(s.batch * s.k * s.n)];
}

async function measureTable(timing: TimingOptions): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for (const [i, shape] of SHAPES.entries()) {
    const [a, b] = operands(shape, i);
    const flops = 2 * shape.batch * shape.m * shape.k * shape.n;
    const cells: Record<string, Cell> = {};
    for (const peer of ALL_PEERS) {
      const fn = await peer.prepare(shape, a, b);
      cells[peer.name] = typeof fn === 'string' ? fn : rate(await time(fn, timing), flops, 1e-9, 'GFLOP/s');
    }
    rows.push({ name: shape.label, cells });
    console.error(`  ${shape.label} done`);
  }
  return rows;
}

/** Round-trip cost of a 1×1·1×1 product: metagrad's synchronous bridge vs gpu.js awaited directly. */
async function bridgeOverhead(timing: TimingOptions): Promise<string> {
  const shape: Shape = { label: '1³', batch: 1, m: 1, k: 1, n: 1 };
  const a = Float64Array.of(2);
  const b = Float64Array.of(3);
  const out = new Float64Array(1);
  const spec = { batch: 1, m: 1, k: 1, n: 1, transA: false, transB: false, aOffsets: null, bOffsets: null };
  const direct = await gpuJsWebGpu.prepare(shape, a, b);
  if (typeof direct === 'string') return `GPU bridge overhead: ${direct}`;
  const bridged = duration(await time(() => gpuMatmul(a, b, out, spec), timing));
  const raw = duration(await time(direct, timing));
  return (
    `Synchronous GPU bridge (worker + SharedArrayBuffer + Atomics.wait), 1×1·1×1 round trip: ` +
    `${bridged.median.toFixed(3)} ms (min ${bridged.min.toFixed(3)}) vs gpu.js WebGPU awaited directly ` +
    `${raw.median.toFixed(3)} ms (min ${raw.min.toFixed(3)}): overhead ≈ ${(bridged.median - raw.median).toFixed(3)} ms per call.`
  );
}

/** Same-run speed-up of the multi-threaded kernel over one thread, per shape (goal ≥ 1.7× on the large ones). */
function threadSpeedups(rows: ReportRow[]): string {
  if (ALL_THREADS < 2) return 'Threads: one core only, no multi-threaded column.';
  const ratios = rows.flatMap((r) => {
    const one = r.cells[metagradCpu.name];
    const all = r.cells[metagradCpuThreads.name];
    if (!one || !all || typeof one === 'string' || typeof all === 'string') return [];
    return [`${r.name} ${(all.median / one.median).toFixed(2)}×`];
  });
  return `metagrad cpu, ${ALL_THREADS} threads over 1 thread (same run; products under ${PARALLEL_MIN_MACS} multiply-adds stay on one thread): ${ratios.join(', ')}.`;
}

function autoNote(): { note: string; calibration: unknown } {
  setBackend('auto');
  const cal = calibrateAutoThreshold();
  setBackend('cpu');
  if (cal.samples.length === 0) return { note: `auto threshold: ∞ (${cal.reason})`, calibration: cal };
  const samples = cal.samples.map(
    (s) => `${s.size}³ cpu ${s.cpuMs.toFixed(2)} ms / gpu ${s.gpuMs.toFixed(2)} ms`,
  );
  const threshold = Number.isFinite(cal.thresholdFlops)
    ? `${cal.thresholdFlops.toExponential(2)} FLOPs`
    : '∞ (GPU never wins: auto = cpu)';
  return { note: `auto threshold calibrated here: ${threshold}; ${samples.join('; ')}.`, calibration: cal };
}

async function run(options: SuiteOptions) {
  const timing: TimingOptions = options.quick
    ? { maxTime: 0.15, minSamples: 3 }
    : { maxTime: 0.5, minSamples: 7 };
  const device = checkGpuDevice();
  const rows = await measureTable(timing);
  setNumThreads(ALL_THREADS);
  setBackend('gpu');
  const gpuInfo = getBackend();
  setBackend('cpu');
  const notes = [
    `metagrad gpu adapter: ${gpuInfo.active === 'gpu' ? gpuInfo.adapter : `none (${gpuInfo.reason})`}; ` +
      `gpu.js webgpu direct adapter: ${gpuJsWebGpuAdapter ?? 'none'}.`,
    `GPU device check: ${describeGpuDevice(device)}.`,
    `In-L1 ceiling of a scalar-JS 4×4 register micro-kernel on this machine: ${microKernelCeiling().toFixed(2)} GFLOP/s (f64).`,
  ];
  notes.push(threadSpeedups(rows));
  if (gpuInfo.active === 'gpu') notes.push(await bridgeOverhead(timing));
  const auto = autoNote();
  notes.push(auto.note);
  notes.push(
    'GPU columns compute in float32 and include upload and readback; f32 peers convert operands once, outside the timing.',
  );
  notes.push(
    'tfjs wasm: XNNPACK with SIMD on one thread (its threaded build needs browser workers, not Node).',
  );
  await shutdownGpu();
  await releaseGpuJsWebGpu();
  return {
    suite: 'kernels',
    title: 'matmul GFLOP/s',
    columns: rowsColumns(),
    rows,
    baseline: tfjsCpu.name,
    higherIsBetter: true,
    notes,
    extra: { gpuDevice: device, gpuBackend: gpuInfo, calibration: auto.calibration },
  };
}

function rowsColumns(): string[] {
  return ALL_PEERS.map((p) => p.name);
}

export const kernelsSuite: Suite = {
  name: 'kernels',
  description:
    'matmul GFLOP/s: metagrad cpu/gpu vs tfjs cpu/wasm, ml-matrix, ndarray-gemm, gpu.js cpu/webgpu',
  run,
};
