import type { Batch } from '@metagrad/envs';
import type { CategoricalMlpParams } from './categorical-mlp';
import type { Activation } from './mlp';
import { MlpSecondOrder } from './mlp-hessian';
import { MlpJacobian, realStepRowsFor } from './mlp-jacobian';
import type { LogProbCurvature } from './policy';

/**
 * Closed-form derivatives of a categorical MLP's log-probabilities (see
 * PolicyModel.logProbCurvature). Per real step, ℓ = m·q with q = log softmax(y)[a], y = MLP(obs):
 * ∂q/∂y = e_a − p and ∂²q/∂y² = −(diag p − ppᵀ), p = softmax(y). The MLP's own curvature comes
 * from MlpSecondOrder with output cotangent g·m·(e_a − p); padded steps are dropped first.
 */
export function categoricalLogProbCurvature(
  params: CategoricalMlpParams,
  activation: Activation,
  batch: Batch,
  g: Float64Array,
  softmax: (logits: Float64Array) => Float64Array,
): LogProbCurvature<CategoricalMlpParams> {
  const where = 'CategoricalMlpPolicy.logProbCurvature';
  const size = batch.size * batch.horizon;
  const { index, mask, x } = realStepRowsFor(where, batch, g);
  const R = index.length;
  const net = new MlpJacobian(params.layers, activation, x, R);
  const A = net.sizes[net.sizes.length - 1];
  const p = softmax(net.output);
  const dq = Float64Array.from(p, (pa) => -pa); // e_a − p
  for (let r = 0; r < R; r++) dq[r * A + batch.actions[index[r]]] += 1;
  const w = Float64Array.from(index, (i, r) => g[i] * mask[r]);
  const c = Float64Array.from(dq, (d, ra) => w[Math.floor(ra / A)] * d);
  let second: MlpSecondOrder | null = null; // built on first use: jvp / vjp alone do not need it

  const jvpOf = (dy: Float64Array): Float64Array => {
    const out = new Float64Array(size);
    for (let r = 0; r < R; r++) {
      let t = 0;
      for (let a = 0; a < A; a++) t += dq[r * A + a] * dy[r * A + a];
      out[index[r]] = mask[r] * t;
    }
    return out;
  };

  const hvp = (v: CategoricalMlpParams, outer: ((jv: Float64Array) => Float64Array) | null) => {
    second ??= new MlpSecondOrder(net, c);
    const layers = second.product(v.layers, (dy) => {
      const u = outer ? outer(jvpOf(dy)) : null;
      if (u && u.length !== size)
        throw new RangeError(`${where}: hvp: outer: expected ${size} entries, got ${u.length}`);
      // rc = −w·(diag p − ppᵀ) δy + ũ·(e_a − p), written over δy
      for (let r = 0; r < R; r++) {
        const uu = u ? u[index[r]] * mask[r] : 0;
        let mean = 0;
        for (let a = 0; a < A; a++) mean += p[r * A + a] * dy[r * A + a];
        for (let a = 0, k = r * A; a < A; a++, k++) dy[k] = -w[r] * p[k] * (dy[k] - mean) + uu * dq[k];
      }
      return dy;
    });
    return { layers };
  };

  return {
    jvp: (v) => jvpOf(net.jvp(v.layers)),
    vjp(u) {
      if (u.length !== size)
        throw new RangeError(`${where}: vjp: u: expected ${size} entries, got ${u.length}`);
      const cot = Float64Array.from(
        dq,
        (d, ra) => u[index[Math.floor(ra / A)]] * mask[Math.floor(ra / A)] * d,
      );
      return { layers: net.vjp(cot) };
    },
    weightedHvp: (v) => hvp(v, null),
    hvp: (v, outer) => hvp(v, outer),
  };
}
