import { NonFiniteError } from '../non-finite';
import { RunDirError, readPolicy } from '../run/run-dir';
import { treeFromJson } from '../run/serialize';
import type { SupervisedConfig } from '../supervised/config';
import { evaluateSupervised, type SupervisedEvaluation } from '../supervised/evaluate';
import { initParams, type SupervisedParams } from '../supervised/params';
import { readSupervisedConfig } from '../supervised/train-run';
import { CliError, parseIntOption, parseNumberOption } from './errors';
import { checkFigurePath, writeFigure } from './figure';
import { renderSpecSvg } from './plot';

export interface SupervisedEvaluationFile {
  format: 'metagrad-supervised-evaluation/1';
  run: string;
  algo: string;
  /** policy.json, checkpoint.json, or the initialisation */
  source: string;
  iterations: number;
  result: SupervisedEvaluation;
}

/** Steps whose adapted curves the figure shows. */
const CURVE_STEPS = [0, 1, 10];

export function evaluateSupervisedRun(
  dir: string,
  o: { tasks: number; steps: number; shots?: number; alpha?: number; testPoints: number },
): SupervisedEvaluationFile {
  const config: SupervisedConfig = readSupervisedConfig(dir);
  if (o.alpha !== undefined && config.algo === 'meta-sgd')
    throw new CliError(
      `--alpha: ${dir} is a Meta-SGD run, which adapts with its learned per-parameter α; drop --alpha`,
    );
  const saved = readPolicy(dir);
  const params =
    saved.meta === null
      ? initParams(config)
      : (treeFromJson(saved.meta, `${dir}/meta`) as unknown as SupervisedParams);
  const result = evaluateSupervised(config, params, {
    tasks: o.tasks,
    steps: o.steps,
    shots: o.shots ?? config.shots,
    alpha: o.alpha ?? config.alpha,
    testPoints: o.testPoints,
    seed: 0,
    curveTasks: 3,
    curveSteps: CURVE_STEPS.filter((s) => s <= o.steps),
  });
  return {
    format: 'metagrad-supervised-evaluation/1',
    run: dir,
    algo: config.algo,
    source: saved.source,
    iterations: saved.iterations,
    result,
  };
}

/** Adapted curves against the true sinusoid on a few held-out tasks (one panel per task). */
export function curvesSpec(e: SupervisedEvaluationFile): Record<string, unknown> {
  const panels = e.result.curves.map((c, t) => {
    const rows = [
      ...c.x.map((x, i) => ({ x, y: c.truth[i], series: 'true sinusoid' })),
      ...c.predictions.flatMap((p) =>
        c.x.map((x, i) => ({ x, y: p.y[i], series: `after ${p.steps} step${p.steps === 1 ? '' : 's'}` })),
      ),
    ];
    const points = c.support.x.map((x, i) => ({ x, y: c.support.y[i] }));
    return {
      title: `task ${t}: A = ${c.task.amplitude.toFixed(2)}, φ = ${c.task.phase.toFixed(2)}`,
      width: 260,
      height: 200,
      layer: [
        {
          data: { values: rows },
          mark: 'line',
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { domain: [-5, 5] } },
            y: { field: 'y', type: 'quantitative' },
            color: { field: 'series', type: 'nominal', title: null },
            strokeDash: {
              condition: { test: "datum.series === 'true sinusoid'", value: [1, 0] },
              value: [4, 2],
            },
          },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, color: 'black' },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
      ],
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${e.algo}, ${e.result.shots}-shot (points: the support set; α = ${e.result.alpha})`,
    hconcat: panels,
  };
}

function formatEvaluation(e: SupervisedEvaluationFile): string {
  const r = e.result;
  const lines = [
    `${e.run} (${e.algo}, ${e.source}, ${e.iterations} iterations; ${r.tasks} held-out tasks, ${r.shots}-shot, MSE on ${r.testPoints} points)`,
  ];
  r.mse.forEach((m, s) => {
    const steps = `${String(s).padStart(2)} step${s === 1 ? ' ' : 's'}`;
    lines.push(`  after ${steps}: MSE ${m.toFixed(4)} ± ${r.ci95[s].toFixed(4)}`);
  });
  return lines.join('\n');
}

/** `metagrad evaluate <sinusoid run>`: the supervised meta-test. */
export async function runSupervisedEvaluate(
  dir: string,
  o: Record<string, unknown>,
): Promise<SupervisedEvaluationFile> {
  const opts = {
    tasks: o.tasks === undefined ? 100 : parseIntOption('--tasks', String(o.tasks), 1),
    steps: o.steps === undefined ? 10 : parseIntOption('--steps', String(o.steps), 0),
    shots: o.shots === undefined ? undefined : parseIntOption('--shots', String(o.shots), 1),
    alpha: o.alpha === undefined ? undefined : parseNumberOption('--alpha', String(o.alpha), { min: 0 }),
    testPoints: 100,
  };
  for (const rl of ['episodes', 'laterFactor', 'randomInit', 'validation', 'snapshot'] as const)
    if (o[rl] !== undefined)
      throw new CliError(
        `--${rl.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: an option of RL runs; ${dir} is a sinusoid run`,
      );
  const figure = o.figure as string | undefined;
  if (figure !== undefined) checkFigurePath('--figure', figure);
  let e: SupervisedEvaluationFile;
  try {
    e = evaluateSupervisedRun(dir, opts);
  } catch (err) {
    if (err instanceof RunDirError || err instanceof NonFiniteError) throw new CliError(err.message);
    throw err;
  }
  if (!o.json) process.stdout.write(`${formatEvaluation(e)}\n`);
  if (figure !== undefined) writeFigure('--figure', figure, await renderSpecSvg(curvesSpec(e)));
  return e;
}
