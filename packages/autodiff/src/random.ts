import type { RandomGenerator } from 'pure-rand';
import { xoroshiro128plus } from 'pure-rand';

/** 32-bit mixing step of splitmix32: spreads nearby seeds over the whole state space. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

function checkSeedPart(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`${name}: expected a non-negative safe integer, got ${v}`);
  }
}

/** Hash a seed path (seed, then stream indices) into the four 32-bit words of a xoroshiro128+ state. */
function stateFromPath(path: readonly number[]): number[] {
  let h = 0x2545f491;
  for (const v of path) {
    // fold both halves of a safe integer so seeds above 2^32 stay distinct
    h = mix32(h ^ (v >>> 0));
    h = mix32(h ^ Math.floor(v / 4294967296));
  }
  const words: number[] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    h = mix32(h + i);
    words[i] = h;
  }
  if (!words.some((w) => w !== 0)) words[0] = 1; // xoroshiro must not start from the all-zero state
  return words;
}

/**
 * A seeded random generator (xoroshiro128+ from pure-rand). The same seed always gives the same
 * bits. `derive(i, j, ...)` gives an independent stream keyed by integers, so results can be
 * made independent of how work is split (seed per task index and per episode index).
 */
export class Rng {
  private gen: RandomGenerator;
  private readonly path: readonly number[];

  constructor(seed: number, path: readonly number[] = []) {
    checkSeedPart('seed', seed);
    for (let i = 0; i < path.length; i++) checkSeedPart(`stream index ${i}`, path[i]);
    this.path = [seed, ...path];
    this.gen = xoroshiro128plus.fromState(stateFromPath(this.path));
  }

  get seed(): number {
    return this.path[0];
  }

  /** An independent generator for sub-stream `indices` of this one; does not advance this one. */
  derive(...indices: number[]): Rng {
    return new Rng(this.path[0], [...this.path.slice(1), ...indices]);
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    return this.gen.unsafeNext() >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal by Box–Muller (one draw per call, so the stream has no hidden spare state). */
  normal(mean = 0, std = 1): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n), for 1 ≤ n ≤ 2^32 (one 32-bit draw per try). */
  int(n: number): number {
    // above 2^32 the rejection limit below is 0 and every draw would be rejected, forever
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296)
      throw new RangeError(`int: n must be an integer in [1, 2^32], got ${n}`);
    // rejection sampling keeps the distribution exactly uniform
    const limit = Math.floor(4294967296 / n) * n;
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Index drawn from unnormalised non-negative weights `p[offset .. offset + n)`. */
  categorical(p: ArrayLike<number>, offset = 0, n = p.length - offset): number {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = p[offset + i];
      if (!(w >= 0) || w === Number.POSITIVE_INFINITY) {
        throw new RangeError(`categorical: weight ${i} must be finite and >= 0, got ${w}`);
      }
      total += w;
    }
    if (!(total > 0)) throw new RangeError(`categorical: weights sum to ${total}, expected > 0`);
    const u = this.uniform() * total;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += p[offset + i];
      if (u < acc) return i;
    }
    // rounding can leave u just above the last partial sum: return the last positive weight
    for (let i = n - 1; i >= 0; i--) if (p[offset + i] > 0) return i;
    return n - 1;
  }

  /** Index drawn from a softmax over logits `l[offset .. offset + n)`. */
  categoricalLogits(l: ArrayLike<number>, offset = 0, n = l.length - offset): number {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) max = Math.max(max, l[offset + i]);
    if (!Number.isFinite(max))
      throw new RangeError(`categoricalLogits: logits must be finite, max is ${max}`);
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = Math.exp(l[offset + i] - max);
    return this.categorical(w);
  }

  fillUniform<T extends Float64Array | Float32Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A Dirichlet(alpha·1) draw of length n (Gamma(alpha) by Marsaglia–Tsang, normalised). */
  dirichlet(n: number, alpha = 1): Float64Array {
    if (!(alpha > 0)) throw new RangeError(`dirichlet: alpha must be > 0, got ${alpha}`);
    const out = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      out[i] = this.gamma(alpha);
      total += out[i];
    }
    for (let i = 0; i < n; i++) out[i] /= total;
    return out;
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost). */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma: shape must be > 0, got ${shape}`);
    if (shape < 1) {
      let u = this.uniform();
      while (u === 0) u = this.uniform();
      return this.gamma(shape + 1) * u ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Fisher–Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}
