import * as path from 'node:path';
import { tensor } from '@metagrad/autodiff';
import { enumerateTrajectories, exactReturnBackward, loadTabularMdp } from '@metagrad/envs';
import {
  exactDerivatives,
  exactEstimatorMoments,
  exactHessianTerms,
  exactMetaGradient,
  trajectoryEstimators,
} from '../src';

const mdp = loadTabularMdp(path.join(__dirname, '../../envs/examples/tiny-mdp.json'));
const theta = mdp.logits!;
const exact = exactDerivatives(mdp, theta);

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));

describe('exact oracles on the tiny MDP', () => {
  test('the Hessian reports its progress row by row, one per parameter, with the same result', () => {
    const seen: number[] = [];
    const d = exactDerivatives(mdp, theta, { onProgress: (done, total) => seen.push(done / total) });
    const P = mdp.states * mdp.actions;
    expect(seen).toEqual(Array.from({ length: P }, (_, i) => (i + 1) / P));
    expect(Array.from(d.hessian)).toEqual(Array.from(exact.hessian));
  });

  test('enumeration J equals backward induction J', () => {
    const en = enumerateTrajectories(mdp);
    let j = 0;
    const T = en.horizon;
    const pi = (s: number, a: number) => {
      const l = [theta[s * 2], theta[s * 2 + 1]];
      return Math.exp(l[a]) / (Math.exp(l[0]) + Math.exp(l[1]));
    };
    for (let k = 0; k < en.count; k++) {
      let p = en.envProbs[k];
      let r = 0;
      for (let t = 0; t < T; t++) {
        const sa = en.stateActions[k * T + t];
        p *= pi(Math.floor(sa / 2), sa % 2);
        r += mdp.discount ** t * en.rewards[k * T + t];
      }
      j += p * r;
    }
    expect(exact.J).toBeCloseTo(j, 12);
    expect(exactReturnBackward(mdp, tensor(theta)).item()).toBeCloseTo(j, 12);
  });

  test('meta-gradient equals (I + α∇²J)∇J(θ′)', () => {
    const alpha = 0.3;
    const P = theta.length;
    const thetaPrime = theta.map((x, i) => x + alpha * exact.grad[i]);
    const gPrime = exactDerivatives(mdp, thetaPrime).grad;
    const expected = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      expected[i] = gPrime[i];
      for (let j = 0; j < P; j++) expected[i] += alpha * exact.hessian[i * P + j] * gPrime[j];
    }
    expect(maxAbsDiff(exactMetaGradient(mdp, alpha, theta), expected)).toBeLessThan(1e-12);
  });

  test('Hessian splits add up to ∇²J', () => {
    const h = exactHessianTerms(mdp, theta);
    const poster = h.scoreHessian.map((x, i) => x + h.outerDiagonal[i] + h.outerCross[i]);
    const causal = h.causalLogProbHessian.map((x, i) => x + h.causalPerStep[i] + h.causalCrossTime[i]);
    expect(maxAbsDiff(poster, exact.hessian)).toBeLessThan(1e-12);
    expect(maxAbsDiff(causal, exact.hessian)).toBeLessThan(1e-12);
    expect(norm(h.causalCrossTime)).toBeGreaterThan(0.01);
  });
});

describe.each(trajectoryEstimators().map((e) => [e.name, e] as const))('exact mean of %s', (_name, entry) => {
  const m = exactEstimatorMoments(mdp, theta, entry.build, { withValues: true });
  const gErr = maxAbsDiff(m.gradient, exact.grad);
  const hErr = maxAbsDiff(m.hessian, exact.hessian);
  test(`gradient ${entry.unbiased.gradient ? 'unbiased' : 'biased'}`, () => {
    console.log(
      `${entry.name}: exact |E[ĝ] − ∇J|∞ = ${gErr.toExponential(2)}, |E[Ĥ] − ∇²J|∞ = ${hErr.toExponential(2)}`,
    );
    if (entry.unbiased.gradient) expect(gErr).toBeLessThan(1e-10);
    else expect(gErr).toBeGreaterThan(1e-3);
  });
  test(`Hessian ${entry.unbiased.hessian ? 'unbiased' : 'biased'}`, () => {
    if (entry.unbiased.hessian) expect(hErr).toBeLessThan(1e-10);
    else expect(hErr).toBeGreaterThan(1e-3);
  });
});
