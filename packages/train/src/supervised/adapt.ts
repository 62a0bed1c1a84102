import { grad, mapTree, mul, stopGradient, sub, type Tensor, zeros } from '@metagrad/autodiff';
import type { SupervisedAlgo } from './config';
import type { TaskPoints } from './data';
import { forward, type Net, summedTaskMse, tileNet, withContext } from './model';
import type { SupervisedParams } from './params';

/** Every task's adapted model: per-task weights [T, …], or (CAVIA) shared θ with per-task context φ [T, C]. */
export interface Adapted {
  net: Net;
  context: Tensor | null;
}

export interface InnerOptions {
  algo: SupervisedAlgo;
  steps: number;
  /** Step size (Meta-SGD uses its learned per-parameter α instead). */
  alpha: number;
  /** CAVIA: number of context parameters. */
  contextDim: number;
  /**
   * FOMAML: the inner gradients are stopGradient'ed, so the meta-gradient is ∇L_query at the
   * adapted weights (the Jacobian of the adaptation becomes I).
   */
  firstOrder: boolean;
}

/** Predictions [T, K, 1] of the adapted models at x [T, K, 1]. */
export function predict(a: Adapted, x: Tensor): Tensor {
  return forward(a.net, a.context === null ? x : withContext(x, a.context));
}

/** The model before adaptation (CAVIA: context 0, which leaves the input layer as θ alone makes it). */
export function unadapted(
  p: SupervisedParams,
  tasks: number,
  algo: SupervisedAlgo,
  contextDim: number,
): Adapted {
  return algo === 'cavia'
    ? { net: p.net, context: zeros([tasks, contextDim]) }
    : { net: tileNet(p.net, tasks), context: null };
}

/**
 * One SGD step on each task's support points, all tasks at once. Differentiable in `p` (the
 * engine's grad returns graph-carrying gradients), so a grad of a loss of the result is MAML's
 * second-order meta-gradient. CAVIA moves only the context; θ is never touched by the inner loop.
 */
export function adaptStep(p: SupervisedParams, a: Adapted, support: TaskPoints, o: InnerOptions): Adapted {
  const cut = (g: Tensor) => (o.firstOrder ? stopGradient(g) : g);
  if (a.context !== null) {
    const net = a.net;
    const g = grad((c: Tensor) => summedTaskMse(forward(net, withContext(support.x, c)), support.y))(
      a.context,
    );
    return { net, context: sub(a.context, mul(cut(g), o.alpha)) };
  }
  const g = grad((n: Net) => summedTaskMse(forward(n, support.x), support.y))(a.net) as Net;
  const rate = (i: number, k: 'W' | 'b') => (p.alpha === undefined ? o.alpha : p.alpha[i][k]);
  return {
    net: a.net.map((l, i) => ({
      W: sub(l.W, mul(cut(g[i].W), rate(i, 'W'))),
      b: sub(l.b, mul(cut(g[i].b), rate(i, 'b'))),
    })),
    context: null,
  };
}

/** `o.steps` inner steps from the unadapted model (CAVIA: from context 0 for every task). */
export function adapt(p: SupervisedParams, support: TaskPoints, o: InnerOptions): Adapted {
  let a = unadapted(p, support.x.shape[0], o.algo, o.contextDim);
  for (let s = 0; s < o.steps; s++) a = adaptStep(p, a, support, o);
  return a;
}

/** Detach every tensor of a pytree (values only, no graph). */
export const detachTree = <T>(t: T): T => mapTree(t, stopGradient);
