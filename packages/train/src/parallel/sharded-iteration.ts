import type { PyTree } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import { meanAndCi } from '../meta/evaluate';
import type { IterationRecord, IterationTimes } from '../meta/meta-learner';
import type { OuterUpdate } from '../meta/outer-update';
import type { Problem } from '../meta/problem';
import { NonFiniteError, requireFiniteOuterStats } from '../non-finite';
import { allFinite, norm, treeToVector, vectorToTree } from '../outer/tree-vector';
import { type TrpoAnswer, type TrpoRequest, type TrpoResult, trpoSteps } from '../outer/trpo';
import type { MetaBatchShards } from './shards';

/** Mean over tasks in slot order, as taskMean sums them: ((0 + x₀) + x₁ + …) / M. */
export function slotMean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Entry-wise sum of per-task vectors in slot order (the tasks' 1/M shares of a mean's gradient). */
export function slotSum(vs: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(vs[0].length);
  for (const v of vs) for (let i = 0; i < out.length; i++) out[i] += v[i];
  return out;
}

/** Entry-wise mean of per-task vectors, accumulated in slot order (so the bits never depend on workers). */
export function slotMeanVector(vs: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(vs[0].length);
  for (const v of vs) for (let i = 0; i < out.length; i++) out[i] += v[i] / vs.length;
  return out;
}

type Step<P> = Pick<
  TrpoResult<P>,
  'params' | 'lossBefore' | 'lossAfter' | 'kl' | 'gradNorm' | 'accepted' | 'stepFraction'
>;

/**
 * The Adam outer updates (VPG: one step; PPO / ProMP: `ppoEpochs` steps) on gradients the shards
 * compute per task, stepped here with the run's own Adam (its moments are the checkpoint's), as
 * ppoUpdate does on the batched loss.
 */
async function adamSteps<P extends PyTree>(
  problem: Problem<P>,
  outer: OuterUpdate<P>,
  shards: MetaBatchShards,
  meta: MetaParams<P>,
  sampled: readonly { loss: number; grad: Float64Array }[],
): Promise<Step<MetaParams<P>>> {
  const { cfg } = problem;
  const adam = (outer.optimizer as NonNullable<typeof outer.optimizer>)(meta);
  const epochs = cfg.outer === 'ppo' ? cfg.ppoEpochs : 1;
  let p = meta;
  let lossBefore = 0;
  let gradNorm = 0;
  for (let e = 0; e < epochs; e++) {
    const parts = e === 0 ? sampled : await shards.gradient(treeToVector(p));
    const value = slotMean(parts.map((x) => x.loss));
    const g = slotSum(parts.map((x) => x.grad));
    if (!Number.isFinite(value))
      throw new NonFiniteError(`ppoUpdate: epoch ${e}: loss is not finite (${value})`);
    if (!allFinite(g)) throw new NonFiniteError(`ppoUpdate: epoch ${e}: gradient of the loss is not finite`);
    if (e === 0) {
      lossBefore = value;
      gradNorm = norm(g);
    }
    p = adam.step(p, vectorToTree(p, g)) as MetaParams<P>;
  }
  const after = await shards.evaluate(treeToVector(p));
  return {
    params: p,
    lossBefore,
    lossAfter: slotMean(after.map((x) => x.loss)),
    kl: slotMean(after.map((x) => x.kl)),
    gradNorm,
    accepted: true,
    stepFraction: 1,
  };
}

/**
 * One meta-iteration with every per-task piece (sampling, adaptation, the task's outer loss,
 * gradient and KL; for TRPO its Fisher products and line-search evaluations, for the Adam
 * updates each epoch's gradient) computed by the shard that owns the task, and combined here in
 * slot order. The same iteration as metaIteration, cut along tasks; its bits are the same at any
 * number of shards because nothing is ever summed across tasks inside a shard.
 */
export async function shardedMetaIteration<P extends PyTree>(
  problem: Problem<P>,
  outer: OuterUpdate<P>,
  shards: MetaBatchShards,
  meta: MetaParams<P>,
  iteration: number,
): Promise<{ meta: MetaParams<P>; record: IterationRecord; times: IterationTimes }> {
  const t0 = performance.now();
  const { cfg } = problem;
  const M = cfg.metaBatch;
  const slots = Array.from({ length: M }, (_, i) => i);
  const curvature = cfg.fisherTasks === null ? slots : slots.slice(0, cfg.fisherTasks);
  const inIteration = (e: unknown): never => {
    if (e instanceof NonFiniteError) throw new NonFiniteError(`iteration ${iteration}: ${e.message}`);
    throw e;
  };
  const sampled = await shards.sample(iteration, treeToVector(meta)).catch(inIteration);
  const perStep = sampled[0].returns.map((_, s) => meanAndCi(sampled.map((x) => x.returns[s])));
  const t1 = performance.now();

  const answer = async (r: TrpoRequest<MetaParams<P>>): Promise<TrpoAnswer> => {
    switch (r.kind) {
      case 'gradient':
        return {
          kind: 'gradient',
          loss: slotMean(sampled.map((x) => x.loss)),
          grad: slotSum(sampled.map((x) => x.grad)),
        };
      case 'kl':
        return { kind: 'kl', kl: slotMean(sampled.map((x) => x.kl)) };
      case 'fisher':
        return { kind: 'fisher', product: slotMeanVector(await shards.fisher(r.v, curvature)) };
      case 'evaluate': {
        const e = await shards.evaluate(treeToVector(r.candidate));
        return { kind: 'evaluate', loss: slotMean(e.map((x) => x.loss)), kl: slotMean(e.map((x) => x.kl)) };
      }
    }
  };
  const steps = trpoSteps(meta, {
    maxKl: cfg.maxKl,
    cgIters: cfg.cgIters,
    cgDamping: cfg.cgDamping,
    lineSearchSteps: cfg.lineSearchSteps,
    backtrackRatio: cfg.backtrackRatio,
  });
  let result: Step<MetaParams<P>>;
  try {
    if (cfg.outer === 'trpo') {
      let next = steps.next();
      while (!next.done) next = steps.next(await answer(next.value));
      result = next.value;
    } else result = await adamSteps(problem, outer, shards, meta, sampled);
    requireFiniteOuterStats(result);
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    const slot = sampled.findIndex((x) => !Number.isFinite(x.loss) || !allFinite(x.grad));
    const where = slot >= 0 ? ` (first at task ${iteration * M + slot}, meta-batch slot ${slot})` : '';
    throw new NonFiniteError(`iteration ${iteration}: ${e.message}${where}`);
  }
  const t2 = performance.now();
  // per-task seconds summed, over the shards that ran them side by side
  const sampling = sampled.reduce((a, x) => a + x.sampling, 0) / shards.workers;
  const inner = sampled.reduce((a, x) => a + x.inner, 0) / shards.workers;
  return {
    meta: result.params,
    record: {
      iteration,
      returns: perStep.map((x) => x.mean),
      returnsCi95: perStep.map((x) => x.ci95),
      lossBefore: result.lossBefore,
      lossAfter: result.lossAfter,
      kl: result.kl,
      stepFraction: result.stepFraction,
      accepted: result.accepted,
      gradNorm: result.gradNorm,
      paramNorm: norm(treeToVector(result.params)),
    },
    times: {
      iteration,
      sampling,
      inner,
      // the sample phase also computed each task's outer gradient
      outer: Math.max(0, (t1 - t0) / 1000 - sampling - inner),
      optimizer: (t2 - t1) / 1000,
      total: (t2 - t0) / 1000,
    },
  };
}
