/**
 * Markdown rendering of a suite's table: each measured cell shows the median and the min–max
 * range, and, when the suite names a baseline column, the ratio to it. A second table compares
 * medians with the previous run of the same suite.
 */
import type { MachineInfo } from './machine';
import type { Cell, Measurement, SuiteReport } from './suite';

/** What is written to `<suite>-<timestamp>.json`. */
export interface SavedRun {
  timestamp: string;
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

function ratio(cell: Measurement, base: Cell | undefined, higherIsBetter: boolean): string {
  if (!isMeasurement(base) || base.median === 0) return '';
  const r = higherIsBetter ? cell.median / base.median : base.median / cell.median;
  return ` **×${fmt(r)}**`;
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
    (report.baseline
      ? `; **×r**: ${report.higherIsBetter ? 'ratio to' : 'speed-up over'} ${report.baseline}.`
      : '.');
  return [head, rule, ...body, '', legend].join('\n');
}

/** Median now vs the previous run, per cell present in both; null when there is nothing to compare. */
export function renderComparison(now: SuiteReport, previous: SavedRun | null): string | null {
  if (!previous) return null;
  const before = new Map(previous.report.rows.map((r) => [r.name, r.cells]));
  const lines: string[] = [];
  for (const row of now.rows) {
    const old = before.get(row.name);
    if (!old) continue;
    const parts: string[] = [];
    for (const col of now.columns) {
      const a = row.cells[col];
      const b = old[col];
      if (isMeasurement(a) && isMeasurement(b) && b.median > 0) {
        const change = now.higherIsBetter ? a.median / b.median : b.median / a.median;
        parts.push(`${col} ×${fmt(change)}`);
      }
    }
    if (parts.length > 0) lines.push(`| ${row.name} | ${parts.join(', ')} |`);
  }
  if (lines.length === 0) return null;
  return [
    `Compared with the previous run (${previous.timestamp}; ×>1 is better now):`,
    '',
    '| case | change per column |',
    '|---|---|',
    ...lines,
  ].join('\n');
}

export function renderRun(run: SavedRun, previous: SavedRun | null): string {
  const m = run.machine;
  const packages = Object.entries(run.packages)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const comparison = renderComparison(run.report, previous);
  return [
    `## ${run.report.suite}: ${run.report.title}`,
    '',
    `${run.timestamp} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.os} · Node ${m.node} (V8 ${m.v8})`,
    '',
    `Packages: ${packages}`,
    '',
    renderTable(run.report),
    ...(run.report.notes.length > 0 ? ['', ...run.report.notes.map((n) => `- ${n}`)] : []),
    ...(comparison ? ['', comparison] : []),
    '',
  ].join('\n');
}
