import { grad, hvp, Rng, randomNormal, type Tensor, tensor, treeLeaves } from '@metagrad/autodiff';
import { type SinusoidTask, sampleSinusoid, sinusoidTasks } from '@metagrad/envs';
import { forward, initNet, meanTaskMse, type Net } from './model';

/**
 * The tutorial's second-order expansions of the one-task meta-gradients (slides "Reptile vs
 * FOMAML", after Nichol et al. 2018 §5), checked exactly. Notation of the slides:
 * L⁽⁰⁾ is the loss on batch 0 (the inner, support batch), L⁽¹⁾ on batch 1 (the outer, query
 * batch), g_j⁽ⁱ⁾ = ∇L⁽ⁱ⁾(θ_j), H_j⁽ⁱ⁾ = ∇²L⁽ⁱ⁾(θ_j), θ₁ = θ₀ − αg₀⁽⁰⁾, θ₂ = θ₁ − αg₁⁽¹⁾:
 *   g_MAML    = (I − αH₀⁽⁰⁾) g₁⁽¹⁾ = g₀⁽¹⁾ − αH₀⁽¹⁾g₀⁽⁰⁾ − αH₀⁽⁰⁾g₀⁽¹⁾ + O(α²)
 *   g_FOMAML  = g₁⁽¹⁾                = g₀⁽¹⁾ − αH₀⁽¹⁾g₀⁽⁰⁾ + O(α²)
 *   g_Reptile = (θ₀ − θ₂)/α          = g₀⁽⁰⁾ + g₀⁽¹⁾ − αH₀⁽¹⁾g₀⁽⁰⁾ + O(α²)
 * The exact side: g_MAML is the engine's grad through the inner step (grad of grad), g_FOMAML
 * the gradient at θ₁, g_Reptile the two SGD steps as defined. The expansion's Hessian terms are
 * exact Hessian-vector products (engine `hvp`). If both are right the residual is Θ(α²): a
 * log-log slope of 2; dropping the α-terms leaves Θ(α), slope 1 (reported as a contrast).
 */
export interface MechanicsOptions {
  hidden: number[];
  shots: number;
  seed: number;
  alphas: number[];
}

export interface MechanicsRow {
  alpha: number;
  /**
   * No ReLU changed sign on either batch between θ₀ and θ₁, θ₂: the loss is one smooth piece
   * along the steps, where the Taylor expansion applies. Only these rows enter the slope fit.
   */
  smooth: boolean;
  /** ‖exact − second-order expansion‖ per gradient */
  residual: { maml: number; fomaml: number; reptile: number };
  /** ‖exact − zeroth-order term‖ (g₀⁽¹⁾, g₀⁽¹⁾, g₀⁽⁰⁾ + g₀⁽¹⁾): Θ(α) */
  zerothOrderResidual: { maml: number; fomaml: number; reptile: number };
}

export interface MechanicsResult {
  task: SinusoidTask;
  shots: number;
  hidden: number[];
  seed: number;
  parameters: number;
  rows: MechanicsRow[];
  /** least-squares slope of log residual against log α */
  slopes: { maml: number; fomaml: number; reptile: number };
  zerothOrderSlopes: { maml: number; fomaml: number; reptile: number };
}

export const MECHANICS_DEFAULTS: MechanicsOptions = {
  hidden: [40, 40],
  shots: 10,
  seed: 0,
  // a ReLU network's loss is only piecewise smooth: larger steps cross an activation kink,
  // where the expansion (a Taylor series at θ₀) stops applying (at the default seed near α ≈ 3e-3)
  alphas: Array.from({ length: 9 }, (_, i) => 10 ** (-5 + (2 * i) / 8)),
};

type Vec = Float64Array;
const flat = (t: unknown): Vec => {
  const ls = treeLeaves(t);
  const out = new Float64Array(ls.reduce((n, l) => n + l.size, 0));
  let o = 0;
  for (const l of ls) {
    out.set(l.data.subarray(0, l.size), o);
    o += l.size;
  }
  return out;
};
const lin = (terms: [number, Vec][]): Vec => {
  const out = new Float64Array(terms[0][1].length);
  for (const [c, v] of terms) for (let i = 0; i < v.length; i++) out[i] += c * v[i];
  return out;
};
const dist = (a: Vec, b: Vec) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));

/** Least-squares slope of log y on log x. */
export function logLogSlope(x: readonly number[], y: readonly number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  lx.forEach((v, i) => {
    sxy += (v - mx) * (ly[i] - my);
    sxx += (v - mx) ** 2;
  });
  return sxy / sxx;
}

