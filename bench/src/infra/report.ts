/**
 * Markdown rendering of a suite's table: each measured cell shows the median and the min–max
 * range, and, when the suite names a baseline column, how many times better it is. A second table
 * compares medians with the suite's committed reference run.
 */
import type { MachineInfo } from './machine';
import type { Cell, Measurement, SuiteReport } from './suite';

/** What is written to `<suite>-<timestamp>.json` (and to a suite's reference). */
export interface SavedRun {
  timestamp: string;
  /** A `--quick` smoke run (absent in runs saved before this was recorded). */
  quick?: boolean;
  machine: MachineInfo;
  packages: Record<string, string>;
  report: SuiteReport;
}

function isMeasurement(c: Cell | undefined): c is Measurement {
  return typeof c === 'object' && c !== null && 'median' in c;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}

const TIME_UNITS = new Set(['ns', 'µs', 'us', 'ms', 's', 'min']);

/**
 * Whether a larger value of this measurement is better. Decided per cell from its unit, because
 * one table can hold times and throughputs side by side (envs: ms and M steps/s); the suite's
 * `higherIsBetter` only decides units that are neither.
 */
export function isHigherBetter(m: Measurement, suiteDefault: boolean): boolean {
  if (TIME_UNITS.has(m.unit)) return false;
  if (m.unit.endsWith('/s')) return true;
  return suiteDefault;
}

/** How many times better `now` is than `then`: > 1 exactly when `now` is better, time or rate. */
export function betterBy(now: Measurement, then: Measurement, suiteDefault: boolean): number {
  return isHigherBetter(now, suiteDefault) ? now.median / then.median : then.median / now.median;
}

/** One sentence under each table, so nobody has to guess which way a ratio points. */
export const RATIO_RULE = '×>1 always means better (faster, or more throughput), whatever the unit.';

function ratio(cell: Measurement, base: Cell | undefined, higherIsBetter: boolean): string {
  if (!isMeasurement(base) || base.median === 0 || cell.median === 0) return '';
  return ` **×${fmt(betterBy(cell, base, higherIsBetter))}**`;
}

function renderCell(report: SuiteReport, cells: Record<string, Cell>, column: string): string {
  const cell = cells[column];
  if (cell === null || cell === undefined) return '–';
  if (!isMeasurement(cell)) return cell;
  const base = report.baseline && column !== report.baseline ? cells[report.baseline] : undefined;
  return `${fmt(cell.median)} (${fmt(cell.min)}–${fmt(cell.max)})${ratio(cell, base, report.higherIsBetter)}`;
}

function unitOf(report: SuiteReport): string {
  for (const row of report.rows)
    for (const c of Object.values(row.cells)) if (isMeasurement(c)) return c.unit;
  return '';
}

export function renderTable(report: SuiteReport): string {
  const head = `| ${report.title} | ${report.columns.join(' | ')} |`;
  const rule = `|---|${report.columns.map(() => '---').join('|')}|`;
  const body = report.rows.map(
    (r) => `| ${r.name} | ${report.columns.map((c) => renderCell(report, r.cells, c)).join(' | ')} |`,
  );
  const legend =
    `Median (min–max) ${unitOf(report)} over the samples of each measurement` +
    (report.baseline ? `; **×r**: how many times better than ${report.baseline}. ${RATIO_RULE}` : '.');
  return [head, rule, ...body, '', legend].join('\n');
}

/** The run compared against, and where it is stored (shown in the report). */
export interface Reference {
  run: SavedRun;
  path: string;
}

/** A warning when the reference was measured on another machine, or null when it is the same. */
export function machineMismatch(now: MachineInfo, ref: MachineInfo): string | null {
  const diffs: string[] = [];
  if (now.cpu !== ref.cpu) diffs.push(`CPU ${ref.cpu} → ${now.cpu}`);
  if (now.cores !== ref.cores) diffs.push(`${ref.cores} → ${now.cores} cores`);
  if (diffs.length === 0) return null;
  return `**Warning: the reference was measured on another machine (${diffs.join(', ')}); the changes below compare machines, not code.**`;
}

/** Median now vs the reference run, per cell present in both; null when there is nothing to compare. */
export function renderComparison(
  now: SuiteReport,
  machine: MachineInfo,
  ref: Reference | null,
): string | null {
  if (!ref) return null;
  const before = new Map(ref.run.report.rows.map((r) => [r.name, r.cells]));
  const lines: string[] = [];
  for (const row of now.rows) {
    const old = before.get(row.name);
    if (!old) continue;
    const parts: string[] = [];
    for (const col of now.columns) {
      const a = row.cells[col];
      const b = old[col];
      if (isMeasurement(a) && isMeasurement(b) && a.median > 0 && b.median > 0) {
        parts.push(`${col} ×${fmt(betterBy(a, b, now.higherIsBetter))}`);
      }
    }
    if (parts.length > 0) lines.push(`| ${row.name} | ${parts.join(', ')} |`);
  }
  if (lines.length === 0) return null;
  const m = ref.run.machine;
  const warning = machineMismatch(machine, m);
  return [
    `Compared with the reference run ${ref.path} (${ref.run.timestamp}, ${m.cpu}, ${m.cores} cores):`,
    ...(warning ? ['', warning] : []),
    '',
    '| case | change per column |',
    '|---|---|',
    ...lines,
    '',
    `×r: how many times better this run is than the reference. ${RATIO_RULE}`,
  ].join('\n');
}

export function renderRun(run: SavedRun, ref: Reference | null): string {
  const m = run.machine;
  const packages = Object.entries(run.packages)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const comparison = renderComparison(run.report, run.machine, ref);
  return [
    `## ${run.report.suite}: ${run.report.title}`,
    '',
    `${run.timestamp}${run.quick ? ' · quick (smoke) run' : ''} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.os} · Node ${m.node} (V8 ${m.v8})`,
    '',
    `Packages: ${packages}`,
    '',
    renderTable(run.report),
    ...(run.report.notes.length > 0 ? ['', ...run.report.notes.map((n) => `- ${n}`)] : []),
    ...(comparison ? ['', comparison] : []),
    '',
  ].join('\n');
}
