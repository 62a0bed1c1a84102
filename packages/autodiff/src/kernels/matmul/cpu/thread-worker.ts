/**
 * A matmul worker thread: sleeps on its header until a block is posted, computes it with the
 * same blocked kernel as the main thread (so the bits do not depend on who computed a block),
 * and signals back. Started by threads.ts; never touches the engine.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { gemmBlocked, type Strided } from './gemm';
import { type ArenaMessage, H, S } from './thread-protocol';

const { header, port } = workerData as { header: SharedArrayBuffer; port: MessagePort };
const ctrl = new Int32Array(header);
let arena: Float64Array<ArrayBufferLike> = new Float64Array(0);
let version = -1;
const A: Strided = { data: arena, base: 0, rs: 0, cs: 0 };
const B: Strided = { data: arena, base: 0, rs: 0, cs: 0 };

/** Takes the arena the job refers to (messages arrive in order, so drain up to its version). */
function syncArena(): void {
  const want = Atomics.load(ctrl, H.VERSION);
  while (version !== want) {
    const msg = receiveMessageOnPort(port);
    if (!msg) throw new Error(`matmul worker: arena version ${want} announced but not received`);
    const m = msg.message as ArenaMessage;
    arena = new Float64Array(m.arena);
    version = m.version;
  }
}

function runJob(): void {
  syncArena();
  A.data = arena;
  A.base = ctrl[H.A_OFF];
  A.rs = ctrl[H.RSA];
  A.cs = ctrl[H.CSA];
  B.data = arena;
  B.base = ctrl[H.B_OFF];
  B.rs = ctrl[H.RSB];
  B.cs = ctrl[H.CSB];
  gemmBlocked(ctrl[H.M], ctrl[H.N], ctrl[H.K], A, B, arena, ctrl[H.OUT_OFF], ctrl[H.LDC]);
}

// sleep while STATE holds what this thread last saw or wrote; the main thread only ever moves
// it to POSTED (a job) or CLOSE, so a finished worker never spins waiting to be reset
let seen: number = S.IDLE;
for (;;) {
  Atomics.wait(ctrl, H.STATE, seen);
  const state = Atomics.load(ctrl, H.STATE);
  if (state === S.CLOSE) break;
  if (state !== S.POSTED) {
    seen = state;
    continue;
  }
  let done: number = S.DONE;
  try {
    runJob();
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
    done = S.FAILED;
  }
  Atomics.store(ctrl, H.STATE, done);
  Atomics.notify(ctrl, H.STATE);
  seen = done;
}
port.close();
