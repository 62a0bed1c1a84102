import { add, matmul, type Rng, randomNormal, relu, type Tensor, tanh, zeros } from '@metagrad/autodiff';
import type { Policy, PolicyContext } from '@metagrad/envs';

/** Hidden-layer nonlinearity of the policy MLPs (the output layer is always linear). */
export type Activation = 'tanh' | 'relu';

export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu'];

/** One dense layer: y = x·W + b with W [in, out] and b [out]. */
export type DenseLayer = {
  W: Tensor;
  b: Tensor;
};

/** Options shared by the MLP policies. */
export interface MlpOptions {
  /** Hidden layer widths (default [64, 64], pytorch-maml-rl's 2D-navigation policy). */
  hidden?: readonly number[];
  /** Hidden nonlinearity (default 'tanh'). */
  activation?: Activation;
}

export const DEFAULT_HIDDEN: readonly number[] = [64, 64];

/** Check layer sizes [in, ...hidden, out] and the activation, naming the caller. */
export function checkMlp(where: string, sizes: readonly number[], activation: string): void {
  if (sizes.length < 2) throw new RangeError(`${where}: sizes: expected at least [in, out], got [${sizes}]`);
  sizes.forEach((n, i) => {
    if (!(Number.isInteger(n) && n >= 1))
      throw new RangeError(`${where}: sizes[${i}]: expected an integer >= 1, got ${n}`);
  });
  if (!(ACTIVATIONS as readonly string[]).includes(activation))
    throw new RangeError(
      `${where}: activation: expected one of ${ACTIVATIONS.join(', ')}, got '${activation}'`,
    );
}

/** Glorot-normal weights (layer i from `rng.derive(i)`), zero biases. */
export function initMlp(rng: Rng, sizes: readonly number[]): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [m, n] = [sizes[i], sizes[i + 1]];
    layers.push({ W: randomNormal(rng.derive(i), [m, n], 0, Math.sqrt(2 / (m + n))), b: zeros([n]) });
  }
  return layers;
}

/** Differentiable forward pass of rows x [N, in] → [N, out]. */
export function mlpForward(layers: readonly DenseLayer[], x: Tensor, activation: Activation): Tensor {
  let h = x;
  layers.forEach((l, i) => {
    h = add(matmul(h, l.W), l.b);
    if (i + 1 < layers.length) h = activation === 'tanh' ? tanh(h) : relu(h);
  });
  return h;
}

/**
 * The same forward pass on plain Float64Arrays, for sampling (parameters are constants there,
 * so no graph is needed). Work buffers grow to the largest row count seen and are reused, so a
 * rollout step allocates nothing.
 */
export class PlainMlp {
  private readonly weights: Float64Array[];
  private readonly biases: Float64Array[];
  private buffers: Float64Array[] = [];
  private capacity = 0;
  readonly inDim: number;
  readonly outDim: number;

  constructor(
    layers: readonly DenseLayer[],
    private readonly activation: Activation,
  ) {
    this.weights = layers.map((l) => Float64Array.from(l.W.data));
    this.biases = layers.map((l) => Float64Array.from(l.b.data));
    this.inDim = layers[0].W.shape[0];
    this.outDim = layers[layers.length - 1].W.shape[1];
  }

  /**
   * Forward `rows` rows of x starting at row `firstRow` (x is [≥ firstRow + rows, inDim]).
   * Returns the output buffer, rows [0, rows) of [·, outDim] (valid until the next call).
   */
  forward(x: Float64Array, firstRow: number, rows: number): Float64Array {
    if (rows > this.capacity) {
      this.buffers = this.biases.map((b) => new Float64Array(rows * b.length));
      this.capacity = rows;
    }
    let input = x;
    let inOffset = firstRow * this.inDim;
    let m = this.inDim;
    const last = this.weights.length - 1;
    for (let l = 0; l <= last; l++) {
      const W = this.weights[l];
      const bias = this.biases[l];
      const out = this.buffers[l];
      const n = bias.length;
      const relu = this.activation === 'relu';
      denseInto(input, inOffset, rows, m, W, n, out);
      for (let k = 0; k < rows * n; k++) {
        const v = out[k] + bias[k % n];
        out[k] = l === last ? v : relu ? Math.max(v, 0) : Math.tanh(v);
      }
      input = out;
      inOffset = 0;
      m = n;
    }
    return input;
  }
}

/**
 * out[r, j] = Σ_i x[xOffset + r·m + i] · W[i, j] for `rows` rows, W [m, n]. Every sum runs over i
 * in order 0..m-1 (matmul's order, so results match it to rounding); blocks of 2 rows × 4
 * columns keep 8 sums in registers, about 3× faster than one sum at a time.
 */
