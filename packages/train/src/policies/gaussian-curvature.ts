import { type Tensor, tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import type { GaussianMlpParams } from './gaussian-mlp';
import type { Activation } from './mlp';
import { MlpSecondOrder } from './mlp-hessian';
import { MlpJacobian, realStepRowsFor } from './mlp-jacobian';
import type { LogProbCurvature } from './policy';

/**
 * Closed-form derivatives of a Gaussian MLP's log-probabilities (see PolicyModel.logProbCurvature).
 * Per real step, ℓ = m·q with q = Σ_j −½ z_j² − s_j − const, z = (a − μ)e^{−s}, μ = MLP(obs),
 * s = logStd: ∂q/∂μ = z e^{−s}, ∂q/∂s = z² − 1, ∂²q/∂μ² = −e^{−2s}, ∂²q/∂μ∂s = −2z e^{−s},
 * ∂²q/∂s² = −2z² (all diagonal in j). The MLP's own curvature comes from MlpSecondOrder with
 * output cotangent g·m·∂q/∂μ; padded steps (m = 0) are dropped before any matrix product.
 */
export function gaussianLogProbCurvature(
  params: GaussianMlpParams,
  activation: Activation,
  batch: Batch,
  g: Float64Array,
): LogProbCurvature<GaussianMlpParams> {
  const where = 'GaussianMlpPolicy.logProbCurvature';
  const size = batch.size * batch.horizon;
  const { index, mask, x } = realStepRowsFor(where, batch, g);
  const R = index.length;
  const k = batch.actDim;
  const net = new MlpJacobian(params.layers, activation, x, R);
  const invStd = Float64Array.from(params.logStd.data, (s) => Math.exp(-s));
  const z = new Float64Array(R * k);
  const dq = new Float64Array(R * k); // ∂q/∂μ
  const dqs = new Float64Array(R * k); // ∂q/∂s
  const w = Float64Array.from(index, (i, r) => g[i] * mask[r]);
  const c = new Float64Array(R * k);
  for (let r = 0, rj = 0; r < R; r++)
    for (let j = 0; j < k; j++, rj++) {
      z[rj] = (batch.actions[index[r] * k + j] - net.output[rj]) * invStd[j];
      dq[rj] = z[rj] * invStd[j];
      dqs[rj] = z[rj] * z[rj] - 1;
      c[rj] = w[r] * dq[rj];
    }
  let second: MlpSecondOrder | null = null; // built on first use: jvp / vjp alone do not need it
  const logStdTree = (data: Float64Array, like: Tensor) => tensor(data, { shape: like.shape.slice() });

  /** Jℓ·v [B·T] from the mean's tangent δμ [R, k] and the log-std's δs. */
  const jvpOf = (dmu: Float64Array, ds: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(size);
    for (let r = 0, rj = 0; r < R; r++) {
      let t = 0;
      for (let j = 0; j < k; j++, rj++) t += dq[rj] * dmu[rj] + dqs[rj] * ds[j];
      out[index[r]] = mask[r] * t;
    }
    return out;
  };

  const hvp = (v: GaussianMlpParams, outer: ((jv: Float64Array) => Float64Array) | null) => {
    second ??= new MlpSecondOrder(net, c);
    const ds = v.logStd.data;
    const sOut = new Float64Array(k);
    const layers = second.product(v.layers, (dmu) => {
      const u = outer ? outer(jvpOf(dmu, ds)) : null;
      if (u && u.length !== size)
        throw new RangeError(`${where}: hvp: outer: expected ${size} entries, got ${u.length}`);
      // rc = w·(∂²q/∂μ² δμ + ∂²q/∂μ∂s δs) + ũ·∂q/∂μ, written over δμ (read first, same entry)
      for (let r = 0, rj = 0; r < R; r++) {
        const uu = u ? u[index[r]] * mask[r] : 0;
        for (let j = 0; j < k; j++, rj++) {
          const cross = -2 * z[rj] * invStd[j];
          sOut[j] += w[r] * (cross * dmu[rj] - 2 * z[rj] * z[rj] * ds[j]) + uu * dqs[rj];
          dmu[rj] = w[r] * (-invStd[j] * invStd[j] * dmu[rj] + cross * ds[j]) + uu * dq[rj];
        }
      }
      return dmu;
    });
    return { layers, logStd: logStdTree(sOut, v.logStd) };
  };

  return {
    jvp: (v) => jvpOf(net.jvp(v.layers), v.logStd.data),
    vjp(u) {
      if (u.length !== size)
        throw new RangeError(`${where}: vjp: u: expected ${size} entries, got ${u.length}`);
      const cot = new Float64Array(R * k);
      const sOut = new Float64Array(k);
      for (let r = 0, rj = 0; r < R; r++) {
        const uu = u[index[r]] * mask[r];
        for (let j = 0; j < k; j++, rj++) {
          cot[rj] = uu * dq[rj];
          sOut[j] += uu * dqs[rj];
        }
      }
      return { layers: net.vjp(cot), logStd: logStdTree(sOut, params.logStd) };
    },
    weightedHvp: (v) => hvp(v, null),
    hvp: (v, outer) => hvp(v, outer),
  };
}
