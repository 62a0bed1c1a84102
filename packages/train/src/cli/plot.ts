import type {
  MdpStudyResult,
  MetaStudyResult,
  StudyResult,
  ToyStudyResult,
  VectorStats,
} from '@metagrad/estimators';
import { invalidVerdict, knownBiased } from './format';

type Spec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Where a log axis shows values at or below it (an exact bias of 0 or 1e-17). */
const LOG_FLOOR = 1e-16;
const atFloor = (x: number) => Math.max(x, LOG_FLOOR);

/** Verdict colours (the legend names them); the noise floor is grey, not a verdict. */
const VERDICTS = ['unbiased ok', 'bias unresolved', 'BIASED', 'invalid', 'not tested', 'noise floor'];
const VERDICT_COLOURS = ['#1a9850', '#e08214', '#d73027', '#762a83', '#4d4d4d', '#9e9e9e'];
const colour = {
  field: 'verdict',
  type: 'nominal',
  scale: { domain: VERDICTS, range: VERDICT_COLOURS },
  legend: { title: 'verdict', orient: 'right' },
};

/** What each point is: sampled (filled), exact by enumeration (hollow), the noise floor (a bar). */
const KINDS = ['sampled |bias| ± 1 s.e.', 'exact |bias|', 'noise floor √(tr Σ̂/R)'];
const shape = {
  field: 'kind',
  type: 'nominal',
  scale: { domain: KINDS, range: ['circle', 'diamond', 'cross'] },
  legend: { title: 'quantity', orient: 'right', labelLimit: 300, symbolStrokeColor: '#4d4d4d' },
};
/**
 * The lower end of a ±1 s.e. bar on a log axis: where value − s.e. ≤ 0 the bar would run off
 * the axis, so it stops at a tenth of the value (the subtitle says so).
 */
const lowerBar = (value: number, se: number) => atFloor(value - se > 0 ? value - se : value / 10);

const verdictOf = (s: VectorStats, exactBias: number | null | undefined): string =>
  s.invalid !== undefined
    ? 'invalid'
    : !s.consistent
      ? 'BIASED'
      : knownBiased(exactBias, Math.hypot(...s.exact))
        ? 'bias unresolved'
        : 'unbiased ok';

interface BiasRow {
  panel: string;
  estimator: string;
  kind: string;
  verdict: string;
  value: number;
  lo?: number;
  hi?: number;
}

/**
 * One estimator's rows in a bias panel: the sampled bias norm with ±1 standard error, the
 * noise floor √(tr Σ̂/R) (what an unbiased estimator's sampled bias norm is expected to be),
 * and the exact bias where enumeration gives it.
 */
function biasRows(
  panel: string,
  estimator: string,
  s: VectorStats,
  exactBias: number | null | undefined,
  verdict?: string,
) {
  const v = verdict ?? verdictOf(s, exactBias);
  const rows: BiasRow[] = [
    {
      panel,
      estimator,
      kind: KINDS[0],
      verdict: v,
      value: atFloor(s.biasNorm),
      lo: lowerBar(s.biasNorm, s.standardError),
      hi: atFloor(s.biasNorm + s.standardError),
    },
    { panel, estimator, kind: KINDS[2], verdict: 'noise floor', value: atFloor(s.standardError) },
  ];
  if (exactBias !== null && exactBias !== undefined)
    rows.push({ panel, estimator, kind: KINDS[1], verdict: v, value: atFloor(exactBias) });
  return rows;
}

/** A panel of bias norms per estimator on a log axis: error bars, points, the noise floor. */
function biasPanel(panel: string, xTitle: string): Spec {
  const x = {
    field: 'value',
    type: 'quantitative',
    scale: { type: 'log' },
    title: xTitle,
  };
  const only = (kind: string) => ({ filter: { field: 'kind', equal: kind } });
  return {
    title: panel,
    width: 260,
    transform: [{ filter: { field: 'panel', equal: panel } }],
    encoding: { y: { field: 'estimator', type: 'nominal', sort: null, title: 'estimator' } },
    layer: [
      {
        transform: [only(KINDS[0])],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, color: colour },
      },
      // sampled values filled, exact ones hollow: visibly distinct even in greyscale
      ...KINDS.map((kind, i) => ({
        transform: [only(kind)],
        mark: { type: 'point', size: 80, strokeWidth: 2, filled: i !== 1 },
        encoding: { x, color: colour, shape },
      })),
    ],
  };
}

const footnote = `bars reaching 0 stop at a tenth of the value; values ≤ ${LOG_FLOOR} are drawn at ${LOG_FLOOR}`;

/** Gradient and Hessian bias per estimator, side by side, coloured by verdict. */
function mdpSpec(r: MdpStudyResult): Spec {
  const rows = r.estimators.flatMap((e) => [
    ...biasRows('gradient', e.name, e.gradient, e.exactBias?.gradient),
    ...biasRows('Hessian', e.name, e.hessian, e.exactBias?.hessian),
  ]);
  return {
    $schema: SCHEMA,
    title: {
      text: `Estimator study: ${r.repeats} estimates × ${r.samples} trajectories (seed ${r.seed})`,
      subtitle: `bias norm ‖mean − exact‖; verdict: z-test at level ${r.level}; ${footnote}`,
    },
    data: { values: rows },
    hconcat: [
      biasPanel('gradient', '‖mean ĝ − ∇J‖ (log scale)'),
      biasPanel('Hessian', '‖mean Ĥ − ∇²J‖ (log scale)'),
    ],
    resolve: { scale: { color: 'shared', shape: 'shared', fill: 'shared' } },
  };
}

