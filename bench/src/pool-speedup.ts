import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStudyMdp } from '@metagrad/estimators';
import { pooledStudy, resolveConfig, trainRun } from '@metagrad/train';
import { readPreset } from '@metagrad/train/dist/cli/train-command';

/**
 * Speed-up of the worker pool at 2 workers over 1 (in-process), on the two workloads:
 * one MAML-TRPO meta-iteration of 2D navigation (preset maml-trpo-nav2d) and a `study` of 4,000
 * repeats (the default MDP study). Prints each repetition, the medians, speed-up and parallel
 * efficiency, and the load average around each run (the cores may be shared).
 *   node bench/dist/pool-speedup.js [repetitions=3] [workers=2]
 */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg()[0].toFixed(2);

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 3);
  const many = Number(process.argv[3] ?? 2);
  const config = resolveConfig({ ...readPreset('maml-trpo-nav2d'), iterations: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'metagrad-pool-bench-'));
  const workloads: [string, (w: number) => Promise<unknown>][] = [
    [
      'MAML-TRPO nav2d, 1 meta-iteration',
      (w) => trainRun({ dir: join(dir, 'run'), config, force: true, workers: w }),
    ],
    [
      'study, 4000 repeats',
      (w) => pooledStudy({ problem: { kind: 'mdp', mdp: defaultStudyMdp() }, repeats: 4000, seed: 0 }, { workers: w }),
    ],
  ];
  try {
    for (const [name, run] of workloads) {
      const times: Record<number, number[]> = { 1: [], [many]: [] };
      for (let r = 0; r < reps; r++)
        for (const w of [1, many]) {
          const before = load();
          const s = await timed(() => run(w));
          times[w].push(s);
          process.stdout.write(`${name}: workers ${w}: ${s.toFixed(2)} s (load ${before} → ${load()})\n`);
        }
      const speedup = median(times[1]) / median(times[many]);
      process.stdout.write(
        `| ${name} | ${median(times[1]).toFixed(2)} s | ${median(times[many]).toFixed(2)} s | ${speedup.toFixed(2)}× | ${((100 * speedup) / many).toFixed(0)}% |\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
