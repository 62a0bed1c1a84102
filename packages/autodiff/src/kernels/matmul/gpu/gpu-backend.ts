/**
 * The GPU backend's lifecycle: started on first need, at most once per process, with one clear
 * warning when no adapter can be had. `METAGRAD_GPU_FORCE_NO_ADAPTER=1` pretends there is none
 * (to test the fallback).
 */
import type { FloatArray, MatmulSpec } from '../types';
import { validateMatmul } from '../validate';
import { GpuBridge } from './bridge';

type GpuState = { kind: 'unstarted' } | { kind: 'up'; bridge: GpuBridge } | { kind: 'down'; reason: string };

let state: GpuState = { kind: 'unstarted' };
let warned = false;
let exitHookInstalled = false;

function start(): GpuState {
  if (process.env.METAGRAD_GPU_FORCE_NO_ADAPTER === '1') {
    return { kind: 'down', reason: 'no GPU adapter (forced by METAGRAD_GPU_FORCE_NO_ADAPTER=1)' };
  }
  const started = GpuBridge.start();
  if (!(started instanceof GpuBridge)) return { kind: 'down', reason: started.failure };
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // a live Dawn worker killed at exit can abort the process: close it once the loop is idle
    process.on('beforeExit', () => void shutdownGpu());
  }
  return { kind: 'up', bridge: started };
}

/** The GPU bridge, starting it if needed; null (with a reason) when no adapter is available. */
export function gpuBridge(): GpuBridge | null {
  if (state.kind === 'unstarted') state = start();
  return state.kind === 'up' ? state.bridge : null;
}

/** Why the GPU is not available, or null when it is (or has not been tried). */
export function gpuUnavailableReason(): string | null {
  return state.kind === 'down' ? state.reason : null;
}

/** Prints the fallback warning, once per process. */
export function warnGpuFallback(): void {
  if (warned || state.kind !== 'down') return;
  warned = true;
  console.warn(`metagrad: GPU backend unavailable, using the CPU backend instead. Reason: ${state.reason}`);
}

/** Batched matmul on the GPU (float32 inside); throws when no adapter is available. */
export function gpuMatmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  validateMatmul(a, b, out, spec);
  if (out.length === 0) return;
  if (spec.k === 0) {
    out.fill(0);
    return;
  }
  const bridge = gpuBridge();
  if (!bridge) throw new Error(`gpuMatmul: ${gpuUnavailableReason()}`);
  bridge.matmul(a, b, out, spec);
}

/** Stops the GPU worker; the next GPU use starts a fresh one. */
export async function shutdownGpu(): Promise<void> {
  const current = state;
  state = { kind: 'unstarted' };
  warned = false;
  if (current.kind === 'up') await current.bridge.close();
}
