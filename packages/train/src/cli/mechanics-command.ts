import { isSupervisedEnv } from '../supervised/config';
import {
  gradientMechanics,
  MECHANICS_DEFAULTS,
  type MechanicsResult,
  type MechanicsRow,
} from '../supervised/mechanics';
import { CliError, parseIntOption, parseNumberOption } from './errors';
import { checkFigurePath, writeFigure } from './figure';
import { renderTable, right } from './format';
import { toJson } from './io';
import { renderSpecSvg } from './plot';

const e = (x: number) => x.toExponential(2);
const COLUMNS = [
  right('α', (r: MechanicsRow) => e(r.alpha)),
  right('‖MAML − exp.‖', (r: MechanicsRow) => e(r.residual.maml)),
  right('‖FOMAML − exp.‖', (r: MechanicsRow) => e(r.residual.fomaml)),
  right('‖Reptile − exp.‖', (r: MechanicsRow) => e(r.residual.reptile)),
  right('‖MAML − g₀⁽¹⁾‖', (r: MechanicsRow) => e(r.zerothOrderResidual.maml)),
  right('smooth', (r: MechanicsRow) => (r.smooth ? 'yes' : 'no (kink)')),
];

function format(r: MechanicsResult): string {
  const s = r.slopes;
  const z = r.zerothOrderSlopes;
  return [
    `gradient mechanics on one sinusoid task (A = ${r.task.amplitude.toFixed(3)}, φ = ${r.task.phase.toFixed(3)}), ` +
      `1→${r.hidden.join('→')}→1 ReLU (${r.parameters} parameters), batches (0) and (1) of ${r.shots} points`,
    'exp. = the second-order expansions: g₀⁽¹⁾ − αH₀⁽¹⁾g₀⁽⁰⁾ [− αH₀⁽⁰⁾g₀⁽¹⁾ for MAML] [+ g₀⁽⁰⁾ for Reptile]',
    renderTable(COLUMNS, r.rows),
    `log-log slope of the residual (smooth rows): MAML ${s.maml.toFixed(3)}, FOMAML ${s.fomaml.toFixed(3)}, Reptile ${s.reptile.toFixed(3)} (expected 2)`,
    `without the α-terms:                         MAML ${z.maml.toFixed(3)}, FOMAML ${z.fomaml.toFixed(3)}, Reptile ${z.reptile.toFixed(3)} (expected 1)`,
  ].join('\n');
}

/** Residuals against α on log-log axes, one line per gradient. */
export function mechanicsSpec(r: MechanicsResult): Record<string, unknown> {
  const names = { maml: 'MAML', fomaml: 'FOMAML', reptile: 'Reptile' } as const;
  const rows = r.rows.flatMap((row) =>
    (Object.keys(names) as (keyof typeof names)[]).flatMap((k) => [
      {
        alpha: row.alpha,
        value: row.residual[k],
        gradient: names[k],
        terms: 'second-order expansion',
        smooth: row.smooth,
      },
      {
        alpha: row.alpha,
        value: row.zerothOrderResidual[k],
        gradient: names[k],
        terms: 'zeroth order only',
        smooth: row.smooth,
      },
    ]),
  );
  const s = r.slopes;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `‖exact − expansion‖ vs α: slopes MAML ${s.maml.toFixed(2)}, FOMAML ${s.fomaml.toFixed(2)}, Reptile ${s.reptile.toFixed(2)}`,
    data: { values: rows },
    width: 420,
    height: 300,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'alpha', type: 'quantitative', scale: { type: 'log' }, title: 'inner step size α' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'residual norm' },
      color: { field: 'gradient', type: 'nominal' },
      strokeDash: { field: 'terms', type: 'nominal' },
    },
  };
}

/** `metagrad mechanics --env sinusoid [--json] [--plot f.svg]`. */
export async function runMechanicsCommand(o: Record<string, unknown>): Promise<number> {
  if (!isSupervisedEnv(o.env))
    throw new CliError(
      `--env: expected sinusoid (the only supervised environment), got ${JSON.stringify(o.env)}`,
    );
  const D = MECHANICS_DEFAULTS;
  const num = (flag: string, v: unknown, d: number) =>
    v === undefined ? d : parseNumberOption(flag, String(v), { min: 0, open: true });
  const lo = num('--alpha-min', o.alphaMin, D.alphas[0]);
  const hi = num('--alpha-max', o.alphaMax, D.alphas[D.alphas.length - 1]);
  if (!(hi > lo)) throw new CliError(`--alpha-max: expected a number > --alpha-min = ${lo}, got ${hi}`);
  const points = o.points === undefined ? D.alphas.length : parseIntOption('--points', String(o.points), 3);
  let hidden = D.hidden;
  if (o.hidden !== undefined) {
    hidden = String(o.hidden).split(',').map(Number);
    if (hidden.some((h) => !(Number.isInteger(h) && h >= 1 && h <= 4096)))
      throw new CliError(
        `--hidden: expected comma-separated layer widths in [1, 4096], got ${JSON.stringify(o.hidden)}`,
      );
  }
  const opts = {
    hidden,
    shots: o.shots === undefined ? D.shots : parseIntOption('--shots', String(o.shots), 1),
    seed: o.seed === undefined ? D.seed : parseIntOption('--seed', String(o.seed), 0),
    alphas: Array.from({ length: points }, (_, i) => lo * (hi / lo) ** (i / (points - 1))),
  };
  const plot = o.plot as string | undefined;
  if (plot !== undefined) checkFigurePath('--plot', plot);
  let r: MechanicsResult;
  try {
    r = gradientMechanics(opts);
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(err.message);
    throw err;
  }
  process.stdout.write(o.json ? toJson(r) : `${format(r)}\n`);
  if (plot !== undefined) writeFigure('--plot', plot, await renderSpecSvg(mechanicsSpec(r)));
  return 0;
}
