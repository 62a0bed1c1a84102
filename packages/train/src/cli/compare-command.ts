import * as path from 'node:path';
import { STUDY_DEFAULTS } from '@metagrad/estimators';
import { type CompareSpec, readCompareSpec } from '../compare/compare-dir';
import { compareRun } from '../compare/compare-run';
import {
  COMPARE_ESTIMATORS,
  type CompareEstimator,
  defaultEstimators,
  UNAVAILABLE,
} from '../compare/estimators';
import { isTabular } from '../compare/reference';
import { type CompareSummary, summarizeCompare, writeSummary } from '../compare/summary';
import { ConfigError } from '../meta/config';
import { makeProblem } from '../meta/problem';
import { NonFiniteError } from '../non-finite';
import { RunDirError } from '../run/run-dir';
import { CliError, parseChoiceList, parseIntOption, parseNumberOption } from './errors';
import { left, num, renderTable, right, TEXT_WIDTH } from './format';
import { stopOnCtrlC } from './interrupt';
import { configFlags, configFromOptions } from './train-command';
import { workersOption } from './workers';

const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** `compare`'s own options (the rest are `train`'s, which set the base config). */
export const COMPARE_OPTIONS = [
  [
    '--estimators <list>',
    `comma-separated: ${COMPARE_ESTIMATORS.join(', ')} (default: all available for the environment)`,
  ],
  ['--seeds <n>', 'seeds per estimator: --seed, --seed + 1, … (default 3)'],
  ['--track-every <K>', 'track the meta-gradient every K iterations (default 10)'],
  ['--track-repeats <R>', 'independent meta-gradient estimates per tracked θ (default 20)'],
  ['--eval-tasks <n>', 'test tasks of the post-adaptation return at each tracked θ (default 20)'],
  ['--eval-episodes <n>', 'episodes per test task (default: --fast-batch)'],
  ['--level <a>', `level of the Bonferroni bias test (default ${STUDY_DEFAULTS.level})`],
] as const;

/** train flags that compare sets itself per sub-run. */
const OWN_FIELDS = ['algo', 'estimator'];

