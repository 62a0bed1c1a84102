import { type MatmulSpec, matmulKernel, type Tensor, tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { realSteps } from './masked';
import type { Activation, DenseLayer } from './mlp';

/** out = op(A)·op(B), op(A) m×k and op(B) k×n, through the engine's kernel (no tensors, no graph). */
export function gemm(
  A: Float64Array,
  B: Float64Array,
  out: Float64Array,
  m: number,
  k: number,
  n: number,
  transA = false,
  transB = false,
): void {
  const spec: MatmulSpec = { batch: 1, m, k, n, transA, transB, aOffsets: null, bOffsets: null };
  matmulKernel(A, B, out, spec);
}

export const plain = (t: Tensor): Float64Array =>
  t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);

/**
 * An MLP linearised at fixed parameters and fixed input rows x [N, in]: the forward pass is run
 * once (and kept), after which `jvp(dθ)` = J·dθ [N, out] (forward-mode tangents, layer by layer
 * dz = dh·W + h·dW + db, then the activation's derivative) and `vjp(u)` = Jᵀ·u (the reverse
 * pass, as parameter gradients) each cost only their matrix products, with no autodiff graph.
 * This is what Gauss–Newton / Fisher products Jᵀ H J v of the MLP policies are built from.
 */
export class MlpJacobian {
  /** Rows of input. */
  readonly rows: number;
  /** Network output at the rows [N, out]. */
  readonly output: Float64Array;
  readonly activation: Activation;
  // read (never written) by MlpSecondOrder in mlp-hessian.ts, which extends these passes
  /** Layer widths [in, ...hidden, out]. */
  readonly sizes: number[];
  readonly weights: Float64Array[];
  /** Input of each layer [N, sizes[l]] (inputs[0] = x). */
  readonly inputs: Float64Array[];
  /** Activation derivative at each hidden layer's pre-activation [N, sizes[l + 1]]. */
  readonly slopes: Float64Array[];
  /**
   * Work buffers [N, sizes[l + 1]], reused by every product; after `jvp`, tangents[l] is the
   * tangent of layer l's output (post-activation for hidden layers).
   */
  readonly tangents: Float64Array[];
  private readonly scratch: Float64Array[];

  constructor(layers: readonly DenseLayer[], activation: Activation, x: Float64Array, rows: number) {
    this.rows = rows;
    this.activation = activation;
    this.sizes = [layers[0].W.shape[0], ...layers.map((l) => l.W.shape[1])];
    if (x.length !== rows * this.sizes[0])
      throw new RangeError(
        `MlpJacobian: x: expected ${rows} × ${this.sizes[0]} = ${rows * this.sizes[0]} entries, got ${x.length}`,
      );
    this.weights = layers.map((l) => plain(l.W));
    this.inputs = [x];
    this.slopes = [];
    const last = layers.length - 1;
    let h = x;
    for (let l = 0; l <= last; l++) {
      const [m, n] = [this.sizes[l], this.sizes[l + 1]];
      const z = new Float64Array(rows * n);
      gemm(h, this.weights[l], z, rows, m, n);
      const b = layers[l].b.data;
      for (let k = 0; k < z.length; k++) z[k] += b[k % n];
      if (l === last) {
        h = z;
        break;
      }
      const slope = new Float64Array(z.length);
      for (let k = 0; k < z.length; k++) {
        if (activation === 'tanh') {
          z[k] = Math.tanh(z[k]);
          slope[k] = 1 - z[k] * z[k];
        } else {
          // relu's derivative as the engine takes it: 1 where z > 0, else 0
          slope[k] = z[k] > 0 ? 1 : 0;
          z[k] = Math.max(z[k], 0);
        }
      }
      this.slopes.push(slope);
      this.inputs.push(z);
      h = z;
    }
    this.output = h;
    this.tangents = this.sizes.slice(1).map((n) => new Float64Array(rows * n));
    this.scratch = this.sizes.slice(1).map((n) => new Float64Array(rows * n));
  }