function denseInto(
  x: Float64Array,
  xOffset: number,
  rows: number,
  m: number,
  W: Float64Array,
  n: number,
  out: Float64Array,
): void {
  const n4 = n - (n % 4);
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const xa = xOffset + r * m;
    const xb = xa + m;
    const oa = r * n;
    const ob = oa + n;
    for (let j = 0; j < n4; j += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let i = 0; i < m; i++) {
        const u = x[xa + i];
        const v = x[xb + i];
        const w = i * n + j;
        const w0 = W[w];
        const w1 = W[w + 1];
        const w2 = W[w + 2];
        const w3 = W[w + 3];
        a0 += u * w0;
        a1 += u * w1;
        a2 += u * w2;
        a3 += u * w3;
        b0 += v * w0;
        b1 += v * w1;
        b2 += v * w2;
        b3 += v * w3;
      }
      out[oa + j] = a0;
      out[oa + j + 1] = a1;
      out[oa + j + 2] = a2;
      out[oa + j + 3] = a3;
      out[ob + j] = b0;
      out[ob + j + 1] = b1;
      out[ob + j + 2] = b2;
      out[ob + j + 3] = b3;
    }
    for (let j = n4; j < n; j++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < m; i++) {
        a += x[xa + i] * W[i * n + j];
        b += x[xb + i] * W[i * n + j];
      }
      out[oa + j] = a;
      out[ob + j] = b;
    }
  }
  for (; r < rows; r++) {
    const xa = xOffset + r * m;
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let i = 0; i < m; i++) a += x[xa + i] * W[i * n + j];
      out[r * n + j] = a;
    }
  }
}

/** Parameter groups of a sampler: lane b acts with `groups[⌊b / per⌋]`. */
export interface SamplerGroups<P> {
  readonly groups: readonly P[];
  readonly per: number;
}

/**
 * Normalise the two accepted sampler forms: one parameter set for every lane, or a list of sets
 * with `lanesPerParams` lanes each (a list of one set may omit it).
 */
export function samplerGroups<P>(
  where: string,
  params: P | readonly P[],
  lanesPerParams: number | undefined,
): SamplerGroups<P> {
  if (!Array.isArray(params)) return { groups: [params as P], per: Number.MAX_SAFE_INTEGER };
  const groups = params as readonly P[];
  if (groups.length === 0)
    throw new RangeError(`${where}: params: expected at least one parameter set, got 0`);
  if (lanesPerParams === undefined) {
    if (groups.length === 1) return { groups, per: Number.MAX_SAFE_INTEGER };
    throw new RangeError(
      `${where}: lanesPerParams: required with ${groups.length} parameter sets, got undefined`,
    );
  }
  if (!(Number.isInteger(lanesPerParams) && lanesPerParams >= 1))
    throw new RangeError(`${where}: lanesPerParams: expected an integer >= 1, got ${lanesPerParams}`);
  return { groups, per: lanesPerParams };
}

/** Throw when a rollout has more lanes than the groups cover. */
function checkLaneCount(where: string, lanes: number, g: SamplerGroups<unknown>): void {
  if (lanes > g.groups.length * g.per)
    throw new RangeError(
      `${where}: rollout has ${lanes} lanes, expected at most ${g.groups.length * g.per} ` +
        `(${g.groups.length} parameter sets × ${g.per} lanes)`,
    );
}

/** Lanes [start, end) served by group m in a rollout of `lanes` lanes. */
function groupLanes(g: SamplerGroups<unknown>, m: number, lanes: number): [number, number] {
  const start = Math.min(m * g.per, lanes);
  return [start, Math.min(start + g.per, lanes)];
}

/**
 * The rollout loop every grouped MLP sampler shares: per parameter group, one plain forward of
 * the group's lanes per step (skipped, actions 0, when none of them is still running), then
 * `draw(out, m, b, row)` writes lane b's action from its output row. `actDim` floats per lane.
 */
export function groupedSampler<P>(
  where: string,
  g: SamplerGroups<P>,
  nets: readonly PlainMlp[],
  actDim: number,
  draw: (
    out: Float64Array,
    m: number,
    b: number,
    row: number,
    actions: Float64Array,
    ctx: PolicyContext,
  ) => void,
): Policy {
  return (obs, _t, actions, ctx) => {
    checkLaneCount(where, ctx.size, g);
    for (let m = 0; m < nets.length; m++) {
      const [start, end] = groupLanes(g, m, ctx.size);
      if (start === end) break;
      let running = false;
      for (let b = start; b < end && !running; b++) running = ctx.active[b] !== 0;
      if (!running) {
        actions.fill(0, start * actDim, end * actDim);
        continue;
      }
      const out = nets[m].forward(obs, start, end - start);
      for (let b = start; b < end; b++) {
        if (ctx.active[b] !== 0) draw(out, m, b, b - start, actions, ctx);
        else actions.fill(0, b * actDim, (b + 1) * actDim);
      }
    }
  };
}
