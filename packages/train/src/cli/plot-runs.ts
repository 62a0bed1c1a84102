import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainConfig } from '../meta/config';
import { meanAndCi } from '../meta/evaluate';
import type { EvaluationFile } from '../run/evaluation-file';
import { readProgress, readRunConfig } from '../run/run-dir';
import { evaluationFile } from './evaluate-command';

type Spec = Record<string, unknown>;

/** How a run is named in figures: the algorithm, plus what differs from the defaults. */
export function runLabel(c: TrainConfig): string {
  if (c.algo === 'es-maml') {
    const gradient = c.metaGradient === 'zero-order' ? '' : ` ${c.metaGradient}`;
    return `es-maml/${c.adapt}${gradient} ${c.policy} K=${c.k} P=${c.metaBatch}`;
  }
  let label: string = c.algo;
  if (c.estimator !== 'maml') label += `/${c.estimator}`;
  if (c.outer !== 'trpo') label += ` (${c.outer})`;
  if (c.metaBatch !== 20) label += ` M=${c.metaBatch}`;
  return label;
}

interface CurvePoint {
  label: string;
  series: string;
  x: number;
  mean: number;
  lo: number;
  hi: number;
}

/** Mean ± 95% interval across runs (seeds) of a group, or the run's own interval when alone. */
function combine(values: readonly number[], own: number): { mean: number; lo: number; hi: number } {
  if (values.length === 1) return { mean: values[0], lo: values[0] - own, hi: values[0] + own };
  const { mean, ci95 } = meanAndCi(values);
  return { mean, lo: mean - ci95, hi: mean + ci95 };
}

function group<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}

/** Learning curves: mean training return before and after adaptation vs meta-iteration. */
export function learningCurvePoints(dirs: readonly string[]): CurvePoint[] {
  const runs = dirs.map((d) => ({ config: readRunConfig(d), progress: readProgress(d) }));
  const points: CurvePoint[] = [];
  for (const [label, rs] of group(runs, (r) => runLabel(r.config))) {
    const n = Math.min(...rs.map((r) => r.progress.length));
    const steps = rs[0].progress[0]?.returns.length ?? 0;
    for (let s = 0; s < steps; s++) {
      const series = s === 0 ? 'before adaptation' : `after ${s} step${s > 1 ? 's' : ''}`;
      for (let i = 0; i < n; i++) {
        const c = combine(
          rs.map((r) => r.progress[i].returns[s]),
          rs[0].progress[i].returnsCi95?.[s] ?? 0,
        );
        points.push({ label, series, x: i, ...c });
      }
    }
  }
  return points;
}

/** Adaptation curves from each run's evaluation.json (and evaluation-random-init.json). */
export function adaptationCurvePoints(dirs: readonly string[]): {
  points: CurvePoint[];
  oracle: number | null;
} {
  const evals: { label: string; e: EvaluationFile }[] = [];
  for (const d of dirs) {
    const config = readRunConfig(d);
    for (const random of [false, true]) {
      const p = path.join(d, evaluationFile(random));
      if (!fs.existsSync(p)) continue;
      const e = JSON.parse(fs.readFileSync(p, 'utf8')) as EvaluationFile;
      // es-maml's initialisation is evaluated with its own adaptation operator: keep it apart
      const init = config.algo === 'es-maml' ? `untrained ${runLabel(config)}` : 'random init';
      evals.push({ label: random ? init : runLabel(config), e });
    }
  }
  const points: CurvePoint[] = [];
  for (const [label, es] of group(evals, (x) => x.label)) {
    const steps = Math.min(...es.map((x) => x.e.result.mean.length));
    for (let s = 0; s < steps; s++) {
      const c = combine(
        es.map((x) => x.e.result.mean[s]),
        es[0].e.result.ci95[s],
      );
      points.push({ label, series: 'test tasks', x: s, ...c });
    }
  }
  return { points, oracle: evals.find((x) => x.e.result.oracle !== null)?.e.result.oracle ?? null };
}

const band = (x: Spec, color: Spec, extra: Spec[] = []): Spec[] => [
  {
    mark: { type: 'area', opacity: 0.2 },
    encoding: {
      x,
      y: { field: 'lo', type: 'quantitative', title: 'mean return' },
      y2: { field: 'hi' },
      color,
    },
  },
  {
    mark: { type: 'line', point: extra.length > 0 },
    encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'mean return' }, color },
  },
  ...extra,
];

/** Two panels: learning curves with 95% bands, and return vs adaptation step with 95% bars. */
export function runsSpec(dirs: readonly string[]): Spec {
  const learning = learningCurvePoints(dirs);
  const { points: adaptation, oracle } = adaptationCurvePoints(dirs);
  const color = {
    field: 'key',
    type: 'nominal',
    title: 'method',
    legend: { labelLimit: 400, orient: 'bottom', columns: 1 },
  };
  const panels: Spec[] = [
    {
      title: 'Training: mean return over the meta-batch (95% band)',
      width: 380,
      height: 260,
      data: { values: learning.map((p) => ({ ...p, key: `${p.label}, ${p.series}` })) },
      layer: band({ field: 'x', type: 'quantitative', title: 'meta-iteration' }, color),
    },
  ];
  if (adaptation.length > 0) {
    const oracleLayer: Spec[] =
      oracle === null
        ? []
        : [
            {
              data: { values: [{ oracle }] },
              mark: { type: 'rule', strokeDash: [4, 4] },
              encoding: { y: { field: 'oracle', type: 'quantitative' } },
            },
          ];
    panels.push({
      title: `Test tasks: return after k adaptation steps (95% CI)${oracle === null ? '' : `; dashed: oracle ${oracle.toFixed(2)}`}`,
      width: 300,
      height: 260,
      layer: [
        {
          data: { values: adaptation.map((p) => ({ ...p, key: p.label })) },
          layer: band(
            { field: 'x', type: 'quantitative', title: 'adaptation steps', axis: { tickMinStep: 1 } },
            color,
            [
              {
                mark: { type: 'errorbar' },
                encoding: {
                  x: { field: 'x', type: 'quantitative' },
                  y: { field: 'lo', type: 'quantitative', title: 'mean return' },
                  y2: { field: 'hi' },
                  color,
                },
              },
            ],
          ),
        },
        ...oracleLayer,
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: panels,
    resolve: { scale: { color: 'independent' } },
  };
}
