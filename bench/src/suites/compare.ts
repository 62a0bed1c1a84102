/**
 * `metagrad compare`'s cost per estimator: one training iteration and one tracking point (R = 20
 * meta-gradient estimates + the reference + the test-task evaluation) at θ₀, on the random
 * tabular MDPs of the maml-dice-tabular preset (10 × 5, H 10, 10 tasks × 10 episodes, VPG).
 * The "tracking / iteration" column is the tracking point amortised over K = 10 iterations: the
 * overhead `compare` adds to each training iteration at its defaults.
 */
import {
  COMPARE_ESTIMATORS,
  controlVariateIteration,
  initMetaParams,
  makeOuterUpdate,
  makeProblem,
  metaIteration,
  resolveConfig,
  subRunConfig,
  trackAt,
} from '@metagrad/train';
import { summarize } from '../infra/measure';
import type { ReportRow, Suite, SuiteOptions } from '../infra/suite';

const COLUMNS = ['iteration', 'tracking point', 'tracking / iteration (K = 10)'] as const;

const stats = (xs: number[]) => summarize(xs, 's');

async function run(options: SuiteOptions) {
  const reps = options.quick ? 1 : 3;
  const base = resolveConfig({
    env: 'tabular-mdp',
    outer: 'vpg',
    alpha: 1,
    discount: null,
    outerLr: 0.05,
    metaBatch: 10,
    fastBatch: 10,
    normalizeAdvantages: false,
  });
  const track = { repeats: 20, level: 0.01, evalTasks: 20, evalEpisodes: 10 };
  const rows: ReportRow[] = [];
  for (const name of COMPARE_ESTIMATORS) {
    const config = subRunConfig(base, name, 0);
    const problem = makeProblem(config);
    const meta = initMetaParams(problem);
    // tmaml-meta's iteration includes its control variate's meta-training step
    const step = name === 'tmaml-meta' ? controlVariateIteration : metaIteration;
    const iteration: number[] = [];
    const point: number[] = [];
    for (let it = 0; it < reps; it++) {
      iteration.push(step(problem, makeOuterUpdate(config), meta, it).times.total);
      point.push(trackAt(problem, meta, it, track).times.total);
    }
    const per = point.map((p) => p / 10);
    rows.push({
      name,
      cells: {
        iteration: stats(iteration),
        'tracking point': stats(point),
        'tracking / iteration (K = 10)': stats(per),
      },
    });
    console.error(`  ${name} done`);
  }
  return {
    suite: 'compare',
    title: 'metagrad compare on tabular MDPs: seconds per training iteration and per tracking point (R = 20)',
    columns: [...COLUMNS],
    rows,
    higherIsBetter: false,
    notes: [
      'Each repetition is another meta-batch from the same θ₀.',
      'A tracking point: 20 meta-gradient estimates on fresh episodes, the exact reference (oracles), and the post-adaptation return on 20 test tasks.',
    ],
  };
}

export const compareSuite: Suite = {
  name: 'compare',
  description: 'metagrad compare: one training iteration and one tracking point per estimator',
  run,
};
