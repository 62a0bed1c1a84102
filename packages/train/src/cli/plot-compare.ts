import { readCompareSpec, subRunDir } from '../compare/compare-dir';
import { readCompareRows } from '../compare/summary';
import { meanAndCi } from '../meta/evaluate';
import { readProgress } from '../run/run-dir';

type Spec = Record<string, unknown>;

interface Point {
  estimator: string;
  x: number;
  mean: number;
  lo: number;
  hi: number;
}

/** Mean ± 95% across seeds; `log`: on log10 (variances span decades), back-transformed. */
function acrossSeeds(xs: number[], log: boolean): { mean: number; lo: number; hi: number } {
  const v = log ? xs.map(Math.log10) : xs;
  const { mean, ci95 } = v.length > 1 ? meanAndCi(v) : { mean: v[0], ci95: 0 };
  const back = (y: number) => (log ? 10 ** y : y);
  return { mean: back(mean), lo: back(mean - ci95), hi: back(mean + ci95) };
}

/** One point per estimator and x where every seed has a value. */
function curve(bySeed: Map<string, Map<number, number>[]>, log: boolean): Point[] {
  const out: Point[] = [];
  for (const [estimator, seeds] of bySeed) {
    const xs = [...seeds[0].keys()].filter((x) => seeds.every((s) => s.has(x)));
    for (const x of xs)
      out.push({
        estimator,
        x,
        ...acrossSeeds(
          seeds.map((s) => s.get(x) as number),
          log,
        ),
      });
  }
  return out;
}

function panel(
  title: string,
  yTitle: string,
  points: Point[],
  log: boolean,
  xTitle = 'meta-iteration',
): Spec {
  const x = { field: 'x', type: 'quantitative', title: xTitle };
  const color = { field: 'estimator', type: 'nominal', title: 'estimator', sort: null };
  const scale = log ? { type: 'log' } : { zero: false };
  return {
    title,
    width: 340,
    height: 220,
    data: { values: points },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', title: yTitle, scale },
          y2: { field: 'hi' },
          color,
        },
      },
      {
        mark: { type: 'line' },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle, scale }, color },
      },
    ],
  };
}

/**
 * The TMAML poster's four panels for a compare directory, 95% bands across seeds: meta-gradient
 * variance (trace of the covariance) and MSE to the reference vs iteration (log axes; `exact`, with
 * none, is left out), and the post-adaptation return of training (meta-batch, every iteration) and
 * on the test tasks (tracked iterations) vs iteration.
 */
export function compareSpec(dir: string): Spec {
  const spec = readCompareSpec(dir);
  const rows = readCompareRows(dir, spec);
  const tracked = (
    f: (r: { varianceTrace: number; mse: number; testReturn: number[] }) => number,
    sampledOnly: boolean,
  ) =>
    new Map(
      [...rows]
        .filter(([e]) => !(sampledOnly && e === 'exact'))
        .map(([e, seeds]) => [e, seeds.map((rs) => new Map(rs.map((r) => [r.iteration, f(r)])))]),
    );
  const training = new Map(
    spec.estimators.map((e) => [
      e,
      spec.seeds.map(
        (s) =>
          new Map(
            readProgress(subRunDir(dir, e, s)).map((r) => [r.iteration, r.returns[r.returns.length - 1]]),
          ),
      ),
    ]),
  );
  const ref = rows.get(spec.estimators[0])?.[0]?.[0]?.reference === 'sampled' ? 'DiCE reference' : 'exact';
  const panels = [
    panel(
      'Meta-gradient variance (trace of covariance)',
      'variance',
      curve(
        tracked((r) => r.varianceTrace, true),
        true,
      ),
      true,
    ),
    panel(
      `Meta-gradient MSE to the ${ref}`,
      'mean squared error',
      curve(
        tracked((r) => r.mse, true),
        true,
      ),
      true,
    ),
    panel('Training: return after adaptation (meta-batch)', 'mean return', curve(training, false), false),
    panel(
      'Test tasks: return after adaptation',
      'mean return',
      curve(
        tracked((r) => r.testReturn[r.testReturn.length - 1], false),
        false,
      ),
      false,
    ),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${spec.base.env}: ${spec.seeds.length} seeds, 95% bands across seeds`,
    vconcat: [{ hconcat: panels.slice(0, 2) }, { hconcat: panels.slice(2) }],
  };
}
