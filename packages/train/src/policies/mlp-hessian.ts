import { tensor } from '@metagrad/autodiff';
import type { DenseLayer } from './mlp';
import { gemm, type MlpJacobian, plain } from './mlp-jacobian';

/**
 * Second-order products of an MLP linearised by an MlpJacobian, for a fixed output cotangent
 * c [N, out]: `product(dθ, cotangentOf)` returns Jᵀ·rc + Σ_n c_n·∇²out_n·dθ, the tangent of the
 * parameter gradient Jᵀc along dθ when c itself moves by rc (Pearlmutter's R-op of the reverse
 * pass). The reverse pass of c is run once here; each product is one forward tangent pass
 * (`net.jvp`) and one reverse pass that carries the tangents of the cotangents:
 *   R{g_z} = R{g_h}∘σ′(z) + g_h∘σ″(z)∘R{z},
 *   R{dW} = R{h}ᵀ g_z + hᵀ R{g_z},   R{g_h,prev} = R{g_z} Wᵀ + g_z R{W}ᵀ.
 */
export class MlpSecondOrder {
  /** Cotangent of each layer's pre-activation under c [N, sizes[l + 1]]. */
  private readonly gz: Float64Array[];
  /**
   * g_h∘σ″(z)/σ′(z) for each hidden layer's output (null for relu, σ″ = 0): tanh″ = −2 tanh·tanh′,
   * so g_h∘σ″(z)∘R{z} = curv∘R{h} with R{h} the post-activation tangent `jvp` leaves behind.
   */
  private readonly curv: (Float64Array | null)[];
  /** Work buffers [N, sizes[l + 1]] for the tangent cotangents, and [N, sizes[l]] for products. */
  private readonly work: Float64Array[];
  private readonly scratch: Float64Array[];

  constructor(
    private readonly net: MlpJacobian,
    c: Float64Array,
  ) {
    const { rows: N, sizes, weights, slopes, inputs } = net;
    const L = weights.length;
    if (c.length !== N * sizes[L])
      throw new RangeError(
        `MlpSecondOrder: c: expected ${N} × ${sizes[L]} = ${N * sizes[L]} entries, got ${c.length}`,
      );
    this.gz = new Array(L);
    this.curv = new Array(L).fill(null);
    this.gz[L - 1] = Float64Array.from(c);
    for (let l = L - 1; l >= 1; l--) {
      const gh = new Float64Array(N * sizes[l]);
      gemm(this.gz[l], weights[l], gh, N, sizes[l + 1], sizes[l], false, true);
      if (net.activation === 'tanh') {
        const h = inputs[l];
        this.curv[l] = Float64Array.from(gh, (x, k) => -2 * x * h[k]);
      }
      const s = slopes[l - 1];
      for (let k = 0; k < gh.length; k++) gh[k] *= s[k];
      this.gz[l - 1] = gh;
    }
    this.work = sizes.slice(1).map((n) => new Float64Array(N * n));
    this.scratch = sizes.slice(0, L).map((m) => new Float64Array(N * m));
  }

  /**
   * Jᵀ·rc + Σ_n c_n·∇²out_n·dθ, where rc = cotangentOf(J·dθ) [N, out] (given J·dθ [N, out], a work
   * buffer it may overwrite and return): the output cotangent's own tangent, chosen after
   * seeing the output's tangent (e.g. a log-density's Hessian in the output times J·dθ).
   */
  product(tangent: readonly DenseLayer[], cotangentOf: (dOut: Float64Array) => Float64Array): DenseLayer[] {
    const { net, gz, curv } = this;
    const { rows: N, sizes, weights, slopes, inputs, tangents } = net;
    const L = weights.length;
    let rg = cotangentOf(net.jvp(tangent)); // R{g_z} of layer l
    if (rg.length !== N * sizes[L])
      throw new RangeError(
        `MlpSecondOrder.product: cotangentOf: expected ${N * sizes[L]} entries, got ${rg.length}`,
      );
    const out: DenseLayer[] = new Array(L);
    for (let l = L - 1; l >= 0; l--) {
      const [m, n] = [sizes[l], sizes[l + 1]];
      const dW = new Float64Array(m * n);
      gemm(inputs[l], rg, dW, m, N, n, true);
      if (l > 0) {
        // R{h}ᵀ g_z: the layer's input moves too (tangents[l − 1] is its post-activation tangent)
        const t = new Float64Array(m * n);
        gemm(tangents[l - 1], gz[l], t, m, N, n, true);
        for (let k = 0; k < t.length; k++) dW[k] += t[k];
      }
      const db = new Float64Array(n);
      for (let r = 0, k = 0; r < N; r++) for (let j = 0; j < n; j++, k++) db[j] += rg[k];
      out[l] = { W: tensor(dW, { shape: [m, n] }), b: tensor(db, { shape: [n] }) };
      if (l === 0) break;
      const rgh = this.work[l - 1];
      const t = this.scratch[l];
      gemm(rg, weights[l], rgh, N, n, m, false, true);
      gemm(gz[l], plain(tangent[l].W), t, N, n, m, false, true);
      const s = slopes[l - 1];
      const cv = curv[l];
      const dh = tangents[l - 1];
      for (let k = 0; k < rgh.length; k++) rgh[k] = (rgh[k] + t[k]) * s[k] + (cv ? cv[k] * dh[k] : 0);
      rg = rgh;
    }
    return out;
  }
}
