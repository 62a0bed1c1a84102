/**
 * Supervised meta-learning cost: one meta-iteration on sinusoid regression in the MAML paper's
 * setup (25 tasks × 10 shots, 1→40→40→1 ReLU, one inner step α = 0.01, Adam), per algorithm,
 * split into data (drawing the meta-batch), gradient (inner loop and the meta-gradient through
 * it) and optimizer (the outer step). The run directory's per-iteration file writes are left out.
 */
import {
  initParams,
  makeSupervisedOuter,
  metaDirection,
  resolveSupervisedConfig,
  SUPERVISED_ALGOS,
  trainBatch,
} from '@metagrad/train';
import { summarize } from '../infra/measure';
import type { ReportRow, Suite, SuiteOptions } from '../infra/suite';

const PHASES = ['total', 'data', 'gradient', 'optimizer'] as const;

const stats = (xs: number[]) => summarize(xs, 's');

async function run(options: SuiteOptions) {
  const reps = options.quick ? 20 : 200;
  const rows: ReportRow[] = [];
  for (const algo of SUPERVISED_ALGOS) {
    const config = resolveSupervisedConfig({ algo });
    let params = initParams(config);
    const outer = makeSupervisedOuter(config, params);
    const times: Record<(typeof PHASES)[number], number[]> = {
      total: [],
      data: [],
      gradient: [],
      optimizer: [],
    };
    for (let it = 0; it < reps + 10; it++) {
      const t0 = performance.now();
      const batch = trainBatch(config.seed, it, config.metaBatch, config.shots);
      const t1 = performance.now();
      const d = metaDirection(config, params, batch);
      const t2 = performance.now();
      params = outer.step(params, d.direction, it);
      const t3 = performance.now();
      if (it < 10) continue; // warm-up (JIT)
      times.data.push((t1 - t0) / 1000);
      times.gradient.push((t2 - t1) / 1000);
      times.optimizer.push((t3 - t2) / 1000);
      times.total.push((t3 - t0) / 1000);
    }
    const name = `${algo}, sinusoid 25 tasks × ${config.shots} shots, ${config.innerSteps} inner step${config.innerSteps > 1 ? 's' : ''}`;
    rows.push({ name, cells: Object.fromEntries(PHASES.map((p) => [p, stats(times[p])])) });
    console.error(`  ${name} done`);
  }
  return {
    suite: 'sinusoid',
    title: 'one supervised meta-iteration on sinusoid regression, seconds (median)',
    columns: [...PHASES],
    rows,
    higherIsBetter: false,
    notes: [
      'Goal (issue 14): ≤ 10 ms per MAML meta-iteration (25 tasks, 10-shot).',
      'gradient = inner SGD step(s) for every task at once and the meta-gradient through them (second order for maml, meta-sgd, cavia).',
    ],
  };
}

export const sinusoidSuite: Suite = {
  name: 'sinusoid',
  description: 'one supervised meta-iteration (MAML family) on sinusoid regression, by algorithm',
  run,
};
