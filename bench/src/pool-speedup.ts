import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Speed-up of the worker pool over in-process runs, on the two workloads: one MAML-TRPO
 * meta-iteration of 2D navigation (preset maml-trpo-nav2d) and a `metagrad study` of 4,000
 * repeats (the default MDP study). Each run is a fresh `metagrad` process, as a user runs it
 * (cold JIT in every thread, worker start-up included). Prints each run, then per setup the
 * median wall-clock and CPU seconds (all threads), the speed-up over the in-process run on one
 * thread and the parallel efficiency, with the load average around each run: on shared cores
 * the wall-clock speed-up says little, the CPU seconds say whether the pool adds work.
 *   node bench/dist/pool-speedup.js [repetitions=3] [workers=2] [train|study]
 */
const CLI = join(__dirname, '..', '..', 'packages', 'train', 'dist', 'cli', 'main.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg()[0].toFixed(2);

/** Wall and CPU (user + system, all threads) seconds of one CLI run, from bash's `time`. */
function timed(args: string[]): { wall: number; cpu: number } {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time node '${CLI}' ${quoted} >/dev/null`], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`metagrad ${args.join(' ')} failed: ${r.stderr}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  return { wall, cpu: user + sys };
}

function main(): void {
  const reps = Number(process.argv[2] ?? 3);
  const many = Number(process.argv[3] ?? 2);
  const only = process.argv[4];
  const dir = mkdtempSync(join(tmpdir(), 'metagrad-pool-bench-'));
  const workloads: [string, string, string[]][] = [
    [
      'train',
      'MAML-TRPO nav2d, 1 meta-iteration',
      [
        'train',
        '--config',
        'maml-trpo-nav2d',
        '--iterations',
        '1',
        '--out',
        join(dir, 'run'),
        '--force',
        '--quiet',
      ],
    ],
    ['study', 'study, 4000 repeats', ['study', '--repeats', '4000', '--json']],
  ];
  const setups: [string, string[], number][] = [
    ['in-process, 1 thread', ['--threads', '1', '--workers', '1'], 1],
    ['in-process, 2 matmul threads', ['--threads', '2', '--workers', '1'], 2],
    [`pool, ${many} workers`, ['--workers', String(many)], many],
  ];
  try {
    for (const [key, name, args] of workloads.filter(([k]) => only === undefined || k === only)) {
      const wall: number[][] = setups.map(() => []);
      const cpu: number[][] = setups.map(() => []);
      for (let r = 0; r < reps; r++)
        for (const [k, [label, flags]] of setups.entries()) {
          const before = load();
          // --threads is a global option: before the subcommand
          const threads = flags.slice(0, flags[0] === '--threads' ? 2 : 0);
          const t = timed([...threads, ...args, ...flags.slice(threads.length)]);
          wall[k].push(t.wall);
          cpu[k].push(t.cpu);
          process.stdout.write(
            `${name}, ${label}: ${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU (load ${before} → ${load()})\n`,
          );
        }
      const base = median(wall[0]);
      process.stdout.write(
        `\n| ${key} workload | setup | wall (median) | CPU | speed-up | efficiency |\n|---|---|---|---|---|---|\n`,
      );
      for (const [k, [label, , used]] of setups.entries()) {
        const speedup = base / median(wall[k]);
        process.stdout.write(
          `| ${name} | ${label} | ${median(wall[k]).toFixed(2)} s | ${median(cpu[k]).toFixed(2)} s | ${speedup.toFixed(2)}× | ${((100 * speedup) / used).toFixed(0)}% |\n`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
