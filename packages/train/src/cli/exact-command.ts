import { exactDerivatives, exactHessianTerms, exactMetaGradient, firstNonFinite } from '@metagrad/estimators';
import { CliError, parseNumberOption } from './errors';
import { num } from './format';
import { toJson } from './io';
import { EXIT_NON_FINITE, loadMdp } from './study-command';

const rows = (x: ArrayLike<number>, n: number, w: number) =>
  Array.from({ length: n }, (_, i) => Array.from(x).slice(i * w, (i + 1) * w));

export interface ExactCliOptions {
  mdp?: string;
  alpha?: string;
  json?: boolean;
  terms?: boolean;
}

/** Exact J, ∇J, ∇²J (and the one-step MAML meta-gradient) w.r.t. the file's logits, index s·A + a. */
export function runExactCommand(o: ExactCliOptions): number {
  if (o.mdp === undefined)
    throw new CliError('--mdp: expected a path to an MDP JSON file with `logits`, got nothing');
  const mdp = loadMdp('--mdp', o.mdp);
  if (mdp.logits === undefined)
    throw new CliError(`--mdp ${o.mdp}: logits: expected the policy logits [S][A] in the file, got none`);
  const alpha = o.alpha === undefined ? undefined : parseNumberOption('--alpha', o.alpha);
  const { states: S, actions: A } = mdp;
  const d = exactDerivatives(mdp);
  const out: Record<string, unknown> = {
    J: d.J,
    grad: rows(d.grad, S, A),
    hessian: rows(d.hessian, S * A, S * A),
  };
  if (alpha !== undefined) out.metaGrad = rows(exactMetaGradient(mdp, alpha), S, A);
  if (o.terms) {
    const t = exactHessianTerms(mdp, mdp.logits);
    const P = S * A;
    out.terms = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, rows(v, P, P)]));
  }
  const bad = firstNonFinite({ J: d.J, grad: d.grad, hessian: d.hessian, ...flatTerms(out) });
  const code = bad === null ? 0 : EXIT_NON_FINITE;
  if (bad !== null)
    process.stderr.write(
      `metagrad: error: non-finite result (${bad}); the MDP or --alpha is beyond double precision\n`,
    );
  if (o.json) {
    process.stdout.write(toJson(out, 0));
    return code;
  }
  const mat = (m: number[][]) =>
    m.map((r) => `  ${r.map((x) => num(x, 6).padStart(12)).join(' ')}`).join('\n');
  const lines = [
    `J = ${num(d.J, 10)}`,
    'grad [s][a]:',
    mat(out.grad as number[][]),
    'hessian [s·A+a][s·A+a]:',
    mat(out.hessian as number[][]),
  ];
  if (alpha !== undefined) lines.push(`metaGrad (α = ${alpha}) [s][a]:`, mat(out.metaGrad as number[][]));
  if (o.terms) {
    for (const [k, v] of Object.entries(out.terms as Record<string, number[][]>)) lines.push(`${k}:`, mat(v));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}

/** metaGrad and the Hessian terms, flat, for the non-finite check. */
function flatTerms(out: Record<string, unknown>): Record<string, number[]> {
  const flat: Record<string, number[]> = {};
  if (out.metaGrad) flat.metaGrad = (out.metaGrad as number[][]).flat();
  for (const [k, v] of Object.entries((out.terms ?? {}) as Record<string, number[][]>)) flat[k] = v.flat();
  return flat;
}
