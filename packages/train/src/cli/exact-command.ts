import type { TabularMdp } from '@metagrad/envs';
import {
  exactDerivatives,
  exactHessianTerms,
  exactMetaGradient,
  exactResources,
  firstNonFinite,
} from '@metagrad/estimators';
import { SingleBar } from 'cli-progress';
import {
  type Budget,
  CliError,
  checkBudget,
  EXIT_NON_FINITE,
  parseBudget,
  parseNumberOption,
} from './errors';
import { num, TEXT_WIDTH } from './format';
import { loadMdp, toJson } from './io';
import { matrixRows, schemaId } from './json-documents';
import { isInteractive } from './terminal';

export interface ExactCliOptions {
  mdp?: string;
  alpha?: string;
  json?: boolean;
  terms?: boolean;
  maxMemory?: string;
  maxWork?: string;
  wide?: boolean;
}

/** Estimated operations per second of one core (measured), for the "this will take a while" note. */
const OPS_PER_SECOND = 6e7;

/** Check the exact oracle's estimated memory and work against the budget before computing. */
export function checkExactBudget(mdp: TabularMdp, opts: { meta: boolean; moments: number }, budget: Budget) {
  const need = exactResources(mdp, opts);
  const { states: S, actions: A, horizon: T } = mdp;
  checkBudget(
    'the exact oracle',
    {
      ...need,
      why: `horizon ${T} × ${S} states × ${A} actions; the whole computation is kept for differentiation, so memory grows with the horizon`,
      workWhy: `horizon ${T} × ${S} states × ${A} actions; the Hessian takes one pass over all T steps per parameter`,
      lower: "the MDP's horizon or size",
    },
    budget,
  );
  const seconds = need.work / OPS_PER_SECOND;
  if (seconds > 2 && isInteractive(process.stderr))
    process.stderr.write(
      `exact oracle: about ${Math.ceil(seconds)} s (${need.work.toExponential(1)} operations)…\n`,
    );
  return seconds;
}

/**
 * A progress bar over the exact Hessian's rows on a terminal when the work is estimated at more
 * than a couple of seconds; `stop` clears it.
 */
export function exactProgress(seconds: number): {
  onProgress?: (done: number, total: number) => void;
  stop: () => void;
} {
  if (!(seconds > 2 && isInteractive(process.stderr))) return { stop: () => {} };
  const bar = new SingleBar({
    format: 'exact Hessian [{bar}] {value}/{total} rows, {eta_formatted} left',
    stream: process.stderr,
    clearOnComplete: true,
  });
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
      started = false; // stopping twice (study stops it when sampling starts, and at the end) is harmless
    },
  };
}

/** Exact J, ∇J, ∇²J (and the one-step MAML meta-gradient) w.r.t. the file's logits, index s·A + a. */
export function runExactCommand(o: ExactCliOptions): number {
  if (o.mdp === undefined)
    throw new CliError('--mdp: expected a path to an MDP JSON file with `logits`, got nothing');
  const mdp = loadMdp('--mdp', o.mdp);
  if (mdp.logits === undefined)
    throw new CliError(`--mdp ${o.mdp}: logits: expected the policy logits [S][A] in the file, got none`);
  const alpha = o.alpha === undefined ? undefined : parseNumberOption('--alpha', o.alpha);
  const seconds = checkExactBudget(
    mdp,
    { meta: alpha !== undefined, moments: o.terms ? 6 : 0 },
    parseBudget(o),
  );
  const { states: S, actions: A } = mdp;
  const progress = exactProgress(seconds);
  let d: ReturnType<typeof exactDerivatives>;
  try {
    d = exactDerivatives(mdp, undefined, { onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
  const P = S * A;
  // the layout of every --json: parameter vectors flat (p = s·A + a), matrices nested rows
  const out: Record<string, unknown> = {
    schema: schemaId('exact'),
    states: S,
    actions: A,
    parameters: P,
    J: d.J,
    grad: Array.from(d.grad),
    hessian: matrixRows(d.hessian, P, P),
  };
  if (alpha !== undefined) {
    out.alpha = alpha;
    out.metaGradient = Array.from(exactMetaGradient(mdp, alpha));
  }
  if (o.terms) {
    const t = exactHessianTerms(mdp, mdp.logits);
    out.terms = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, matrixRows(v, P, P)]));
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
  const mat = (m: number[][]) => matrix(m, o.wide ? Number.POSITIVE_INFINITY : TEXT_WIDTH);
  const lines = [
    `J = ${num(d.J, 10)}`,
    'grad [s][a]:',
    mat(matrixRows(d.grad, S, A)),
    'hessian [s·A+a][s·A+a]:',
    mat(out.hessian as number[][]),
  ];
  if (alpha !== undefined)
    lines.push(`metaGradient (α = ${alpha}) [s][a]:`, mat(matrixRows(out.metaGradient as number[], S, A)));
  if (o.terms) {
    for (const [k, v] of Object.entries(out.terms as Record<string, number[][]>)) lines.push(`${k}:`, mat(v));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}

/** A matrix, indented, 13 columns an entry; wider than `width`, split into labelled blocks of columns. */
function matrix(m: number[][], width: number): string {
  const rowText = (r: number[]) => `  ${r.map((x) => num(x, 6).padStart(12)).join(' ')}`;
  const cols = m[0]?.length ?? 0;
  const per = Math.max(1, Math.floor((width - 1) / 13));
  if (cols <= per) return m.map(rowText).join('\n');
  const blocks: string[] = [];
  for (let c = 0; c < cols; c += per) {
    const end = Math.min(cols, c + per);
    blocks.push(`  columns ${c}–${end - 1}:`, ...m.map((r) => rowText(r.slice(c, end))));
  }
  return blocks.join('\n');
}

/** metaGrad and the Hessian terms, flat, for the non-finite check. */
function flatTerms(out: Record<string, unknown>): Record<string, number[]> {
  const flat: Record<string, number[]> = {};
  if (out.metaGradient) flat.metaGradient = out.metaGradient as number[];
  for (const [k, v] of Object.entries((out.terms ?? {}) as Record<string, number[][]>)) flat[k] = v.flat();
  return flat;
}
