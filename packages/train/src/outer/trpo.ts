import { type Cotangent, grad, type PyTree, type Tensor, valueAndGrad, vjp } from '@metagrad/autodiff';
import { NonFiniteError } from '../non-finite';
import { conjugateGradient } from './conjugate-gradient';
import { allFinite, checkOption, dot, norm, treeToVector, vectorToTree } from './tree-vector';

export interface TrpoOptions {
  /** Trust region δ: the mean KL a step may reach (default 0.01). */
  maxKl?: number;
  /** Conjugate-gradient iterations for F⁻¹g (default 10). */
  cgIters?: number;
  /** Damping added to the Fisher: CG solves (F + damping·I) s = g (default 1e-5). */
  cgDamping?: number;
  /** CG stops early once rᵀr is below this (default 1e-10). */
  cgResidualTolerance?: number;
  /** Step fractions tried: backtrackRatio^k for k = 0 .. lineSearchSteps − 1 (default 15). */
  lineSearchSteps?: number;
  /** Shrink factor of the backtracking line search, in (0, 1) (default 0.8). */
  backtrackRatio?: number;
}

/**
 * Loss and KL of a line-search candidate in one go, for problems where both share expensive work
 * (in MAML-TRPO both need the inner adaptation). Must agree with `loss` and `kl`.
 */
export type TrpoEvaluate<P> = (p: P) => { loss: number; kl: number };

export interface TrpoStepOptions<P> extends TrpoOptions {
  /** Evaluate line-search candidates with this instead of calling `loss` and `kl` separately. */
  evaluate?: TrpoEvaluate<P>;
  /**
   * F·v (without damping) for the KL's Hessian at `params`, when the caller has a cheaper exact
   * product than differentiating `kl` twice (the meta-learner's Jᵀ F J); default: a reverse pass
   * through the traced ∇kl.
   */
  fisher?: (v: Float64Array) => Float64Array;
}

/** pytorch-maml-rl's TRPO settings. */
export const TRPO_DEFAULTS: Required<TrpoOptions> = {
  maxKl: 0.01,
  cgIters: 10,
  cgDamping: 1e-5,
  cgResidualTolerance: 1e-10,
  lineSearchSteps: 15,
  backtrackRatio: 0.8,
};

export interface TrpoResult<P> {
  /** The new parameters, or the very `params` object given when no step was accepted. */
  params: P;
  accepted: boolean;
  /** backtrackRatio^k of the accepted step; 0 when none was accepted. */
  stepFraction: number;
  /** KL from the current policy at the returned parameters. */
  kl: number;
  lossBefore: number;
  /** Loss at the returned parameters (= lossBefore when no step was accepted). */
  lossAfter: number;
  /** ‖∇loss‖₂ at the current parameters. */
  gradNorm: number;
  /** ‖g − (F + damping·I) s‖₂ left by conjugate gradient. */
  cgResidual: number;
  /** Seconds spent on the loss's value and gradient (the rest is the KL, CG and the line search). */
  gradientSeconds: number;
}

function resolveOptions(options: TrpoOptions): Required<TrpoOptions> {
  const o = { ...TRPO_DEFAULTS, ...options };
  const w = 'trpoStep';
  checkOption(w, 'maxKl', o.maxKl, { min: 0, minExclusive: true });
  checkOption(w, 'cgIters', o.cgIters, { min: 1, integer: true });
  checkOption(w, 'cgDamping', o.cgDamping, { min: 0 });
  checkOption(w, 'cgResidualTolerance', o.cgResidualTolerance, { min: 0 });
  checkOption(w, 'lineSearchSteps', o.lineSearchSteps, { min: 1, integer: true });
  checkOption(w, 'backtrackRatio', o.backtrackRatio, { min: 0, max: 1, minExclusive: true });
  if (o.backtrackRatio === 1)
    throw new RangeError(`${w}: backtrackRatio: expected a number in (0, 1), got ${o.backtrackRatio}`);
  return o;
}

function finiteScalar(where: string, what: string, t: Tensor): number {
  if (t.size !== 1) throw new RangeError(`${where}: ${what}: expected a scalar, got shape [${t.shape}]`);
  const v = t.data[0];
  if (!Number.isFinite(v))
    throw new NonFiniteError(`${where}: ${what} is not finite (${v}) at the current parameters`);
  return v;
}

/**
 * One TRPO step (Schulman et al. 2015, as pytorch-maml-rl runs it). `loss(p)` is the scalar to
 * minimise and `kl(p)` the mean KL from the current policy (0 at `params`). The direction
 * s = (F + damping·I)⁻¹ ∇loss comes from conjugate gradient on exact Fisher–vector products
 * F·v = ∇²kl(params)·v; the full step −β·s has β = sqrt(2δ / sᵀ(F + damping·I)s), i.e. a KL of
 * about δ to second order. Fractions backtrackRatio^k of it are tried in turn and the first that
 * lowers the loss with KL ≤ δ is taken (candidates with a non-finite loss or KL are rejected);
 * if none is, the original `params` come back untouched. Throws when the loss, its gradient, the
 * KL or a Fisher product is not finite at `params`.
 */
