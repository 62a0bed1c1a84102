/**
 * Synchronous GPU matmul on top of gpu.js's asynchronous WebGPU kernels. A worker thread owns
 * the device; this thread stages operands as float32 in SharedArrayBuffers, posts the job, and
 * blocks in Atomics.wait until the worker has written the result (Atomics.wait is allowed on
 * Node's main thread). Replies come back through receiveMessageOnPort, so nothing here awaits.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  SHARE_ENV,
  Worker,
} from 'node:worker_threads';
import type { FloatArray, MatmulSpec } from '../types';
import { workerScriptPath } from '../worker-script';
import { stagedLength, stageOperand } from './staging';
import type { GpuMatmulJob } from './worker/kernels';

/** Dawn backends tried in order unless METAGRAD_DAWN_BACKENDS says otherwise (Vulkan only with a loader). */
export const DEFAULT_DAWN_BACKENDS = ['vulkan', 'opengles', 'opengl'];
const START_TIMEOUT_MS = 60_000;
const JOB_TIMEOUT_MS = 600_000;
const CLOSE_TIMEOUT_MS = 10_000;

interface Reply {
  ok: boolean;
  reason?: string;
  backend?: string;
  adapter?: string;
}

function dawnAddonPath(): string {
  // the package's index.js is ESM; the native addon it wraps can be required directly
  const root = dirname(require.resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return join(root, 'dist', `${process.platform}-${arch}.dawn.node`);
}

const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

/** Without a Vulkan loader, trying Dawn's Vulkan backend only prints a warning on every start. */
function hasVulkanLoader(): boolean {
  return process.platform !== 'linux' || LIB_DIRS.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

function dawnBackends(): string[] {
  const env = process.env.METAGRAD_DAWN_BACKENDS;
  if (env)
    return env
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return hasVulkanLoader() ? DEFAULT_DAWN_BACKENDS : DEFAULT_DAWN_BACKENDS.filter((b) => b !== 'vulkan');
}

/** A started GPU worker with an adapter. */
export class GpuBridge {
  private aBuf = new SharedArrayBuffer(0);
  private bBuf = new SharedArrayBuffer(0);
  private outBuf = new SharedArrayBuffer(0);

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly ctrl: Int32Array,
    /** Dawn backend in use, e.g. 'vulkan' or 'opengles'. */
    readonly backend: string,
    /** Adapter description, e.g. "opengles: llvmpipe (…)". */
    readonly adapter: string,
  ) {}

  /** Starts the worker and waits for its adapter; returns the reason when there is none. */
  static start(): GpuBridge | { failure: string } {
    let script: string;
    let dawnPath: string;
    let gpuJsPath: string;
    try {
      script = workerScriptPath(join(__dirname, 'worker'), 'main', 'gpu-worker');
      dawnPath = dawnAddonPath();
      gpuJsPath = require.resolve('gpu.js');
    } catch (e) {
      return { failure: `GPU worker cannot be prepared: ${(e as Error).message}` };
    }
    const ctrlBuf = new SharedArrayBuffer(8); // [0]: reply ready, [1]: work posted
    const ctrl = new Int32Array(ctrlBuf);
    const { port1, port2 } = new MessageChannel();
    const workerData = { ctrl: ctrlBuf, port: port2, gpuJsPath, dawnPath, backends: dawnBackends() };
    const worker = new Worker(script, { workerData, transferList: [port2], env: SHARE_ENV });
    worker.unref(); // an idle GPU worker must not keep the process alive
    port1.unref();
    const reply = GpuBridge.await(ctrl, port1, START_TIMEOUT_MS, 'GPU worker start');
    if (!reply.ok) {
      void worker.terminate();
      return { failure: reply.reason ?? 'GPU worker failed to start' };
    }
    return new GpuBridge(worker, port1, ctrl, reply.backend ?? '?', reply.adapter ?? '?');
  }

  private static await(ctrl: Int32Array, port: MessagePort, timeoutMs: number, what: string): Reply {
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(ctrl, 0) === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, reason: `${what} timed out after ${timeoutMs} ms` };
      Atomics.wait(ctrl, 0, 0, left);
    }
    const msg = receiveMessageOnPort(port);
    return msg ? (msg.message as Reply) : { ok: false, reason: `${what}: worker signalled without a reply` };
  }

  private static grow(buf: SharedArrayBuffer, elements: number): SharedArrayBuffer {
    return buf.byteLength >= elements * 4 ? buf : new SharedArrayBuffer(Math.max(elements, 1024) * 4);
  }

  /** out = op(A)·op(B) computed in float32 on the GPU; `spec` must already be validated. */
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
    const { batch, m, k, n } = spec;
    this.aBuf = GpuBridge.grow(this.aBuf, stagedLength(spec.aOffsets, batch, m * k));
    this.bBuf = GpuBridge.grow(this.bBuf, stagedLength(spec.bOffsets, batch, k * n));
    this.outBuf = GpuBridge.grow(this.outBuf, batch * m * n);
    const sa = stageOperand(a, spec.aOffsets, batch, m * k, new Float32Array(this.aBuf));
    const sb = stageOperand(b, spec.bOffsets, batch, k * n, new Float32Array(this.bBuf));
    const job: GpuMatmulJob = {
      batch,
      m,
      k,
      n,
      transA: spec.transA,
      transB: spec.transB,
      strideA: sa.stride,
      strideB: sb.stride,
      aLength: sa.length,
      bLength: sb.length,
    };
    Atomics.store(this.ctrl, 0, 0);
    this.post({ job, a: this.aBuf, b: this.bBuf, out: this.outBuf });
    const reply = GpuBridge.await(this.ctrl, this.port, JOB_TIMEOUT_MS, 'GPU matmul');
    if (!reply.ok) throw new Error(`GPU matmul ${batch}×${m}×${k}×${n} failed: ${reply.reason}`);
    out.set(new Float32Array(this.outBuf, 0, batch * m * n));
  }

  /** Posts a message and wakes the worker, which sleeps between jobs. */
  private post(message: object): void {
    this.port.postMessage(message);
    Atomics.store(this.ctrl, 1, 1);
    Atomics.notify(this.ctrl, 1);
  }

  /**
   * Stops the worker: it destroys its device and exits on its own (terminating it while Dawn
   * is polling aborts the whole process); terminated only if it has not exited in time.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.worker.ref(); // keep the process alive until the worker has exited
      const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.post({ close: true });
      this.port.close();
    });
  }
}
