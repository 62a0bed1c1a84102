import { Rng } from '@metagrad/autodiff';
import { type TabularMdp, tabularMdpTasks } from '@metagrad/envs';

/**
 * The built-in study problem: a random tabular MDP (3 states × 2 actions, horizon 4, γ = 0.95,
 * P(·|s,a) ∼ Dirichlet(1), R(s,a) ∼ N(1, 1), observed reward noise 0.5), drawn with seed 3, and
 * softmax logits ∼ N(0, 0.5²). Small enough to enumerate (256 trajectories, 6 parameters) and to
 * run a 400-repeat study in seconds; rewards are offset from 0, as in the MAML tabular tasks, so
 * baselines and control variates matter.
 */
export function defaultStudyMdp(): TabularMdp {
  const tasks = tabularMdpTasks({ states: 3, actions: 2, horizon: 4, discount: 0.95, rewardStd: 0.5 });
  const mdp = tasks.sample(new Rng(3));
  return { ...mdp, logits: new Rng(103).fillNormal(new Float64Array(6), 0, 0.5) };
}
