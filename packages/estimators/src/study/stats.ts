/**
 * Summary statistics of R independent estimates of a vector quantity against its exact value,
 * and the Bonferroni-corrected per-entry z-test used for "consistent with unbiased".
 */

/** Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: expected p in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else return -normalQuantile(1 - p);
  // no Halley refinement: with `erfc` below (error ~1e-7) it would make x ~10× less accurate
  return x;
}

/** Complementary error function (Numerical Recipes erfcc, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Student-t quantile with ν degrees of freedom by the Cornish–Fisher expansion around the normal
 * quantile (Abramowitz & Stegun 26.7.5): accurate to ~1e-4 for ν ≥ 10, which is all we use.
 */
export function studentQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * nu) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * nu ** 4)
  );
}

export interface VectorStats {
  /** Monte-Carlo mean of the estimates: [d]. */
  mean: number[];
  exact: number[];
  /** ‖mean − exact‖₂ and that over ‖exact‖₂. */
  biasNorm: number;
  relativeBias: number;
  /** Per-entry z = (mean − exact)/(std/√R) with the sample std; the largest |z|. */
  maxAbsZ: number;
  /** Index (into the tested entries) of that largest |z|. */
  worstEntry: number;
  /** Bonferroni threshold: Student-t quantile t_{R−1}(1 − α/(2d)) over the d tested entries. */
  zThreshold: number;
  /** Level of the test (the CLI's --level). */
  level: number;
  /** max|z| ≤ threshold: "consistent with unbiased at level α" (false-positive rate ≤ α); false when invalid. */
  consistent: boolean;
  /**
   * The first non-finite statistic by name (e.g. "mean[2]", "variance[0]"), or null. A NaN
   * compares false with everything, so without this a NaN bias could pass or fail the z-test at
   * random: a non-finite statistic gets no verdict. (An infinite |z| is fine: a biased entry
   * with zero variance.) Absent when every statistic is finite.
   */
  invalid?: string;
  /** threshold − max|z| when consistent (room left), max|z| / threshold when not (how far over). */
  margin: number;
  /** Trace of the sample covariance (sum of per-entry variances of one estimate). */
  varianceTrace: number;
  /**
   * √(tr Σ̂) / ‖exact‖ (‖exact‖ taken as 1 when it is 0): the RMS spread of one estimate relative
   * to the size of what it estimates. It does not depend on R (it converges as R grows), unlike
   * the papers' mean over entries of sd/|mean|, which blows up at entries whose mean is near 0.
   */
  relativeSd: number;
  /** √(tr Σ̂ / R): the norm of the standard error of the mean, the Monte-Carlo noise floor of biasNorm. */
  standardError: number;
  /** Mean over repeats of ‖estimate − exact‖². */
  mse: number;
  /** Mean over repeats of cos(estimate, exact). */
  cosine: number;
  repeats: number;
}

/**
 * `samples` holds R estimates of d numbers, row-major [R, d]. Entries with zero sample variance
 * count as z = 0 when they equal the exact value (to 1e-12 relative) and z = ∞ otherwise.
 */
export function vectorStats(samples: Float64Array, exact: ArrayLike<number>, level: number): VectorStats {
  const d = exact.length;
  const R = samples.length / d;
  if (!Number.isInteger(R) || R < 2) throw new RangeError(`repeats: expected at least 2 estimates, got ${R}`);
  const mean = new Array<number>(d).fill(0);
  for (let r = 0; r < R; r++) for (let j = 0; j < d; j++) mean[j] += samples[r * d + j] / R;
  const vars = new Array<number>(d).fill(0);
  let mse = 0;
  let cosine = 0;
  const exactNorm = Math.hypot(...Array.from(exact));
  for (let r = 0; r < R; r++) {
    let e2 = 0;
    let dotp = 0;
    let n2 = 0;
    for (let j = 0; j < d; j++) {
      const x = samples[r * d + j];
      vars[j] += (x - mean[j]) ** 2 / (R - 1);
      e2 += (x - exact[j]) ** 2;
      dotp += x * exact[j];
      n2 += x * x;
    }
    mse += e2 / R;
    cosine += (n2 > 0 && exactNorm > 0 ? dotp / (Math.sqrt(n2) * exactNorm) : 0) / R;
  }
  let maxAbsZ = 0;
  let worstEntry = 0;
  for (let j = 0; j < d; j++) {
    const diff = mean[j] - exact[j];
    const se = Math.sqrt(vars[j] / R);
    // differences at rounding level count as none (a constant entry's mean is rarely bit-exact)
    const tiny = Math.abs(diff) <= 1e-12 * (1 + Math.abs(exact[j]));
    const z = tiny ? 0 : se > 0 ? Math.abs(diff) / se : Infinity;
    if (z > maxAbsZ) [maxAbsZ, worstEntry] = [z, j];
  }
  const zThreshold = studentQuantile(1 - level / (2 * d), R - 1);
  const biasNorm = Math.hypot(...mean.map((m, j) => m - exact[j]));
  const summary = {
    biasNorm,
    relativeBias: biasNorm / (exactNorm || 1),
    varianceTrace: vars.reduce((s, v) => s + v, 0),
    relativeSd: Math.sqrt(vars.reduce((s, v) => s + v, 0)) / (exactNorm || 1),
    standardError: Math.sqrt(vars.reduce((s, v) => s + v, 0) / R),
    mse,
    cosine,
  };
  const invalid = firstNonFinite({ exact: Array.from(exact), mean, variance: vars, ...summary, zThreshold });
  const consistent = invalid === null && maxAbsZ <= zThreshold;
  return {
    mean,
    exact: Array.from(exact),
    ...summary,
    maxAbsZ,
    worstEntry,
    zThreshold,
    level,
    consistent,
    ...(invalid === null ? {} : { invalid }),
    margin: consistent ? zThreshold - maxAbsZ : maxAbsZ / zThreshold,
    repeats: R,
  };
}

/** The name of the first non-finite number among named numbers and arrays ("mean[2]"), or null. */
export function firstNonFinite(named: Record<string, number | ArrayLike<number>>): string | null {
  for (const [name, v] of Object.entries(named)) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return name;
      continue;
    }
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `${name}[${i}]`;
  }
  return null;
}

/** The upper triangle (i ≤ j) of R symmetric [P, P] matrices: [R, P(P+1)/2]. */
export function upperTriangles(mats: Float64Array, P: number): Float64Array {
  const R = mats.length / (P * P);
  const d = (P * (P + 1)) / 2;
  const out = new Float64Array(R * d);
  for (let r = 0; r < R; r++) {
    let k = 0;
    for (let i = 0; i < P; i++) for (let j = i; j < P; j++) out[r * d + k++] = mats[r * P * P + i * P + j];
  }
  return out;
}

/** The verdicts' false-positive guarantee, in words (shown with every study). */
export function falsePositiveText(level: number): string {
  return `an unbiased estimator is wrongly flagged with probability at most ${level} per verdict (Bonferroni over the entries tested, normal approximation of the mean of R estimates)`;
}

/** Mark `stats` invalid (no verdict) when a related number, e.g. the exact bias, is not finite. */
export function invalidateUnlessFinite(stats: VectorStats, name: string, x: number | null): VectorStats {
  if (stats.invalid === undefined && x !== null && !Number.isFinite(x)) {
    stats.invalid = name;
    stats.consistent = false;
  }
  return stats;
}
