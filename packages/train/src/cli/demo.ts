import { add, grad, hessian, mul, softmax, sum, type Tensor, tensor, valueAndGrad } from '@metagrad/autodiff';

/**
 * A one-screen tour of the engine on a problem small enough to check by hand: the expected
 * reward of a 3-armed bandit under a softmax policy, J(θ) = Σ_a softmax(θ)_a r_a, and the
 * one-step MAML objective V(θ) = J(θ + α∇J(θ)). Every derivative is compared with central
 * finite differences in float64.
 */
const REWARDS = tensor([1, 0.2, -0.5]);
const THETA = [0.3, -0.2, 0.1];
const ALPHA = 0.5;
const EPS = 1e-5;

const expectedReward = (theta: Tensor): Tensor => sum(mul(softmax(theta), REWARDS));
const adapted = (theta: Tensor): Tensor => add(theta, mul(grad(expectedReward)(theta), ALPHA));
const metaObjective = (theta: Tensor): Tensor => expectedReward(adapted(theta));

/** Central differences of a scalar function of a vector. */
function numericGrad(f: (x: number[]) => number, x: number[]): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += EPS;
    minus[i] -= EPS;
    return (f(plus) - f(minus)) / (2 * EPS);
  });
}

const asVector = (t: Tensor): number[] => Array.from(t.data);
const maxAbsDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

export interface DemoResult {
  theta: number[];
  value: number;
  grad: number[];
  hessian: number[][];
  metaGrad: number[];
  errors: { grad: number; hessian: number; metaGrad: number };
  ok: boolean;
}

export function demoResult(): DemoResult {
  const theta = tensor(THETA);
  const [value, g] = valueAndGrad(expectedReward)(theta);
  const H = hessian(expectedReward)(theta) as Tensor;
  const meta = grad(metaObjective)(theta) as Tensor;

  const J = (x: number[]) => expectedReward(tensor(x)).item();
  const gradAt = (x: number[]) => asVector(grad(expectedReward)(tensor(x)));
  const V = (x: number[]) => metaObjective(tensor(x)).item();
  const hessianRows = H.toArray() as number[][];
  const numericHessian = THETA.map((_, i) => numericGrad((x) => gradAt(x)[i], THETA));
  const errors = {
    grad: maxAbsDiff(asVector(g), numericGrad(J, THETA)),
    hessian: Math.max(...hessianRows.map((row, i) => maxAbsDiff(row, numericHessian[i]))),
    metaGrad: maxAbsDiff(asVector(meta), numericGrad(V, THETA)),
  };
  return {
    theta: THETA,
    value: (value as Tensor).item(),
    grad: asVector(g),
    hessian: hessianRows,
    metaGrad: asVector(meta),
    errors,
    ok: errors.grad < 1e-8 && errors.hessian < 1e-8 && errors.metaGrad < 1e-8,
  };
}

const fmt = (v: number) => v.toFixed(6).padStart(10);

export function runDemo(opts: { json?: boolean } = {}): number {
  const r = demoResult();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return r.ok ? 0 : 1;
  }
  const lines = [
    'metagrad demo: 3-armed bandit, softmax policy, J(θ) = Σ_a softmax(θ)_a r_a, r = [1, 0.2, -0.5]',
    `θ            = [${r.theta.map(fmt).join(' ')} ]`,
    `J(θ)         =  ${fmt(r.value)}`,
    `∇J(θ)        = [${r.grad.map(fmt).join(' ')} ]   max |error| vs finite differences ${r.errors.grad.toExponential(1)}`,
    `∇²J(θ)       = [${r.hessian[0].map(fmt).join(' ')} ]`,
    ...r.hessian.slice(1).map((row) => `               [${row.map(fmt).join(' ')} ]`),
    `               max |error| vs finite differences of ∇J ${r.errors.hessian.toExponential(1)}`,
    `MAML ∇V(θ)   = [${r.metaGrad.map(fmt).join(' ')} ]   V(θ) = J(θ + ${ALPHA}·∇J(θ)), second order`,
    `               max |error| vs finite differences of V ${r.errors.metaGrad.toExponential(1)}`,
    r.ok
      ? 'all derivatives agree with finite differences (tolerance 1e-8)'
      : 'MISMATCH: a derivative disagrees with finite differences',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return r.ok ? 0 : 1;
}
