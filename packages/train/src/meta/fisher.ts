import { type Cotangent, grad, jvp, type PyTree, vjp } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { treeToVector, vectorToTree } from '../outer/tree-vector';
import type { MetaParams } from './adaptation';
import { innerHessianProduct } from './inner-hessian';
import { adaptChain, firstOrderOf, innerStepsOf, type TaskSamples } from './meta-objective';
import type { Problem } from './problem';

/**
 * The Hessian of TRPO's constraint, the mean KL(π_old ‖ π_θk(θ)) of the post-adaptation
 * policies, times a vector, at the sampling meta-parameters θ_old, without third derivatives.
 * There ∇_θk KL = 0, so the Hessian is exactly Jᵀ F J, J = ∂θ_k/∂θ the adaptation's Jacobian and
 * F the policy's KL Hessian (Fisher matrix) at θ_k: the policy's closed-form `fisherProduct`
 * when it has one, else a reverse pass through the traced ∇KL(θ_k). Each task's graphs are built
 * once and every product only runs passes over them: J v = Jᵀv when J is
 * symmetric (one step, one scalar α: J = I + α∇²f̂), else a forward-mode product. In the
 * symmetric case J v = v + α∇²f̂ v comes in closed form when the policy and objective allow
 * (`innerHessianProduct`: matrix products only, no traced graph of ∇f̂). With FOMAML (J = I) it
 * is the policy's Fisher alone.
 */
export function metaFisherProduct<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  samples: readonly TaskSamples<P>[],
): (v: Float64Array) => Float64Array {
  const k = innerStepsOf(problem);
  const firstOrder = firstOrderOf(problem) || k === 0;
  const symmetric = k === 1 && meta.alpha === undefined;
  const alpha = problem.cfg.alpha; // adaptChain's step size when α is not learned
  const tasks = samples.map((s) => {
    const last = s.batches[s.batches.length - 1];
    const fisher = problem.model.fisherProduct?.(s.adapted, last) ?? klHessian(problem, s.adapted, last);
    const hessian =
      symmetric && !firstOrder
        ? innerHessianProduct(problem, meta.policy, s.task, s.batches[0], s.innerValues[0])
        : null;
    const adapt = (m: MetaParams<P>) => adaptChain(problem, m, s.task, s.batches, s.innerValues, k, false);
    const [, jt] = firstOrder || hessian ? [null, null] : vjp(adapt, meta);
    return { fisher, adapt, jt, hessian };
  });
  return (v) => {
    const total = new Float64Array(v.length);
    const vTree = vectorToTree(meta, v);
    for (const t of tasks) {
      let w: Float64Array;
      const h = t.hessian;
      if (h !== null) {
        const j = (x: P) => vectorToTree(x, treeToVector(h(x)), alpha, x); // (I + α∇²f̂) x
        w = treeToVector({ policy: j(t.fisher(j(vTree.policy))) });
      } else if (t.jt === null) {
        // J = I on the policy part (first order: θ_k = θ + constant); the policy's leaves come first
        w = new Float64Array(v.length);
        w.set(treeToVector(t.fisher(vTree.policy)), 0);
      } else {
        const jv = symmetric
          ? (t.jt(vTree.policy)[0] as MetaParams<P>).policy
          : (jvp(t.adapt, [meta], [vTree])[1] as P);
        w = treeToVector(t.jt(t.fisher(jv))[0]);
      }
      for (let i = 0; i < total.length; i++) total[i] += w[i] / tasks.length;
    }
    return total;
  };
}

/** The policy's KL Hessian at `adapted` by differentiating `kl` twice (for policies without a closed form). */
function klHessian<P extends PyTree>(problem: Problem<P>, adapted: P, batch: Batch): (v: P) => P {
  const [, pullback] = vjp((p: P) => grad((q: P) => problem.model.kl(adapted, q, batch))(p), adapted);
  return (v) => pullback(v as Cotangent<P>)[0] as P;
}
