/**
 * Meta-training cost: one MAML-TRPO meta-iteration on 2D navigation in pytorch-maml-rl's setup
 * (20 tasks × 20 episodes × 100 steps, 64-64 tanh, one inner step, TRPO with 10 CG iterations
 * and ≤ 15 line-search steps), timed whole and split into sampling / inner adaptation / outer
 * gradient / optimiser, as the run directory's timing.jsonl splits it. Each repetition is a
 * different meta-iteration (its own tasks and episodes) from the same meta-parameters. MAML-TRPO
 * also runs on one thread, and its matrix products are counted (FLOPs, share of the time).
 */
import { availableParallelism } from 'node:os';
import { profileMatmuls, setNumThreads } from '@metagrad/autodiff';
import {
  esIteration,
  initEsParams,
  initMetaParams,
  makeEsProblem,
  makeOuterUpdate,
  makeProblem,
  metaIteration,
  resolveConfig,
  VectorAdam,
} from '@metagrad/train';
import { summarize } from '../infra/measure';
import type { ReportRow, Suite, SuiteOptions } from '../infra/suite';

const PHASES = ['total', 'sampling', 'inner', 'outer', 'optimizer'] as const;

const stats = (xs: number[]) => summarize(xs, 's');

async function run(options: SuiteOptions) {
  const reps = options.quick ? 1 : 5;
  const rows: ReportRow[] = [];
  const threads = availableParallelism();
  const matmul: string[] = [];
  const cases: [string, Record<string, string | number>, number][] = [
    [`MAML-TRPO, 2D navigation 20 × 20 × 100, 64-64 tanh (${threads} threads)`, {}, threads],
    ['MAML-TRPO, same setup, 1 thread', {}, 1],
    ['MAML-TRPO, --fisher-tasks 5 (curvature from 5 of the 20 tasks)', { fisherTasks: 5 }, threads],
    ['FOMAML-TRPO, same setup', { algo: 'fomaml' }, threads],
    ['MAML-VPG (Adam), same setup', { outer: 'vpg' }, threads],
  ];
  for (const [name, overrides, t] of threads > 1 ? cases : cases.filter((c) => c[2] === threads)) {
    setNumThreads(t);
    const config = resolveConfig({ ...overrides, iterations: reps });
    const problem = makeProblem(config);
    const meta = initMetaParams(problem);
    const times: Record<(typeof PHASES)[number], number[]> = {
      total: [],
      sampling: [],
      inner: [],
      outer: [],
      optimizer: [],
    };
    for (let it = 0; it < reps; it++) {
      const { result: r, profile } = profileMatmuls(() =>
        metaIteration(problem, makeOuterUpdate(config), meta, it),
      );
      for (const p of PHASES) times[p].push(r.times[p]);
      if (it === 0)
        matmul.push(
          `${name}: ${(profile.flops / 1e9).toFixed(1)} GFLOP of matmul in ${profile.calls} products, ${(100 * (profile.seconds / profile.totalSeconds)).toFixed(0)}% of the time (${(profile.flops / profile.seconds / 1e9).toFixed(2)} GFLOP/s)`,
        );
    }
    rows.push({ name, cells: Object.fromEntries(PHASES.map((p) => [p, stats(times[p])])) });
    console.error(`  ${name} done`);
  }
  setNumThreads(threads);
  const es = await esRow(reps);
  rows.push(es.row);
  return {
    suite: 'train',
    title: 'one meta-iteration, seconds (median over meta-iterations)',
    columns: [...PHASES],
    rows,
    higherIsBetter: false,
    notes: [
      'Goal: ≤ 2 s per MAML-TRPO meta-iteration on this 2-core machine.',
      "pytorch-maml-rl's own config on this machine kind: 19.5 s median per meta-iteration (1 sampler worker), 12.0 s with sampling before optimisation (design notes, training.md).",
      'inner = adaptation for sampling and baseline fits; outer = the outer loss gradient through the adaptation; optimizer = CG on KL Hessian-vector products + line search.',
      `Matrix products in the first meta-iteration of each row: ${matmul.join('; ')}.`,
      `ES-MAML row: ${es.note}`,
    ],
  };
}

/**
 * ES-MAML's cost is its perturbation rollouts: one meta-iteration with hill climbing, K = 20,
 * 10 antithetic pairs on four corners (20 queries × 21 episodes, + 10 logging episodes of θ), one
 * process. Rollouts per second is what a worker pool over the queries would multiply.
 */
async function esRow(reps: number): Promise<{ row: ReportRow; note: string }> {
  const config = resolveConfig({ algo: 'es-maml', env: 'four-corners', k: 20, metaBatch: 10 });
  const problem = makeEsProblem(config);
  const theta = initEsParams(problem).map((_, j) => 0.05 * Math.sin(j + 1));
  const times: Record<(typeof PHASES)[number], number[]> = {
    total: [],
    sampling: [],
    inner: [],
    outer: [],
    optimizer: [],
  };
  let episodes = 0;
  for (let it = 0; it < Math.max(reps, 3); it++) {
    const r = await esIteration(problem, theta, new VectorAdam(problem.policy.dim, config.outerLr), it);
    for (const p of PHASES) times[p].push(r.times[p]);
    episodes = r.record.rollouts + config.metaBatch;
  }
  const total = stats(times.total);
  const row = {
    name: 'ES-MAML hill-climb K=20, 10 pairs, four corners H 100, linear (1 process)',
    cells: {
      total,
      sampling: stats(times.sampling),
      inner: null,
      outer: null,
      optimizer: stats(times.optimizer),
    },
  };
  const rate = episodes / total.median;
  return {
    row,
    note: `${episodes} episodes of 100 steps per meta-iteration, ${rate.toFixed(0)} episodes/s (${((rate * 100) / 1e6).toFixed(2)} M env steps/s) in one process; the queries are pure functions of (θ, iteration, query), so a pool can split them with bit-identical results.`,
  };
}

export const trainSuite: Suite = {
  name: 'train',
  description: 'one MAML-TRPO meta-iteration on 2D navigation, split by phase',
  run,
};
