import type {
  MdpStudyResult,
  MetaStudyResult,
  StudyResult,
  ToyStudyResult,
  VectorStats,
} from '@metagrad/estimators';

/** One column of a plain-text table: its header, alignment and how a row fills its cell. */
export interface Column<Row> {
  header: string;
  align: 'left' | 'right';
  cell: (row: Row) => string;
}

const column =
  (align: 'left' | 'right') =>
  <Row>(header: string, cell: (row: Row) => string): Column<Row> => ({ header, align, cell });
const left = column('left');
const right = column('right');

/** A plain-text table built from one list of column specs, columns two spaces apart. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (r: readonly string[]) =>
    r.map((s, i) => (columns[i].align === 'left' ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

/** A table of ready-made string rows: the first column left-aligned (a name), the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  return renderTable(
    header.map((h, i) => (i === 0 ? left : right)(h, (r: string[]) => r[i])),
    rows,
  );
}

export const num = (x: number, digits = 3): string =>
  !Number.isFinite(x)
    ? Number.isNaN(x)
      ? 'NaN'
      : x > 0
        ? '∞'
        : '−∞'
    : x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)
      ? x.toExponential(2)
      : x.toFixed(digits);

/** No verdict on non-finite statistics: a NaN would otherwise pass or fail the z-test at random. */
export const invalidVerdict = (s: VectorStats) => `invalid (non-finite: ${s.invalid})`;

const verdict = (s: VectorStats) =>
  s.invalid !== undefined
    ? invalidVerdict(s)
    : s.consistent
      ? `unbiased ok (|z| ${num(s.maxAbsZ, 1)})`
      : `BIASED (|z| ${num(s.maxAbsZ, 1)})`;

const orDash = <T>(x: T | null, f: (x: T) => string) => (x === null ? '-' : f(x));

const MDP_COLUMNS: Column<MdpStudyResult['estimators'][number]>[] = [
  left('estimator', (e) => e.name),
  right('gradient', (e) => verdict(e.gradient)),
  right('hess |bias|', (e) => num(e.hessian.biasNorm)),
  right('rel bias', (e) => num(e.hessian.relativeBias)),
  right('rel std', (e) => num(e.hessian.relativeStd)),
  right('var trace', (e) => num(e.hessian.varianceTrace)),
  right('MSE', (e) => num(e.hessian.mse)),
  right('cosine', (e) => num(e.hessian.cosine)),
  right('Hessian verdict', (e) => verdict(e.hessian)),
];

export function formatMdpStudy(r: MdpStudyResult): string {
  const z = r.estimators[0]?.hessian.zThreshold;
  return [
    `exact J = ${num(r.exact.J, 6)}, ${r.parameters} parameters; ${r.repeats} estimates × ${r.samples} trajectories each, seed ${r.seed}`,
    '',
    renderTable(MDP_COLUMNS, r.estimators),
    '',
    `verdict: Bonferroni z-test at level ${r.alpha} (Hessian: |z| threshold ${z === undefined ? '-' : num(z, 2)}); ${r.falsePositiveRate}.`,
  ].join('\n');
}

const toyColumns = (exactGradient: number): Column<ToyStudyResult['rows'][number]>[] => [
  left('estimator', (x) => x.estimator),
  right('N', (x) => String(x.n)),
  right('mean', (x) => num(x.stats.mean[0])),
  right('closed-form mean', (x) => num(x.closedForm.mean)),
  right('bias', (x) => num(x.stats.mean[0] - exactGradient)),
  right('variance', (x) => num(x.variance)),
  right('closed-form var', (x) => num(x.closedForm.variance)),
  right('MSE', (x) => num(x.stats.mse)),
  right('verdict', (x) =>
    x.stats.invalid !== undefined ? invalidVerdict(x.stats) : x.stats.consistent ? 'unbiased ok' : 'BIASED',
  ),
];

export function formatToyStudy(r: ToyStudyResult): string {
  return [
    `Gaussian toy: X_i ~ N(${r.theta}, ${r.sigma}²), f(x) = -(x-1)², exact gradient ${num(r.exactGradient)}; ${r.repeats} estimates per N, seed ${r.seed}`,
    '',
    renderTable(toyColumns(r.exactGradient), r.rows),
    '',
    `verdict: z-test at level ${r.alpha}; ${r.falsePositiveRate}.`,
  ].join('\n');
}

const claim = (b: boolean | null) => (b === null ? '-' : b ? 'unbiased' : 'biased');

const META_COLUMNS: Column<MetaStudyResult['estimators'][number]>[] = [
  left('estimator', (e) => e.name),
  right('claim', (e) => claim(e.claim.metaGradient)),
  right('|bias|', (e) => num(e.metaGradient.biasNorm)),
  right('exact |bias|', (e) => orDash(e.exactBias, num)),
  right('rel std', (e) => num(e.metaGradient.relativeStd)),
  right('var trace', (e) => num(e.metaGradient.varianceTrace)),
  right('MSE', (e) => num(e.metaGradient.mse)),
  right('cosine', (e) => num(e.metaGradient.cosine)),
  right('verdict (exact inner step)', (e) => verdict(e.metaGradient)),
  right('composed |bias|', (e) => orDash(e.composed, (c) => num(c.biasNorm))),
  right('composed |z|', (e) =>
    orDash(e.composed, (c) => (c.invalid !== undefined ? invalidVerdict(c) : num(c.maxAbsZ, 1))),
  ),
];

export function formatMetaStudy(r: MetaStudyResult): string {
  const z = r.estimators[0]?.metaGradient.zThreshold;
  return [
    `meta-gradient of V(θ) = J(θ + α∇J(θ)), α = ${r.stepSize}: exact |∇V| = ${num(Math.hypot(...r.exact.metaGradient))}, ${r.parameters} parameters; ${r.repeats} estimates × ${r.samples} inner + ${r.samples} outer trajectories each, seed ${r.seed}`,
    '',
    renderTable(META_COLUMNS, r.estimators),
    '',
    `verdict: Bonferroni z-test at level ${r.alpha} (|z| threshold ${z === undefined ? '-' : num(z, 2)}) on (I + αĤ)ĝ(θ′) with the exact inner step θ′ = θ + α∇J(θ); ${r.falsePositiveRate}.`,
    'exact |bias|: ‖(I + αE[Ĥ])E[ĝ(θ′)] − ∇V‖ by enumeration; a biased estimator whose exact bias is below the sampling resolution passes the z-test (raise --repeats, --samples or α to detect it).',
    'composed: the estimator’s own inner step θ′ = θ + αĝ (what MAML code computes); E[f(θ + αĝ)] ≠ f(θ + αE[ĝ]), so its bias is reported, not tested against a claim.',
  ].join('\n');
}

/** Every verdict the result could not give ("dice Hessian: mean[3]"), in table order. */
export function invalidVerdicts(r: StudyResult): string[] {
  const named: [string, VectorStats | null][] =
    r.kind === 'mdp'
      ? r.estimators.flatMap((e) => [
          [`${e.name} gradient`, e.gradient],
          [`${e.name} Hessian`, e.hessian],
        ])
      : r.kind === 'meta'
        ? r.estimators.flatMap((e) => [
            [`${e.name} meta-gradient`, e.metaGradient],
            [`${e.name} composed`, e.composed],
          ])
        : r.rows.map((x) => [`${x.estimator} N=${x.n}`, x.stats]);
  return named.flatMap(([name, s]) => (s?.invalid ? [`${name} (${s.invalid})`] : []));
}
