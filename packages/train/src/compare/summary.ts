import * as path from 'node:path';
import { writeFileAtomic } from '../cli/io';
import { meanAndCi } from '../meta/evaluate';
import { readTimes } from '../run/run-dir';
import {
  type CompareSpec,
  readCompareSpec,
  readTracking,
  readTrackingTimes,
  SUMMARY_FILE,
  subRunDir,
} from './compare-dir';
import type { TrackRow } from './tracker';

/** One estimator's verdicts at one tracked θ, over the seeds. */
export interface CheckpointVerdict {
  iteration: number;
  seeds: number;
  /** Seeds whose Bonferroni test flagged the estimate as biased (invalid ones count as flagged). */
  biased: number;
}

export interface EstimatorSummary {
  estimator: string;
  verdicts: CheckpointVerdict[];
  /** Median over (seed, checkpoint) of trace Cov / DiCE's trace Cov at the same seed and θ-index. */
  medianVarianceVsDice: number | null;
  /** Mean over (seed, checkpoint) of cos(mean estimate, reference). */
  meanCosine: number;
  /** Post-adaptation test return at the last tracked θ: mean over seeds and 95% half-width. */
  finalReturn: number;
  finalReturnCi95: number;
  /** finalReturn minus `exact`'s, paired by seed (null without `exact`). */
  gapToExact: number | null;
  gapToExactCi95: number | null;
  /** Wall-clock seconds over all seeds: training iterations and tracking. */
  trainSeconds: number;
  trackSeconds: number;
  iterations: number;
}

export interface CompareSummary {
  estimators: EstimatorSummary[];
  seeds: number[];
  reference: 'exact' | 'sampled';
  level: number;
  repeats: number;
  /** The outer update of the base config (ProMP's sub-runs use PPO whatever it is). */
  outer: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const last = <T>(xs: readonly T[]) => xs[xs.length - 1];

/** Mean and 95% half-width over seeds (one seed: its own half-width). */
function overSeeds(values: number[], own: number): { mean: number; ci95: number } {
  return values.length === 1 ? { mean: values[0], ci95: own } : meanAndCi(values);
}

/** The rows of every sub-run, by estimator then seed. */
export function readCompareRows(dir: string, spec: CompareSpec): Map<string, TrackRow[][]> {
  return new Map(spec.estimators.map((e) => [e, spec.seeds.map((s) => readTracking(subRunDir(dir, e, s)))]));
}

/** Summarise a compare directory from its logs alone (no training needed to redo it). */
export function summarizeCompare(dir: string): CompareSummary {
  const spec = readCompareSpec(dir);
  const rows = readCompareRows(dir, spec);
  const dice = rows.get('dice');
  const exact = rows.get('exact');
  const finalOf = (r: TrackRow[]) => last(last(r)?.testReturn ?? [Number.NaN]);
  const estimators = spec.estimators.map((name): EstimatorSummary => {
    const bySeed = rows.get(name) as TrackRow[][];
    const iterations = [...new Set(bySeed.flat().map((r) => r.iteration))].sort((a, b) => a - b);
    const verdicts = iterations.map((it) => {
      const at = bySeed.map((rs) => rs.find((r) => r.iteration === it)).filter((r) => r !== undefined);
      return { iteration: it, seeds: at.length, biased: at.filter((r) => !r.unbiased).length };
    });
    const ratios: number[] = [];
    if (dice)
      bySeed.forEach((rs, s) => {
        for (const r of rs) {
          const d = dice[s].find((x) => x.iteration === r.iteration);
          if (d && d.varianceTrace > 0) ratios.push(r.varianceTrace / d.varianceTrace);
        }
      });
    const finals = bySeed.map(finalOf);
    const fin = overSeeds(finals, last(last(bySeed[0])?.testReturnCi95 ?? [Number.NaN]));
    const gaps = exact ? finals.map((f, s) => f - finalOf(exact[s])) : null;
    const gap = gaps && gaps.length > 1 ? meanAndCi(gaps) : gaps ? { mean: gaps[0], ci95: Number.NaN } : null;
    const cosines = bySeed.flat().map((r) => r.cosineOfMean);
    const seconds = spec.seeds.map((s) => {
      const sub = subRunDir(dir, name, s);
      const train = readTimes(sub).reduce((t, x) => t + x.total, 0);
      const track = readTrackingTimes(sub).reduce((t, x) => t + x.total, 0);
      return [train, track];
    });
    return {
      estimator: name,
      verdicts,
      medianVarianceVsDice: dice ? median(ratios) : null,
      meanCosine: cosines.reduce((a, b) => a + b, 0) / cosines.length,
      finalReturn: fin.mean,
      finalReturnCi95: fin.ci95,
      gapToExact: gap?.mean ?? null,
      gapToExactCi95: gap?.ci95 ?? null,
      trainSeconds: seconds.reduce((t, x) => t + x[0], 0),
      trackSeconds: seconds.reduce((t, x) => t + x[1], 0),
      iterations: spec.base.iterations,
    };
  });
  const first = rows.get(spec.estimators[0])?.[0]?.[0];
  return {
    estimators,
    seeds: spec.seeds,
    reference: first?.reference ?? 'exact',
    level: spec.track.level,
    repeats: spec.track.repeats,
    outer: spec.base.outer,
  };
}

export function writeSummary(dir: string, s: CompareSummary): void {
  writeFileAtomic('summary', path.join(dir, SUMMARY_FILE), `${JSON.stringify(s, null, 2)}\n`);
}