export function trpoStep<P extends PyTree>(
  params: P,
  loss: (p: P) => Tensor,
  kl: (p: P) => Tensor,
  options: TrpoStepOptions<P> = {},
): TrpoResult<P> {
  const where = 'trpoStep';
  const { evaluate, fisher, ...rest } = options;
  const o = resolveOptions(rest);
  const t0 = performance.now();
  const [lossTensor, gradTree] = valueAndGrad(loss)(params) as [Tensor, P];
  const gradientSeconds = (performance.now() - t0) / 1000;
  const lossBefore = finiteScalar(where, 'loss', lossTensor);
  const g = treeToVector(gradTree, `${where}: gradient`);
  if (!allFinite(g))
    throw new NonFiniteError(`${where}: gradient of the loss is not finite at the current parameters`);
  const klBefore = finiteScalar(where, 'KL', kl(params));
  const gradNorm = norm(g);
  const unchanged: TrpoResult<P> = {
    params,
    accepted: false,
    stepFraction: 0,
    kl: klBefore,
    lossBefore,
    lossAfter: lossBefore,
    gradNorm,
    cgResidual: 0,
    gradientSeconds,
  };
  if (gradNorm === 0) return unchanged;

  const fisherVector = fisher
    ? withDamping(fisher, o.cgDamping)
    : fisherVectorProduct(kl, params, o.cgDamping);
  const cg = conjugateGradient(fisherVector, g, {
    iterations: o.cgIters,
    residualTolerance: o.cgResidualTolerance,
  });
  const s = cg.x;
  // sᵀ(F + damping·I)s from CG's running A·x: one Fisher product fewer than applying it to s
  const sFs = dot(s, cg.Ax);
  if (!(sFs > 0)) return { ...unchanged, cgResidual: cg.residualNorm };
  const beta = Math.sqrt((2 * o.maxKl) / sFs);

  for (let k = 0; k < o.lineSearchSteps; k++) {
    const fraction = o.backtrackRatio ** k;
    const candidate = vectorToTree(params, s, -fraction * beta, params);
    const { loss: lossAfter, kl: klAfter } = evaluate
      ? evaluate(candidate)
      : { loss: loss(candidate).data[0], kl: kl(candidate).data[0] };
    if (
      Number.isFinite(lossAfter) &&
      Number.isFinite(klAfter) &&
      lossAfter < lossBefore &&
      klAfter <= o.maxKl
    ) {
      return {
        params: candidate,
        accepted: true,
        stepFraction: fraction,
        kl: klAfter,
        lossBefore,
        lossAfter,
        gradNorm,
        cgResidual: cg.residualNorm,
        gradientSeconds,
      };
    }
  }
  return { ...unchanged, cgResidual: cg.residualNorm };
}

/** v ↦ F·v + damping·v, checked finite. */
function withDamping(
  fisher: (v: Float64Array) => Float64Array,
  damping: number,
): (v: Float64Array) => Float64Array {
  return (v) => {
    const Fv = Float64Array.from(fisher(v));
    if (!allFinite(Fv)) throw new NonFiniteError('trpoStep: Fisher-vector product (F · v) is not finite');
    for (let i = 0; i < Fv.length; i++) Fv[i] += damping * v[i];
    return Fv;
  };
}

/**
 * v ↦ (F + damping·I)·v with F = ∇²kl(params), on flat vectors in flattenTree order. The gradient
 * of the KL is traced once and every product is one reverse pass through it (the Hessian is
 * symmetric, so the vector–Jacobian product of ∇kl is F·v), as pytorch-maml-rl reuses its
 * create_graph gradient.
 */
export function fisherVectorProduct<P extends PyTree>(
  kl: (p: P) => Tensor,
  params: P,
  damping = 0,
): (v: Float64Array) => Float64Array {
  const where = 'fisherVectorProduct';
  checkOption(where, 'damping', damping, { min: 0 });
  const [, pullback] = vjp(grad(kl), params);
  return (v) => {
    const Fv = treeToVector(pullback(vectorToTree(params, v) as Cotangent<P>)[0], `${where}: F·v`);
    if (!allFinite(Fv))
      throw new NonFiniteError(`${where}: KL Hessian-vector product (Fisher · v) is not finite`);
    for (let i = 0; i < Fv.length; i++) Fv[i] += damping * v[i];
    return Fv;
  };
}
