import { Rng } from '@metagrad/autodiff';
import { type Batch, episodeReturns } from '@metagrad/envs';
import { adaptOnTask } from './adaptation-operator';
import { perturbationDirection, perturbed, queryPair, querySign } from './es-gradient';
import type { EsProblem } from './es-problem';

/** Stream of the adaptation operator's perturbations (per iteration and pair). */
const ADAPT_STREAM = 0xada;

/** Episode index of the return measured after adaptation; U's queries use 0, 1, 2, … */
export const AFTER_EPISODE = 2 ** 30;
/** Episode index of the logging-only return of the unperturbed θ. */
export const BEFORE_EPISODE = 2 ** 30 + 1;

/** Global index of pair i's task at an iteration (its task and its episodes' streams). */
export const pairTaskIndex = (problem: EsProblem, iteration: number, pair: number) =>
  iteration * problem.cfg.metaBatch + pair;

/** Pair i's training task: task `iteration·P + i` of the seed's training set. */
export function pairTask(problem: EsProblem, iteration: number, pair: number): unknown {
  return problem.tasks.trainTasks(1, problem.cfg.seed, pairTaskIndex(problem, iteration, pair))[0];
}

export interface QueryResult {
  /** R_T(U_T(θ ± σg)): the return of the adapted policy on a fresh episode. */
  value: number;
  /** Episodes played (U's queries and the measurement). */
  rollouts: number;
}

/**
 * One ES-MAML query, a pure function of (θ, iteration, query index q) and the run's seed: pair
 * ⌊q/2⌋'s task and direction g, the point θ ± σg, its adaptation U_T and the adapted policy's
 * return. The two members of a pair share the task, U's random stream and the episodes' streams
 * (common random numbers: their difference is then due to ±σg only). This is the unit a worker
 * pool can run in parallel; combined in query order the results are bit-identical.
 */
export function queryReturn(
  problem: EsProblem,
  theta: Float64Array,
  iteration: number,
  q: number,
  onEpisode?: (batch: Batch, phase: 'explore' | 'adapted') => void,
): QueryResult {
  const { cfg, policy } = problem;
  const pair = queryPair(q);
  const g = perturbationDirection(cfg.seed, iteration, pair, policy.dim);
  const x = perturbed(theta, cfg.sigma, g, querySign(q));
  return adaptedReturn(problem, x, iteration, pair, onEpisode);
}

/** R_T(U_T(x)) on pair `pair`'s task at an iteration (x already perturbed). */
export function adaptedReturn(
  problem: EsProblem,
  x: Float64Array,
  iteration: number,
  pair: number,
  onEpisode?: (batch: Batch, phase: 'explore' | 'adapted') => void,
): QueryResult {
  const { cfg } = problem;
  const task = pairTask(problem, iteration, pair);
  const ti = pairTaskIndex(problem, iteration, pair);
  const rng = new Rng(cfg.seed).derive(ADAPT_STREAM, iteration, pair);
  const adapted = adaptOnTask(problem, task, ti, x, {
    rng,
    seed: cfg.seed,
    onEpisode: onEpisode && ((b) => onEpisode(b, 'explore')),
  });
  const batch = problem.episode(task, ti, adapted.theta, AFTER_EPISODE, cfg.seed);
  onEpisode?.(batch, 'adapted');
  return { value: episodeReturns(batch)[0], rollouts: adapted.rollouts + 1 };
}

/** R_T(θ) of the unperturbed meta-policy on pair i's task: logged as the return before adaptation. */
export function unperturbedReturn(
  problem: EsProblem,
  theta: Float64Array,
  iteration: number,
  pair: number,
): number {
  const task = pairTask(problem, iteration, pair);
  return problem.episodeReturn(
    task,
    pairTaskIndex(problem, iteration, pair),
    theta,
    BEFORE_EPISODE,
    problem.cfg.seed,
  );
}
