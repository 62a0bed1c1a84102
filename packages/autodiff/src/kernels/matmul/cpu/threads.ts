/**
 * Intra-op parallelism for the CPU matmul, like torch.set_num_threads: a large product's output
 * is cut into row (or column) blocks, the main thread computes the first and worker threads the
 * others. A worker gets copies of the operand regions its block reads in its own shared arena
 * (engine tensors live in ordinary ArrayBuffers) and writes its block there; the main thread
 * copies it into place. Every block runs the same blocked kernel with the same KC slicing, so the
 * result is bit-identical at any thread count. Float32 products stay on one thread (their
 * rounding happens in the output array, which the arena would change).
 * Environment: METAGRAD_NUM_THREADS (initial count; default: every core).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FloatArray } from '../types';
import { workerScriptPath } from '../worker-script';
import { gemmBlocked, type Strided } from './gemm';
import { type ArenaMessage, H, HEADER_SLOTS, S } from './thread-protocol';

/** Products below this many multiply-adds stay on one thread: waking a worker costs ~10–50 µs. */
export const PARALLEL_MIN_MACS = 1 << 18;
/** Blocks are whole 4-row (4-column) micro-panels, and at least two of them per thread. */
const MIN_PANELS_PER_THREAD = 2;
const MAX_THREADS = 256;

function checkThreads(where: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new RangeError(`${where} = ${String(n)}, expected an integer from 1 to ${MAX_THREADS}`);
  }
  return n;
}

function initialThreads(): number {
  const raw = process.env.METAGRAD_NUM_THREADS;
  if (raw === undefined || raw === '') return Math.min(availableParallelism(), MAX_THREADS);
  return checkThreads('METAGRAD_NUM_THREADS', Number(raw));
}

let threads = initialThreads();

/** One worker thread with its header and arena. */
class KernelThread {
  readonly ctrl = new Int32Array(new SharedArrayBuffer(HEADER_SLOTS * 4));
  private arena: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private version = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;

  constructor(script: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(script, {
      workerData: { header: this.ctrl.buffer, port: port2 },
      transferList: [port2],
    });
    this.worker.unref(); // an idle kernel thread must not keep the process alive
    port1.unref();
  }

  /** The arena, at least `size` doubles; a grown one is announced to the worker by message. */
  reserve(size: number): Float64Array<ArrayBufferLike> {
    if (this.arena.length < size) {
      const grown = Math.max(size, Math.ceil(this.arena.length * 1.5), 1 << 14);
      const buffer = new SharedArrayBuffer(grown * 8);
      this.arena = new Float64Array(buffer);
      this.version++;
      const msg: ArenaMessage = { arena: buffer, version: this.version };
      this.port.postMessage(msg);
    }
    return this.arena;
  }

  post(job: readonly number[]): void {
    const c = this.ctrl;
    c[H.VERSION] = this.version;
    for (let i = 0; i < job.length; i++) c[H.M + i] = job[i];
    Atomics.store(c, H.STATE, S.POSTED);
    Atomics.notify(c, H.STATE);
  }

  /** Blocks until the posted job is done; throws (naming the worker's error) if it failed or hung. */
  wait(deadlineMs: number): void {
    while (Atomics.load(this.ctrl, H.STATE) === S.POSTED) {
      const left = deadlineMs - Date.now();
      if (left <= 0) throw new Error('matmul worker thread did not answer in time');
      Atomics.wait(this.ctrl, H.STATE, S.POSTED, Math.min(left, 1000));
    }
    if (Atomics.load(this.ctrl, H.STATE) === S.FAILED) {
      const msg = receiveMessageOnPort(this.port)?.message as { error?: string } | undefined;
      throw new Error(`matmul worker thread failed: ${msg?.error ?? 'no reason given'}`);
    }
  }

  close(): Promise<number> {
    Atomics.store(this.ctrl, H.STATE, S.CLOSE);
    Atomics.notify(this.ctrl, H.STATE);
    this.port.close();
    return this.worker.terminate();
  }
}

let pool: KernelThread[] = [];
let unavailable: string | null = null;

/** Worker threads for `threads − 1` blocks, started on first need; [] if they cannot be started. */
function workers(): KernelThread[] {
  if (pool.length >= threads - 1 || unavailable !== null) return pool.slice(0, threads - 1);
  try {
    const script = workerScriptPath(__dirname, 'thread-worker', 'matmul-worker');
    while (pool.length < threads - 1) pool.push(new KernelThread(script));
  } catch (e) {
    unavailable = (e as Error).message;
    process.emitWarning(`metagrad: matmul worker threads unavailable, using one thread (${unavailable})`);
  }
  return pool.slice(0, threads - 1);
}

