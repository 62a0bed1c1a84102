/**
 * TensorFlow.js backends the bench measures as peers: its pure-JS `cpu` and its `wasm`
 * (XNNPACK with SIMD; single-threaded in Node, which lacks the cross-origin-isolated workers its
 * threaded build needs). WASM is a peer only: metagrad's own kernels stay hand-written TypeScript.
 */
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type TfBackend = 'cpu' | 'wasm';

let wasmReady: Promise<string | null> | undefined;

/** Initialises and selects `name`; null when ready, else why it cannot run ('n/a: …'). */
export function initTfBackend(name: TfBackend): Promise<string | null> {
  if (name === 'cpu') return tf.setBackend('cpu').then((ok) => (ok ? null : 'n/a: tfjs cpu failed'));
  wasmReady ??= (async () => {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // the .wasm binaries ship in the package's dist/; Node reads them from disk
      const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      wasm.setWasmPaths(join(pkg, 'dist') + sep);
      return (await tf.setBackend('wasm')) ? null : 'n/a: tfjs wasm backend failed to initialise';
    } catch (e) {
      return `n/a: tfjs wasm: ${e instanceof Error ? e.message : String(e)}`;
    }
  })();
  return wasmReady.then(async (why) => why ?? ((await tf.setBackend('wasm')) ? null : 'n/a: tfjs wasm'));
}

/**
 * Makes an initialised backend current before a timed call, so each peer's tensors stay on
 * their own backend (TF.js would otherwise move them over). `tf.setBackend` completes
 * synchronously for an initialised backend; skipped when it is current already.
 */
export function useTfBackend(name: TfBackend): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
}

/** Column label of a backend, e.g. 'TF.js WASM (f32)'. */
export const tfLabel = (name: TfBackend): string => `TF.js ${name.toUpperCase()} (f32)`;