function specFrom(o: Record<string, unknown>): CompareSpec {
  for (const f of OWN_FIELDS)
    if (o[f] !== undefined)
      throw new CliError(`--${f}: compare sets it per sub-run; choose the trainings with --estimators`);
  const base = configFromOptions(o);
  let tabular: boolean;
  try {
    tabular = isTabular(makeProblem({ ...base, estimator: 'maml' }));
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  const estimators: CompareEstimator[] =
    o.estimators === undefined
      ? defaultEstimators(tabular)
      : parseChoiceList('--estimators', String(o.estimators), COMPARE_ESTIMATORS);
  for (const e of estimators) {
    const why = UNAVAILABLE[e];
    if (why !== undefined) throw new CliError(`--estimators: ${JSON.stringify(e)} is unavailable: ${why}`);
    if (e === 'exact' && !tabular)
      throw new CliError(`--estimators: 'exact' needs a tabular MDP environment, got --env ${base.env}`);
  }
  const int = (flag: string, v: unknown, def: number, min: number) =>
    v === undefined ? def : parseIntOption(flag, String(v), min);
  const n = int('--seeds', o.seeds, 3, 1);
  return {
    estimators,
    seeds: Array.from({ length: n }, (_, k) => base.seed + k),
    trackEvery: int('--track-every', o.trackEvery, 10, 1),
    track: {
      repeats: int('--track-repeats', o.trackRepeats, 20, 2),
      level:
        o.level === undefined
          ? STUDY_DEFAULTS.level
          : parseNumberOption('--level', String(o.level), { min: 1e-9, max: 0.5 }),
      evalTasks: int('--eval-tasks', o.evalTasks, 20, 1),
      evalEpisodes: int('--eval-episodes', o.evalEpisodes, base.fastBatch, 1),
    },
    base,
  };
}

const verdictCell = (v: { seeds: number; biased: number }) =>
  v.biased === 0 ? 'ok' : `BIASED ${v.biased}/${v.seeds}`;

/** The summary: per estimator the numbers the README reports, then the verdict per checkpoint. */
export function formatCompareSummary(s: CompareSummary, width = TEXT_WIDTH): string {
  type E = CompareSummary['estimators'][number];
  const pm = (m: number | null, c: number | null) =>
    m === null ? '-' : Number.isFinite(c ?? Number.NaN) ? `${num(m)} ± ${num(c as number, 2)}` : num(m);
  const main = renderTable<E>(
    [
      left('estimator', (e) => e.estimator),
      right('var/DiCE (median)', (e) =>
        e.medianVarianceVsDice === null ? '-' : num(e.medianVarianceVsDice),
      ),
      right(`cos to ${s.reference === 'exact' ? 'exact' : 'reference'}`, (e) => num(e.meanCosine)),
      right('final return (95% CI)', (e) => pm(e.finalReturn, e.finalReturnCi95)),
      right('gap to exact', (e) => pm(e.gapToExact, e.gapToExactCi95)),
      right('train s/it', (e) => num(e.trainSeconds / (e.iterations * s.seeds.length))),
      right('tracking s/it', (e) => num(e.trackSeconds / (e.iterations * s.seeds.length))),
    ],
    s.estimators,
    width,
  );
  const its = s.estimators[0]?.verdicts.map((v) => v.iteration) ?? [];
  const verdicts = renderTable<E>(
    [
      left('bias verdict', (e) => e.estimator),
      ...its.map((it, k) => right(`it ${it}`, (e: E) => (e.verdicts[k] ? verdictCell(e.verdicts[k]) : '-'))),
    ],
    s.estimators,
    width,
  );
  const note =
    `bias: the study's Bonferroni z-test at level ${s.level} on ${s.repeats} estimates per θ and seed ` +
    `against the ${s.reference === 'exact' ? 'exact meta-gradient (oracles)' : 'large-sample DiCE reference (paired test)'}; ` +
    `BIASED k/n: flagged in k of n seeds.` +
    (s.estimators.some((e) => e.estimator === 'promp') && s.outer !== 'ppo'
      ? ` promp trains with its own outer objective (PPO-clip + KL penalty); the others with ${s.outer}.`
      : '');
  return `${main}\n\n${verdicts}\n\n${note}`;
}

export async function runCompareCommand(o: Record<string, unknown>): Promise<number> {
  const resume = o.resume as string | undefined;
  const out = o.out as string | undefined;
  if (resume !== undefined && out !== undefined && path.resolve(resume) !== path.resolve(out))
    throw new CliError(
      `--resume: continues the compare in its own directory; drop --out (got --out ${JSON.stringify(out)})`,
    );
  if (resume === undefined && out === undefined)
    throw new CliError('--out: expected a compare directory (or --resume DIR)');
  const dir = (resume ?? out) as string;
  if (resume !== undefined) {
    const own = COMPARE_OPTIONS.map(([f]) => f.split(' ')[0]);
    const given = [...own, ...configFlags().map(([f]) => f.split(' ')[0]), '--config', '--env-option'].filter(
      (f) => o[camel(f.slice(2))] !== undefined,
    );
    if (given.length > 0)
      throw new CliError(
        `--resume: the compare's options are fixed by its compare.json; got ${given.join(', ')}`,
      );
  }
  const interrupt = stopOnCtrlC();
  try {
    const spec = resume === undefined ? specFrom(o) : readCompareSpec(dir);
    const workers = workersOption(o.workers);
    const quiet = o.quiet === true || o.json === true;
    const result = await compareRun({
      dir,
      spec,
      resume: resume !== undefined,
      force: o.force === true,
      onSubRun: (name, seed, done, c) => {
        if (!quiet) process.stderr.write(`${name} seed ${seed}: ${done}/${c.iterations} iterations done\n`);
      },
      shouldStop: interrupt.shouldStop,
      workers,
    });
    const summary = summarizeCompare(dir);
    writeSummary(dir, summary);
    if (o.json) process.stdout.write(`${JSON.stringify({ dir, finished: result.finished, summary })}\n`);
    else process.stdout.write(`${formatCompareSummary(summary, o.wide ? Infinity : TEXT_WIDTH)}\n`);
    return result.finished ? 0 : 130;
  } catch (e) {
    if (e instanceof RunDirError || e instanceof ConfigError) throw new CliError(e.message);
    if (e instanceof NonFiniteError)
      throw new CliError(`${e.message}; stopped, the checkpoints in ${dir} are kept`);
    throw e;
  } finally {
    interrupt.release();
  }
}