/**
 * Sets how many threads (main included) large CPU matmuls use; 1 = the single-threaded kernel.
 * Idle workers beyond the count are kept (asleep) so switching back costs no restart and no
 * cold JIT; `shutdownThreads` stops them.
 */
export function setNumThreads(n: number): void {
  threads = checkThreads('setNumThreads(n)', n);
}

/** How many threads large CPU matmuls use (main thread included). */
export function getNumThreads(): number {
  return threads;
}

/** Stops every worker thread (they restart on the next large product). */
export async function shutdownThreads(): Promise<void> {
  const all = pool;
  pool = [];
  await Promise.all(all.map((w) => w.close()));
}

/** Cuts [0, len) into at most `parts` blocks of whole 4-wide panels; null when one block is all it can be. */
function cuts(len: number, parts: number): number[] | null {
  const panels = Math.ceil(len / 4);
  const p = Math.min(parts, Math.floor(panels / MIN_PANELS_PER_THREAD));
  if (p < 2) return null;
  const per = Math.ceil(panels / p) * 4;
  const c = [0];
  for (let x = per; x < len; x += per) c.push(x);
  c.push(len);
  return c;
}

/** Index span [first, last] of a strided rows × cols region starting at (r0, c0). */
function span(v: Strided, r0: number, rows: number, c0: number, cols: number): [number, number] {
  const first = v.base + r0 * v.rs + c0 * v.cs;
  return [first, first + (rows - 1) * v.rs + (cols - 1) * v.cs];
}

/**
 * out = A·B like gemmBlocked, split across threads when the product is large enough and both
 * operands and the output are float64; returns false (having done nothing) when it is not.
 */
export function parallelGemm(
  m: number,
  n: number,
  k: number,
  A: Strided,
  B: Strided,
  out: FloatArray,
  o0: number,
): boolean {
  if (threads < 2 || m * n * k < PARALLEL_MIN_MACS) return false;
  if (!(out instanceof Float64Array && A.data instanceof Float64Array && B.data instanceof Float64Array))
    return false;
  const byRows = cuts(m, threads);
  const c = byRows ?? cuts(n, threads);
  if (c === null) return false;
  const ws = workers();
  const blocks = Math.min(c.length - 1, ws.length + 1);
  if (blocks < 2) return false;
  const bounds = c.slice(0, blocks).concat(byRows ? m : n);

  for (let w = 1; w < blocks; w++) {
    const lo = bounds[w];
    const len = bounds[w + 1] - lo;
    const [a0, a1] = byRows ? span(A, lo, len, 0, k) : span(A, 0, m, 0, k);
    const [b0, b1] = byRows ? span(B, 0, k, 0, n) : span(B, 0, k, lo, len);
    const aLen = a1 - a0 + 1;
    const bLen = b1 - b0 + 1;
    const outLen = byRows ? len * n : m * len;
    const arena = ws[w - 1].reserve(aLen + bLen + outLen);
    arena.set(A.data.subarray(a0, a1 + 1), 0);
    arena.set(B.data.subarray(b0, b1 + 1), aLen);
    const rows = byRows ? len : m;
    const cols = byRows ? n : len;
    // job: M N K RSA CSA RSB CSB A_OFF B_OFF OUT_OFF LDC
    ws[w - 1].post([rows, cols, k, A.rs, A.cs, B.rs, B.cs, 0, aLen, aLen + bLen, cols]);
  }
  // the main thread's block reads the operands in place and writes straight into `out`
  if (byRows) gemmBlocked(bounds[1], n, k, A, B, out, o0, n);
  else gemmBlocked(m, bounds[1], k, A, B, out, o0, n);

  const deadline = Date.now() + 30_000 + (m * n * k) / 1e5;
  for (let w = 1; w < blocks; w++) {
    const t = ws[w - 1];
    try {
      t.wait(deadline);
    } catch (e) {
      void shutdownThreads();
      throw new Error(`matmulKernel: ${m}×${k}·${k}×${n} on ${blocks} threads: ${(e as Error).message}`);
    }
    const lo = bounds[w];
    const len = bounds[w + 1] - lo;
    const arena = t.reserve(0);
    const outOff = t.ctrl[H.OUT_OFF];
    if (byRows) out.set(arena.subarray(outOff, outOff + len * n), o0 + lo * n);
    else
      for (let i = 0; i < m; i++)
        out.set(arena.subarray(outOff + i * len, outOff + (i + 1) * len), o0 + i * n + lo);
  }
  return true;
}
