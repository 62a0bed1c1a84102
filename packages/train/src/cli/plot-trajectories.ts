import { explorationPaths, PATH_ENVS } from '../es/exploration-paths';
import { readRunConfig } from '../run/run-dir';
import { CliError } from './errors';

type Spec = Record<string, unknown>;

/**
 * The poster's exploration pictures: for each run (columns; e.g. ES-MAML and PG-MAML) and each
 * of the first test tasks (rows), the K episodes adaptation explored with (thin) and the
 * adapted policy's path (thick), the goal as a star. All runs must share one 2-D environment.
 */
export function trajectoriesSpec(dirs: readonly string[], tasks: number): Spec {
  if (dirs.length === 0) throw new CliError('plot --trajectories: expected at least one run directory');
  const configs = dirs.map((d) => readRunConfig(d));
  const env = configs[0].env;
  if (!(PATH_ENVS as readonly string[]).includes(env))
    throw new CliError(
      `plot --trajectories: expected runs on ${PATH_ENVS.join(' or ')} (2-D positions), got env ${JSON.stringify(env)} in ${dirs[0]}`,
    );
  const other = configs.findIndex((c) => c.env !== env);
  if (other >= 0)
    throw new CliError(
      `plot --trajectories: expected every run on one environment, got ${JSON.stringify(env)} in ${dirs[0]} and ${JSON.stringify(configs[other].env)} in ${dirs[other]}`,
    );
  const rows = dirs.flatMap((d, i) => {
    const { points, goals } = explorationPaths(d, configs[i], tasks);
    return [
      ...points.map((p) => ({ ...p, layer: 'path', series: `${p.kind}`, key: `${p.kind}-${p.episode}` })),
      ...goals.map((g) => ({ ...g, layer: 'goal' })),
    ];
  });
  const bound = env === 'four-corners' ? 5 : 1;
  const axis = (f: string) => ({
    field: f,
    type: 'quantitative',
    scale: { domain: [-bound, bound] },
    title: f,
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${env}: K exploration episodes (thin), adapted policy (thick)`,
    data: { values: rows },
    facet: {
      row: { field: 'task', type: 'ordinal', title: 'test task' },
      column: { field: 'method', type: 'nominal', title: null },
    },
    spec: {
      width: 220,
      height: 220,
      layer: [
        {
          transform: [{ filter: { field: 'layer', equal: 'path' } }],
          mark: { type: 'line', clip: true },
          encoding: {
            x: axis('x'),
            y: axis('y'),
            detail: { field: 'key' },
            order: { field: 't' },
            color: {
              field: 'series',
              type: 'nominal',
              title: 'episodes',
              scale: { domain: ['exploration', 'adapted'], range: ['#9bb7d4', '#d62728'] },
            },
            strokeWidth: { condition: { test: "datum.series === 'adapted'", value: 2.5 }, value: 1 },
          },
        },
        {
          transform: [{ filter: { field: 'layer', equal: 'goal' } }],
          mark: { type: 'point', shape: 'diamond', filled: true, size: 120, color: '#2ca02c' },
          encoding: { x: axis('x'), y: axis('y') },
        },
      ],
    },
  };
}
