import { grad, type PyTree, type Tensor, tensor, vjp } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import type { Problem } from './problem';

/**
 * v ↦ ∇²f(θ)·v for the inner objective f = S∘ℓ of one task's batch, ℓ = model.logProbs(·, batch),
 * in closed form: Jℓᵀ ∇²S Jℓ v + Σ_n g_n ∇²ℓ_n v with g = ∇S(ℓ(θ)), from the policy's
 * `logProbCurvature`. S is small ([B, T] in, a scalar out), so its derivatives come from the
 * engine: ∇S traced once, whose pullback (∇²S is symmetric) gives ∇²S·u per product, 0 when S
 * is linear as `maml`'s is. Null when the model has no closed form or the objective is not of
 * this form (the tabular `exact` oracle): callers then differentiate `problem.inner` instead.
 */
export function innerHessianProduct<P extends PyTree>(
  problem: Problem<P>,
  params: P,
  task: unknown,
  batch: Batch,
  values: Float64Array | undefined,
): ((v: P) => P) | null {
  const { model } = problem;
  const surrogate = problem.innerSurrogate?.(task, batch, values);
  if (!surrogate || !model.logProbCurvature) return null;
  const shape = [batch.size, batch.horizon];
  const lp = tensor(Float64Array.from(model.logProbs(params, batch).data), { shape });
  const [g, pullback] = vjp((l: Tensor) => grad(surrogate)(l) as Tensor, lp);
  const curvature = model.logProbCurvature(params, batch, Float64Array.from((g as Tensor).data));
  const outer = (jv: Float64Array) => Float64Array.from((pullback(tensor(jv, { shape }))[0] as Tensor).data);
  return (v) => curvature.hvp(v, outer);
}
