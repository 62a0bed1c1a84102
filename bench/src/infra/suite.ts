/**
 * What a benchmark suite is: a name, and a function that measures and returns a table. Add a
 * suite by writing one file that exports a `Suite` and listing it in `suites/index.ts`.
 */

/** One measured quantity over several repetitions (benchmark.js samples). */
export interface Measurement {
  median: number;
  min: number;
  max: number;
  /** e.g. 'GFLOP/s', 'ms'. */
  unit: string;
  /** Number of repetitions the statistics are over. */
  samples: number;
}

/** A table cell: a measurement, a note ('n/a: no adapter'), or nothing. */
export type Cell = Measurement | string | null;

export interface ReportRow {
  name: string;
  cells: Record<string, Cell>;
}

export interface SuiteReport {
  suite: string;
  title: string;
  /** Column names, in display order. */
  columns: string[];
  rows: ReportRow[];
  /** Column that other columns are shown as ratios of (e.g. a peer library). */
  baseline?: string;
  /** For ratios and comparisons with the previous run: is a larger median better? */
  higherIsBetter: boolean;
  notes: string[];
  /** Suite-specific data kept in the JSON only. */
  extra?: unknown;
}

export interface SuiteOptions {
  /** Fewer, shorter repetitions (smoke runs). */
  quick: boolean;
}

export interface Suite {
  name: string;
  description: string;
  run(options: SuiteOptions): Promise<SuiteReport>;
}
