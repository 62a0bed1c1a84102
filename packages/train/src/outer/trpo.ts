import { type Cotangent, grad, type PyTree, type Tensor, valueAndGrad, vjp } from '@metagrad/autodiff';
import { NonFiniteError } from '../non-finite';
import { conjugateGradientSteps } from './conjugate-gradient';
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
  const { evaluate, fisher, ...rest } = options;
  const o = resolveOptions(rest);
  // the traced ∇kl is built on the first product only (none is needed when the gradient is 0)
  let traced: ((v: Float64Array) => Float64Array) | null = null;
  const fisherVector = (v: Float64Array) => {
    traced ??= fisherVectorProduct(kl, params, 0);
    return traced(v);
  };
  const answer = (r: TrpoRequest<P>): TrpoAnswer => {
    switch (r.kind) {
      case 'gradient': {
        const [lossTensor, gradTree] = valueAndGrad(loss)(params) as [Tensor, P];
        const value = finiteScalar('trpoStep', 'loss', lossTensor);
        return { kind: 'gradient', loss: value, grad: treeToVector(gradTree, 'trpoStep: gradient') };
      }
      case 'kl':
        return { kind: 'kl', kl: finiteScalar('trpoStep', 'KL', kl(params)) };
      case 'fisher':
        return { kind: 'fisher', product: (fisher ?? fisherVector)(r.v) };
      case 'evaluate':
        return {
          kind: 'evaluate',
          ...(evaluate
            ? evaluate(r.candidate)
            : { loss: loss(r.candidate).data[0], kl: kl(r.candidate).data[0] }),
        };
    }
  };
  const steps = trpoSteps(params, o);
  let next = steps.next();
  while (!next.done) next = steps.next(answer(next.value));
  return next.value;
}

/** What the TRPO coroutine asks for: the loss and its gradient, the KL, F·v, or a candidate's loss and KL. */
export type TrpoRequest<P> =
  | { kind: 'gradient' }
  | { kind: 'kl' }
  | { kind: 'fisher'; v: Float64Array }
  | { kind: 'evaluate'; candidate: P };

export type TrpoAnswer =
  | { kind: 'gradient'; loss: number; grad: Float64Array }
  | { kind: 'kl'; kl: number }
  | { kind: 'fisher'; product: Float64Array }
  | { kind: 'evaluate'; loss: number; kl: number };

function expect<K extends TrpoAnswer['kind']>(a: TrpoAnswer, kind: K): Extract<TrpoAnswer, { kind: K }> {
  if (a.kind !== kind) throw new RangeError(`trpoStep: expected a ${kind} answer, got ${a.kind}`);
  return a as Extract<TrpoAnswer, { kind: K }>;
}

/**
 * trpoStep's algorithm as a coroutine over its requests (loss and gradient at `params`, the KL
 * there, undamped Fisher products, candidates' loss and KL), so that a driver may answer them
 * from worker threads asynchronously; the sync trpoStep answers them itself. `gradientSeconds`
 * is the time until the gradient request was answered.
 */
export function* trpoSteps<P extends PyTree>(
  params: P,
  options: TrpoOptions = {},
): Generator<TrpoRequest<P>, TrpoResult<P>, TrpoAnswer> {
  const where = 'trpoStep';
  const o = resolveOptions(options);
  const t0 = performance.now();
  const first = expect(yield { kind: 'gradient' }, 'gradient');
  const gradientSeconds = (performance.now() - t0) / 1000;
  const lossBefore = first.loss;
  if (!Number.isFinite(lossBefore))
    throw new NonFiniteError(`${where}: loss is not finite (${lossBefore}) at the current parameters`);
  const g = first.grad;
  if (!allFinite(g))
    throw new NonFiniteError(`${where}: gradient of the loss is not finite at the current parameters`);
  const klBefore = expect(yield { kind: 'kl' }, 'kl').kl;
  if (!Number.isFinite(klBefore))
    throw new NonFiniteError(`${where}: KL is not finite (${klBefore}) at the current parameters`);
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

  const cgSteps = conjugateGradientSteps(g, {
    iterations: o.cgIters,
    residualTolerance: o.cgResidualTolerance,
  });
  let cgNext = cgSteps.next();
  while (!cgNext.done) {
    const v = cgNext.value;
    const Fv = Float64Array.from(expect(yield { kind: 'fisher', v }, 'fisher').product);
    if (!allFinite(Fv)) throw new NonFiniteError(`${where}: Fisher-vector product (F · v) is not finite`);
    for (let i = 0; i < Fv.length; i++) Fv[i] += o.cgDamping * v[i];
    cgNext = cgSteps.next(Fv);
  }
  const cg = cgNext.value;
  const s = cg.x;
  // sᵀ(F + damping·I)s from CG's running A·x: one Fisher product fewer than applying it to s
  const sFs = dot(s, cg.Ax);
  if (!(sFs > 0)) return { ...unchanged, cgResidual: cg.residualNorm };
  const beta = Math.sqrt((2 * o.maxKl) / sFs);

  for (let k = 0; k < o.lineSearchSteps; k++) {
    const fraction = o.backtrackRatio ** k;
    const candidate = vectorToTree(params, s, -fraction * beta, params);
    const { loss: lossAfter, kl: klAfter } = expect(yield { kind: 'evaluate', candidate }, 'evaluate');
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
