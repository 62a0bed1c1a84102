/**
 * Entry point of the GPU worker thread. It owns the WebGPU device (readback is asynchronous, so
 * it needs its own event loop) and serves the main thread, which blocks on `ctrl` with
 * Atomics.wait. Protocol: the main thread sets ctrl[0] = 0, posts a job on `port` and sets
 * ctrl[1] = 1 (work posted); the worker writes the result into the shared output buffer, posts
 * a reply, then sets ctrl[0] = 1 and notifies. Replies are read with receiveMessageOnPort.
 * Between jobs the worker sleeps in Atomics.wait on ctrl[1]: Dawn's node bindings poll the
 * device from the event loop as long as it lives, which would otherwise keep a core busy.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { installNavigatorGpu } from './dawn';
import { type GpuJs, type GpuMatmulJob, MatmulKernels } from './kernels';

interface WorkerInit {
  ctrl: SharedArrayBuffer;
  port: MessagePort;
  gpuJsPath: string;
  dawnPath: string;
  backends: string[];
}

interface JobMessage {
  close?: boolean;
  job: GpuMatmulJob;
  a: SharedArrayBuffer;
  b: SharedArrayBuffer;
  out: SharedArrayBuffer;
}

interface GpuJsModule {
  GPU: new (o: object) => GpuJs;
  WebGPUContext: { destroy(): Promise<void> };
}

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl);

function reply(message: Record<string, unknown>): void {
  init.port.postMessage(message);
  Atomics.store(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
}

/** Blocks this thread (event loop included) until the main thread has posted the next message. */
function sleepUntilWork(): void {
  Atomics.wait(ctrl, 1, 0);
  Atomics.store(ctrl, 1, 0);
}

async function start(): Promise<void> {
  // Mesa's EGL must not look for a display server. The worker shares the real process
  // environment (SHARE_ENV), which Dawn's getenv reads; a test runner's sandboxed env would not.
  if (process.platform === 'linux' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const choice = await installNavigatorGpu(init.dawnPath, init.backends);
  if ('failure' in choice) {
    reply({ ok: false, reason: choice.failure });
    return;
  }
  let kernels: MatmulKernels;
  let gpuJs: GpuJsModule;
  try {
    gpuJs = require(init.gpuJsPath) as GpuJsModule;
    kernels = new MatmulKernels(new gpuJs.GPU({ mode: 'webgpu' }));
  } catch (e) {
    reply({ ok: false, reason: `gpu.js failed to start in WebGPU mode: ${(e as Error).message}` });
    return;
  }
  init.port.on('message', (msg: JobMessage) => {
    if (msg.close) {
      // let the event loop drain: terminating a worker inside Dawn's polling aborts the process
      init.port.close();
      void gpuJs.WebGPUContext.destroy();
      return;
    }
    const { job } = msg;
    // views of the shared buffers go straight to Dawn's writeBuffer: no copy in the worker
    const a = new Float32Array(msg.a, 0, job.aLength);
    const b = new Float32Array(msg.b, 0, job.bLength);
    const out = new Float32Array(msg.out, 0, job.batch * job.m * job.n);
    kernels.run(job, a, b, out).then(
      () => {
        reply({ ok: true });
        sleepUntilWork();
      },
      (e: Error) => {
        reply({ ok: false, reason: e.message });
        sleepUntilWork();
      },
    );
  });
  reply({ ok: true, backend: choice.backend, adapter: choice.adapter });
  sleepUntilWork();
}

start().catch((e: Error) => reply({ ok: false, reason: `GPU worker crashed: ${e.message}` }));

// an exception outside a job must still wake the blocked main thread rather than strand it
process.on('uncaughtException', (e: Error) => reply({ ok: false, reason: `GPU worker error: ${e.message}` }));
