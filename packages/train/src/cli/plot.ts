import type { MdpStudyResult, MetaStudyResult, StudyResult, ToyStudyResult } from '@metagrad/estimators';

type Spec = Record<string, unknown>;

/** One panel: `metric` per estimator (rows), a bar chart, or a dot plot on a log axis. */
function estimatorPanel(metric: string, log: boolean, extra: Spec = {}): Spec {
  return {
    title: metric,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    // bars need a zero baseline, which a log axis lacks: log panels are dot plots
    mark: log ? { type: 'point', filled: true, size: 70 } : 'bar',
    encoding: {
      y: { field: 'estimator', type: 'nominal', sort: null, title: null },
      ...extra,
      x: { field: 'value', type: 'quantitative', title: null, ...(log ? { scale: { type: 'log' } } : {}) },
    },
  };
}

/** Hessian bias and variance per estimator, as two bar charts side by side. */
function mdpSpec(r: MdpStudyResult): Spec {
  const rows = r.estimators.flatMap((e) => [
    { estimator: e.name, metric: 'Hessian |bias| (Monte Carlo)', value: e.hessian.biasNorm },
    { estimator: e.name, metric: 'Hessian variance (trace)', value: e.hessian.varianceTrace },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Estimator study: ${r.repeats} estimates × ${r.samples} trajectories (seed ${r.seed})`,
    data: { values: rows },
    hconcat: [
      estimatorPanel('Hessian |bias| (Monte Carlo)', false),
      estimatorPanel('Hessian variance (trace)', true),
    ],
  };
}

/** Variance and |bias| against N on log axes, sampled (points) and closed form (lines). */
function toySpec(r: ToyStudyResult): Spec {
  const rows = r.rows.flatMap((x) => {
    const out = [
      { n: x.n, estimator: x.estimator, source: 'sampled', metric: 'variance', value: x.variance },
      {
        n: x.n,
        estimator: x.estimator,
        source: 'closed form',
        metric: 'variance',
        value: x.closedForm.variance,
      },
      {
        n: x.n,
        estimator: x.estimator,
        source: 'sampled',
        metric: '|bias|',
        value: Math.abs(x.stats.mean[0] - r.exactGradient),
      },
    ];
    const cf = Math.abs(x.closedForm.mean - r.exactGradient);
    if (cf > 0)
      out.push({ n: x.n, estimator: x.estimator, source: 'closed form', metric: '|bias|', value: cf });
    return out;
  });
  const panel = (metric: string) => ({
    title: `${metric} vs N`,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    layer: [
      { transform: [{ filter: { field: 'source', equal: 'closed form' } }], mark: 'line', encoding: enc() },
      {
        transform: [{ filter: { field: 'source', equal: 'sampled' } }],
        mark: { type: 'point', filled: true },
        encoding: enc(),
      },
    ],
  });
  const enc = () => ({
    x: { field: 'n', type: 'quantitative', scale: { type: 'log' }, title: 'N' },
    y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null },
    color: { field: 'estimator', type: 'nominal' },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Gaussian toy θ = ${r.theta}, σ = ${r.sigma}: lines closed form, points sampled (${r.repeats} estimates per N)`,
    data: { values: rows },
    hconcat: [panel('variance'), panel('|bias|')],
  };
}

/** Meta-gradient bias (exact inner step and composed) and variance per estimator. */
function metaSpec(r: MetaStudyResult): Spec {
  const rows = r.estimators.flatMap((e) => [
    {
      estimator: e.name,
      metric: 'meta-gradient |bias|',
      source: 'exact inner step',
      value: e.metaGradient.biasNorm,
    },
    ...(e.composed === null
      ? []
      : [
          {
            estimator: e.name,
            metric: 'meta-gradient |bias|',
            source: 'composed',
            value: e.composed.biasNorm,
          },
        ]),
    {
      estimator: e.name,
      metric: 'meta-gradient variance (trace)',
      source: 'exact inner step',
      value: e.metaGradient.varianceTrace,
    },
  ]);
  const bar = (metric: string, log: boolean) =>
    estimatorPanel(metric, log, {
      yOffset: { field: 'source' },
      color: { field: 'source', type: 'nominal', title: null },
    });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Meta-gradient study, α = ${r.stepSize}: ${r.repeats} estimates × ${r.samples} trajectories (seed ${r.seed})`,
    data: { values: rows },
    hconcat: [bar('meta-gradient |bias|', false), bar('meta-gradient variance (trace)', true)],
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