/** Signs of every hidden pre-activation at the batch's points: the ReLU network's smooth piece. */
function activationPattern(net: Net, x: Tensor): string {
  let h = x;
  let out = '';
  net.forEach(({ W, b }, i) => {
    const pre = h.matmul(W).add(b);
    if (i + 1 === net.length) return;
    for (let j = 0; j < pre.size; j++) out += pre.data[j] > 0 ? '1' : '0';
    h = pre.relu();
  });
  return out;
}

const step = (net: Net, g: Net, alpha: number): Net =>
  net.map((l, i) => ({ W: l.W.sub(g[i].W.mul(alpha)), b: l.b.sub(g[i].b.mul(alpha)) }));

export function gradientMechanics(o: MechanicsOptions): MechanicsResult {
  const rng = new Rng(o.seed);
  const task = sinusoidTasks().sample(rng.derive(0));
  const batch = (i: number) => {
    const d = sampleSinusoid(task, o.shots, rng.derive(1, i));
    return { x: tensor(d.x, { shape: [1, o.shots, 1] }), y: tensor(d.y, { shape: [1, o.shots, 1] }) };
  };
  const [b0, b1] = [batch(0), batch(1)];
  // Glorot weights and small random biases: zero biases would put ReLU pre-activations exactly
  // at the kink, where the loss has no Hessian
  const init = initNet(rng.derive(2), [1, ...o.hidden, 1]);
  const theta: Net = init.map((l, i) => ({
    W: l.W,
    b: randomNormal(rng.derive(3, i), [...l.b.shape], 0, 0.1),
  }));
  const L = (b: { x: Tensor; y: Tensor }) => (n: Net) => meanTaskMse(forward(n, b.x), b.y);
  const [L0, L1] = [L(b0), L(b1)];
  const g00 = grad(L0)(theta) as Net;
  const g01 = grad(L1)(theta) as Net;
  const H1g00 = flat(hvp(L1, theta, g00));
  const H0g01 = flat(hvp(L0, theta, g01));
  const [v00, v01] = [flat(g00), flat(g01)];
  const th0 = flat(theta);
  const rows = o.alphas.map((alpha): MechanicsRow => {
    const maml = flat(grad((n: Net) => L1(step(n, grad(L0)(n) as Net, alpha)))(theta));
    const theta1 = step(theta, g00, alpha);
    const g11 = grad(L1)(theta1) as Net;
    const fomaml = flat(g11);
    const reptile = lin([
      [1 / alpha, th0],
      [-1 / alpha, flat(step(theta1, g11, alpha))], // θ₂
    ]);
    const eFo = lin([
      [1, v01],
      [-alpha, H1g00],
    ]);
    const eMaml = lin([
      [1, eFo],
      [-alpha, H0g01],
    ]);
    const eRep = lin([
      [1, v00],
      [1, eFo],
    ]);
    const rep0 = lin([
      [1, v00],
      [1, v01],
    ]);
    const theta2 = step(theta1, g11, alpha);
    const smooth = [b0.x, b1.x].every((x) => {
      const at0 = activationPattern(theta, x);
      return activationPattern(theta1, x) === at0 && activationPattern(theta2, x) === at0;
    });
    return {
      alpha,
      smooth,
      residual: { maml: dist(maml, eMaml), fomaml: dist(fomaml, eFo), reptile: dist(reptile, eRep) },
      zerothOrderResidual: { maml: dist(maml, v01), fomaml: dist(fomaml, v01), reptile: dist(reptile, rep0) },
    };
  });
  const fit = rows.filter((r) => r.smooth);
  if (fit.length < 3)
    throw new RangeError(
      `mechanics: alphas: expected at least 3 step sizes small enough that no ReLU changes sign, got ${fit.length} of ${rows.length} (try smaller --alpha-max)`,
    );
  const slopes = (k: 'residual' | 'zerothOrderResidual') => {
    const a = fit.map((r) => r.alpha);
    return {
      maml: logLogSlope(
        a,
        fit.map((r) => r[k].maml),
      ),
      fomaml: logLogSlope(
        a,
        fit.map((r) => r[k].fomaml),
      ),
      reptile: logLogSlope(
        a,
        fit.map((r) => r[k].reptile),
      ),
    };
  };
  return {
    task,
    shots: o.shots,
    hidden: [...o.hidden],
    seed: o.seed,
    parameters: th0.length,
    rows,
    slopes: slopes('residual'),
    zerothOrderSlopes: slopes('zerothOrderResidual'),
  };
}