  /**
   * J·dθ for a parameter tangent (one W [in, out] and b [out] per layer): [N, out]. The result
   * is a work buffer of this object, valid until the next `jvp` (callers may overwrite it).
   */
  jvp(tangent: readonly DenseLayer[]): Float64Array {
    const N = this.rows;
    let dh: Float64Array | null = null; // the input's tangent is 0
    for (let l = 0; l < this.weights.length; l++) {
      const [m, n] = [this.sizes[l], this.sizes[l + 1]];
      const dz = this.tangents[l];
      gemm(this.inputs[l], plain(tangent[l].W), dz, N, m, n);
      if (dh) {
        const t = this.scratch[l];
        gemm(dh, this.weights[l], t, N, m, n);
        for (let k = 0; k < dz.length; k++) dz[k] += t[k];
      }
      const db = tangent[l].b.data;
      const slope = l < this.slopes.length ? this.slopes[l] : null;
      for (let r = 0, k = 0; r < N; r++)
        for (let j = 0; j < n; j++, k++) dz[k] = slope ? (dz[k] + db[j]) * slope[k] : dz[k] + db[j];
      dh = dz;
    }
    return dh as Float64Array;
  }

  /** Jᵀ·u for an output cotangent u [N, out]: the parameter gradient, one W and b per layer. */
  vjp(u: Float64Array): DenseLayer[] {
    const N = this.rows;
    const L = this.weights.length;
    const out: DenseLayer[] = new Array(L);
    let g = u; // cotangent of layer l's pre-activation
    for (let l = L - 1; l >= 0; l--) {
      const [m, n] = [this.sizes[l], this.sizes[l + 1]];
      const dW = new Float64Array(m * n);
      gemm(this.inputs[l], g, dW, m, N, n, true);
      const db = new Float64Array(n);
      for (let r = 0, k = 0; r < N; r++) for (let j = 0; j < n; j++, k++) db[j] += g[k];
      out[l] = { W: tensor(dW, { shape: [m, n] }), b: tensor(db, { shape: [n] }) };
      if (l === 0) break; // the input's cotangent is not needed
      const gh = this.scratch[l - 1];
      gemm(g, this.weights[l], gh, N, n, m, false, true);
      const s = this.slopes[l - 1];
      for (let k = 0; k < gh.length; k++) gh[k] *= s[k];
      g = gh;
    }
    return out;
  }
}

/**
 * Observation rows of the real (mask ≠ 0) steps of a batch [R, obsDim], with each row's weight
 * mask / (number of real steps): the weights `maskedStepMean` gives the steps' terms in `kl`.
 */
export function realRows(where: string, batch: Batch): { x: Float64Array; weights: Float64Array } {
  const { observations, mask, obsDim } = batch;
  const n = realSteps(where, batch);
  let R = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) R++;
  const x = new Float64Array(R * obsDim);
  const weights = new Float64Array(R);
  let r = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    x.set(observations.subarray(i * obsDim, (i + 1) * obsDim), r * obsDim);
    weights[r++] = mask[i] / n;
  }
  return { x, weights };
}

/** The real (mask ≠ 0) steps of a batch: their flat indices into [B·T], masks and observation rows. */
export function realStepRows(
  where: string,
  batch: Batch,
): { index: Int32Array; mask: Float64Array; x: Float64Array } {
  const { observations, obsDim } = batch;
  realSteps(where, batch);
  const index = Int32Array.from(batch.mask.keys()).filter((i) => batch.mask[i] !== 0);
  const x = new Float64Array(index.length * obsDim);
  index.forEach((i, r) => {
    x.set(observations.subarray(i * obsDim, (i + 1) * obsDim), r * obsDim);
  });
  return { index, mask: Float64Array.from(index, (i) => batch.mask[i]), x };
}

/**
 * `realStepRows` for a per-step weight vector `g` over the whole padded batch [B·T], checked
 * against the batch's size (the log-probability curvatures take one).
 */
export function realStepRowsFor(
  where: string,
  batch: Batch,
  g: Float64Array,
): { index: Int32Array; mask: Float64Array; x: Float64Array } {
  const size = batch.size * batch.horizon;
  if (g.length !== size)
    throw new RangeError(
      `${where}: g: expected ${batch.size} × ${batch.horizon} = ${size} entries, got ${g.length}`,
    );
  return realStepRows(where, batch);
}
