import { valueAndGrad } from '@metagrad/autodiff';
import { initPolicy, makeBatch, objective } from './policy-model';

/**
 * Memory soak: a long loop of value-and-gradient on the policy MLP must keep the heap flat,
 * because nothing the engine builds outlives the call. Prints heap use per block and exits
 * non-zero if the last blocks hold clearly more memory than the first ones.
 *   node bench/dist/soak.js [iterations=600] [batch=500]
 */
function main(): number {
  const iterations = Number(process.argv[2] ?? 600);
  const batchSize = Number(process.argv[3] ?? 500);
  if (!Number.isInteger(iterations) || iterations < 40)
    throw new RangeError(`iterations must be an integer >= 40, got ${process.argv[2]}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch must be a positive integer, got ${process.argv[3]}`);
  const params = initPolicy(0);
  const batch = makeBatch(1, batchSize);
  const vg = valueAndGrad((p: typeof params) => objective(p, batch));
  const gc = (globalThis as { gc?: () => void }).gc;
  const block = Math.floor(iterations / 10);
  const samples: number[] = [];
  for (let i = 1; i <= iterations; i++) {
    vg(params);
    if (i % block === 0) {
      gc?.();
      const mb = process.memoryUsage().heapUsed / 2 ** 20;
      samples.push(mb);
      process.stdout.write(`iteration ${String(i).padStart(6)}  heap ${mb.toFixed(1)} MiB\n`);
    }
  }
  const early = Math.min(...samples.slice(1, 4));
  const late = Math.max(...samples.slice(-3));
  const growth = late - early;
  process.stdout.write(
    `heap growth from early to late blocks: ${growth.toFixed(2)} MiB${gc ? '' : ' (run with --expose-gc for exact numbers)'}\n`,
  );
  // one batch of activations is ~2 MiB at the default size; growth beyond a few of those is a leak
  return growth > 8 ? 1 : 0;
}

process.exitCode = main();