/** Meta-gradient bias with the exact inner step (tested) and composed (reported), side by side. */
function metaSpec(r: MetaStudyResult): Spec {
  const tested = 'meta-gradient, exact inner step';
  const composed = 'composed (own inner step), not tested';
  const rows = r.estimators.flatMap((e) => [
    ...biasRows(tested, e.name, e.metaGradient, e.exactBias),
    ...(e.composed === null
      ? []
      : biasRows(composed, e.name, e.composed, null, e.composed.invalid ? 'invalid' : 'not tested')),
  ]);
  const panels = [biasPanel(tested, '‖mean (I + αĤ)ĝ(θ′) − ∇V‖ (log scale)')];
  if (r.estimators.some((e) => e.composed !== null))
    panels.push(biasPanel(composed, '‖mean composed − ∇V‖ (log scale)'));
  return {
    $schema: SCHEMA,
    title: {
      text: `Meta-gradient study, α = ${r.stepSize}: ${r.repeats} estimates × ${r.samples} trajectories (seed ${r.seed})`,
      subtitle: `verdict: z-test at level ${r.level}; ${footnote}`,
    },
    data: { values: rows },
    hconcat: panels,
    resolve: { scale: { color: 'shared', shape: 'shared', fill: 'shared' } },
  };
}

/** Variance and |bias| against N on log axes: closed forms as lines, samples as points ± 1 s.e. */
function toySpec(r: ToyStudyResult): Spec {
  const rows = r.rows.flatMap((x) => {
    const bias = Math.abs(x.stats.mean[0] - r.exactGradient);
    const se = x.stats.standardError;
    const verdict =
      x.stats.invalid !== undefined
        ? invalidVerdict(x.stats)
        : verdictOf(x.stats, Math.abs(x.closedForm.mean - r.exactGradient));
    const base = { n: x.n, estimator: x.estimator, verdict };
    return [
      { ...base, metric: 'variance', source: 'closed form', value: atFloor(x.closedForm.variance) },
      {
        ...base,
        metric: 'variance',
        source: 'sampled ± 1 s.e.',
        value: atFloor(x.variance),
        lo: lowerBar(x.variance, x.varianceSe),
        hi: atFloor(x.variance + x.varianceSe),
      },
      // an unbiased estimator's closed-form bias is 0, off a log axis: no line (the subtitle says so)
      ...(x.closedForm.mean === r.exactGradient
        ? []
        : [
            {
              ...base,
              metric: '|bias|',
              source: 'closed form',
              value: atFloor(Math.abs(x.closedForm.mean - r.exactGradient)),
            },
          ]),
      {
        ...base,
        metric: '|bias|',
        source: 'sampled ± 1 s.e.',
        value: atFloor(bias),
        lo: lowerBar(bias, se),
        hi: atFloor(bias + se),
      },
      { ...base, metric: '|bias|', source: 'noise floor (s.e.)', value: atFloor(se) },
    ];
  });
  const x = { field: 'n', type: 'quantitative', scale: { type: 'log' }, title: 'N (samples per estimate)' };
  const y = (title: string) => ({ field: 'value', type: 'quantitative', scale: { type: 'log' }, title });
  const estimator = { field: 'estimator', type: 'nominal', title: 'estimator' };
  const only = (source: string) => ({ filter: { field: 'source', equal: source } });
  const panel = (metric: string, yTitle: string): Spec => ({
    title: `${metric} vs N`,
    width: 260,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    layer: [
      { transform: [only('closed form')], mark: 'line', encoding: { x, y: y(yTitle), color: estimator } },
      ...(metric === '|bias|'
        ? [
            {
              transform: [only('noise floor (s.e.)')],
              mark: { type: 'line', strokeDash: [4, 3], opacity: 0.6 },
              encoding: { x, y: y(yTitle), color: estimator, detail: { field: 'source' } },
            },
          ]
        : []),
      {
        transform: [only('sampled ± 1 s.e.')],
        mark: { type: 'rule' },
        encoding: { x, y: { ...y(yTitle), field: 'lo' }, y2: { field: 'hi' }, color: estimator },
      },
      {
        transform: [only('sampled ± 1 s.e.')],
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x,
          y: y(yTitle),
          color: estimator,
          shape: { field: 'verdict', type: 'nominal', title: 'verdict (vs exact)' },
        },
      },
    ],
  });
  return {
    $schema: SCHEMA,
    title: {
      text: `Gaussian toy θ = ${r.theta}, σ = ${r.sigma}: ${r.repeats} estimates per N (seed ${r.seed})`,
      subtitle: [
        'lines: closed form (none for |bias| where it is 0); points: sampled ± 1 s.e.; dashed: Monte-Carlo noise floor of |bias|',
        footnote,
      ],
    },
    data: { values: rows },
    hconcat: [
      panel('variance', 'variance of one estimate (log scale)'),
      panel('|bias|', '|mean − exact gradient| (log scale)'),
    ],
    resolve: { scale: { color: 'shared', shape: 'shared' } },
  };
}

export function plotSpec(r: StudyResult): Spec {
  return r.kind === 'mdp' ? mdpSpec(r) : r.kind === 'meta' ? metaSpec(r) : toySpec(r);
}

// vega and vega-lite are ES modules; a real dynamic import (not compiled to require) loads them
interface VegaModule {
  View: new (runtime: unknown, opts: { renderer: 'none' }) => { toSVG(): Promise<string> };
  parse(spec: unknown): unknown;
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

/** Render a vega-lite spec to an SVG string, headless. */
export async function renderSpecSvg(spec: Spec): Promise<string> {
  const [vega, vl] = (await Promise.all([importEsm('vega'), importEsm('vega-lite')])) as [
    VegaModule,
    VegaLiteModule,
  ];
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  return view.toSVG();
}

/** Render the study's figure to an SVG string, headless. */
export function renderSvg(r: StudyResult): Promise<string> {
  return renderSpecSvg(plotSpec(r));
}
