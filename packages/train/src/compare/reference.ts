import { grad, type PyTree, type Tensor } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import { innerStepsOf, outerLoss } from '../meta/meta-objective';
import { makeProblem, type Problem, TABULAR_ENVS } from '../meta/problem';
import { sampleTasks } from '../meta/sampling';
import { treeToVector } from '../outer/tree-vector';
import { metaGradientEstimate, stackRows, trackingSeed } from './meta-gradient';

/**
 * What the estimates are measured against at a tracked θ. On tabular MDPs: the exact meta-gradient
 * of the run's objective (the exact oracles inside and outside, averaged over the meta-batch),
 * no sampling. Elsewhere: the mean of `draws` unbiased (DiCE) estimates on independent streams,
 * with its standard error ‖SE‖ = √(Σ_j Var_j / R).
 */
export type Reference =
  | { kind: 'exact'; gradient: Float64Array }
  | { kind: 'sampled'; gradient: Float64Array; draws: Float64Array; repeats: number; se: number };

export const isTabular = (problem: Problem): boolean => TABULAR_ENVS.has(problem.cfg.env);

/**
 * The exact meta-gradient ∇_θ mean_i −J_i(θ_k)/H, θ_{s+1} = θ_s + α∇J_i(θ_s)/H, the full
 * (second-order) MAML objective whatever the run's algorithm: the truth every estimator targets.
 */
export function exactReference<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  tasks: readonly unknown[],
  indices: readonly number[],
): Float64Array {
  const exact = makeProblem({ ...problem.cfg, estimator: 'exact', algo: 'maml' }) as unknown as Problem<P>;
  // the exact objective reads only the tasks: one episode each gives the samples their shape
  const samples = sampleTasks(exact, meta, tasks, indices, innerStepsOf(problem), 1);
  const g = grad((m: unknown) => outerLoss(exact, m as MetaParams<P>, samples) as Tensor)(meta) as {
    policy: PyTree;
  };
  return treeToVector(g.policy, 'exact meta-gradient');
}

/** The reference at θ for the tasks of `iteration`: exact on tabular MDPs, else `repeats` DiCE estimates. */
export function referenceGradient<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  iteration: number,
  tasks: readonly unknown[],
  indices: readonly number[],
  repeats: number,
): Reference {
  if (isTabular(problem)) return { kind: 'exact', gradient: exactReference(problem, meta, tasks, indices) };
  const unbiased = makeProblem({ ...problem.cfg, estimator: 'dice', algo: 'maml' }) as unknown as Problem<P>;
  const rows = Array.from({ length: repeats }, (_, r) =>
    metaGradientEstimate(
      unbiased,
      meta,
      tasks,
      indices,
      trackingSeed(problem.cfg.seed, 'reference', iteration, r),
    ),
  );
  const d = rows[0].length;
  const draws = stackRows(rows);
  const gradient = new Float64Array(d);
  for (const x of rows) for (let j = 0; j < d; j++) gradient[j] += x[j] / repeats;
  let varSum = 0;
  for (const x of rows) for (let j = 0; j < d; j++) varSum += (x[j] - gradient[j]) ** 2 / (repeats - 1);
  return { kind: 'sampled', gradient, draws, repeats, se: Math.sqrt(varSum / repeats) };
}
