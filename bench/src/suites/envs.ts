/**
 * Environment throughput: stepping cost of the vectorised environments, measured with
 * benchmark.js. The headline case is the MAML 2D-navigation batch: 20 tasks × 20 episodes ×
 * 100 steps = 40,000 environment steps, which should take a few milliseconds.
 */

import {
  CartpoleEnv,
  cartpoleTasks,
  constantPolicy,
  Navigation2dEnv,
  navigation2dTasks,
  type Policy,
  randomPolicy,
  rollout,
  TabularMdpEnv,
  tabularMdpTasks,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';
import { duration, rate, type TimingOptions, time } from '../infra/measure';
import type { ReportRow, Suite, SuiteOptions } from '../infra/suite';

export interface EnvBenchCase {
  name: string;
  /** Environment steps one call performs (for steps/s). */
  steps: number;
  fn: () => void;
}

/** A cheap deterministic policy (no sampling) so the case measures the environment and batching. */
const towardsOrigin: Policy = (obs, t, actions, ctx) => {
  // cheap arithmetic only (no Math.sin): a drift that changes sign every 10 steps, pulled back to 0
  const drift = (t / 10) % 2 < 1 ? 0.05 : -0.05;
  for (let b = 0; b < ctx.size; b++) {
    actions[2 * b] = drift - 0.5 * obs[2 * b];
    actions[2 * b + 1] = 0.03 - 0.5 * obs[2 * b + 1];
  }
};

export function envBenchCases(): EnvBenchCase[] {
  const nav = new Navigation2dEnv();
  const navTasks = navigation2dTasks().trainTasks(20, 0);
  const navSteps = 20 * 20 * 100;
  const tab = tabularMdpTasks().trainTasks(20, 0);
  const tabEnv = new TabularMdpEnv(10, 5, 10);
  const tabPolicy = tabularSoftmaxPolicy(new Float64Array(50), 10, 5);
  const cart = new CartpoleEnv();
  const cartTasks = cartpoleTasks().trainTasks(20, 0);
  const cartPolicy = constantPolicy([0]);
  // episodes end when the pole falls: count the steps actually taken
  const cartSteps = rollout(cart, cartTasks, cartPolicy, { episodes: 20, seed: 1 }).lengths.reduce(
    (a, b) => a + b,
    0,
  );
  return [
    {
      name: 'navigation2d rollout 20 tasks × 20 episodes × 100 steps (deterministic policy)',
      steps: navSteps,
      fn: () => rollout(nav, navTasks, towardsOrigin, { episodes: 20, seed: 1 }),
    },
    {
      name: 'navigation2d rollout 20 × 20 × 100 (uniform random actions, per-lane Rng)',
      steps: navSteps,
      fn: () => rollout(nav, navTasks, randomPolicy(nav.actionSpace), { episodes: 20, seed: 1 }),
    },
    {
      name: 'tabular-mdp 10×5 rollout 20 tasks × 20 episodes × 10 steps (softmax policy)',
      steps: 20 * 20 * 10,
      fn: () => rollout(tabEnv, tab, tabPolicy, { episodes: 20, seed: 1 }),
    },
    {
      name: 'cartpole rollout 20 tasks × 20 episodes × ≤500 steps (constant push)',
      steps: cartSteps,
      fn: () => rollout(cart, cartTasks, cartPolicy, { episodes: 20, seed: 1 }),
    },
  ];
}

async function run(options: SuiteOptions) {
  const timing: TimingOptions = options.quick
    ? { maxTime: 0.2, minSamples: 3 }
    : { maxTime: 2, minSamples: 7 };
  const rows: ReportRow[] = [];
  for (const c of envBenchCases()) {
    const t = await time(c.fn, timing);
    rows.push({ name: c.name, cells: { ms: duration(t), 'M steps/s': rate(t, c.steps, 1e-6, 'M steps/s') } });
    console.error(`  ${c.name} done`);
  }
  return {
    suite: 'envs',
    title: 'environment rollouts (policy callback + stepping + padded batch), median per call',
    columns: ['ms', 'M steps/s'],
    rows,
    higherIsBetter: false,
    notes: [
      'Goal: 2D navigation 20 tasks × 20 episodes × 100 steps (40,000 steps) in a few milliseconds.',
      'Each call allocates the padded output batch and derives two Rng streams per episode.',
      'Cartpole steps count only the steps actually taken before the pole falls.',
    ],
  };
}

export const envsSuite: Suite = {
  name: 'envs',
  description: 'rollout throughput: 2D navigation, tabular MDP, cartpole',
  run,
};
