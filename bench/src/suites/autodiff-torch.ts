import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@metagrad/autodiff';
import type { TimingOptions } from '../infra/measure';
import type { PolicyBatch } from '../policy-model';

/**
 * The same policy workload in PyTorch (float64, `threads` threads), run by bench/peers/torch_policy.py
 * under the system Python when it can import torch (Debian: `apt-get install python3-torch`).
 * Never a dependency: without it the suite prints a note and leaves the column empty.
 */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', '..', 'peers', 'torch_policy.py');
// torch.set_num_threads covers PyTorch's own pool; the BLAS it links may keep its own threads
const threadEnv = (n: number) => ({
  OMP_NUM_THREADS: String(n),
  OPENBLAS_NUM_THREADS: String(n),
  MKL_NUM_THREADS: String(n),
});

export type TorchWorkload = 'forward' | 'valueAndGrad' | 'hvp' | 'maml';

export interface TorchPeer {
  version: string;
  threads: number;
  /** Seconds per call, one entry per sample. */
  timings: Record<TorchWorkload, number[]>;
  /** Flattened in the policy's leaf order, for checking against metagrad. */
  hvp: number[];
  metaGrad: number[];
}

const asJson = (t: Tensor) => ({ shape: t.shape, data: Array.from(t.data) });

/** PyTorch's timings and results, or a one-line reason why they are not available. */
export function runTorchPeer(
  params: readonly Tensor[],
  batch: PolicyBatch,
  direction: readonly Tensor[],
  alpha: number,
  timing: TimingOptions,
  threads = 1,
): TorchPeer | string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0)
    return `PyTorch peer skipped: ${PYTHON} cannot import torch (apt-get install python3-torch to add it)`;
  const dir = mkdtempSync(join(tmpdir(), 'metagrad-torch-'));
  try {
    const input = join(dir, 'input.json');
    writeFileSync(
      input,
      JSON.stringify({
        params: params.map(asJson),
        direction: direction.map(asJson),
        obs: asJson(batch.obs),
        actions: asJson(batch.actions),
        advantages: asJson(batch.advantages),
        alpha,
        threads,
        ...timing,
      }),
    );
    const run = spawnSync(PYTHON, [SCRIPT, input], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, ...threadEnv(threads) },
    });
    if (run.error !== undefined || run.status !== 0)
      return `PyTorch peer failed (exit ${run.status}): ${(run.error?.message ?? run.stderr).trim().split('\n').pop()}`;
    return JSON.parse(run.stdout) as TorchPeer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
