#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getNumThreads, setNumThreads } from '@metagrad/autodiff';
import { STUDY_DEFAULTS as D, ESTIMATORS } from '@metagrad/estimators';
import { Command, CommanderError } from 'commander';
import { COMPARE_OPTIONS, runCompareCommand } from './compare-command';
import { runDemo } from './demo';
import { BUDGET_DEFAULTS, CliError, parseIntOption } from './errors';
import { runEvaluateCommand } from './evaluate-command';
import { runExactCommand } from './exact-command';
import { FIGURE_EXTENSIONS } from './figure';
import { left, renderTable, right, TEXT_WIDTH } from './format';
import { toJson } from './io';
import { estimatorsDocument } from './json-documents';
import { runMechanicsCommand } from './mechanics-command';
import { runPlotCommand } from './plot-command';
import { runStudyCommand } from './study-command';
import { supervisedFlags } from './supervised-train-command';
import { runSweepCommand } from './sweep-command';
import { configFlags, runTrainCommand } from './train-command';
import { runWorkerCommand } from './worker-command';
import { WORKERS } from './workers';

const MAX_MEMORY = [
  '--max-memory <GiB>',
  `refuse a job whose estimated memory is above this (default ${BUDGET_DEFAULTS.maxMemoryGiB} GiB)`,
] as const;

const WIDE = [
  '--wide',
  `print tables and notes at full width (default: wrapped to ${TEXT_WIDTH} columns)`,
] as const;

const tick = (b: boolean | null) => (b === null ? '-' : b ? 'yes' : 'no');

type Estimator = (typeof ESTIMATORS)[number];
const ESTIMATOR_COLUMNS = [
  left('name', (e: Estimator) => e.name),
  right('kind', (e: Estimator) => e.kind),
  right('gradient', (e: Estimator) => tick(e.unbiased.gradient)),
  right('Hessian', (e: Estimator) => tick(e.unbiased.hessian)),
  right('meta-grad', (e: Estimator) => tick(e.unbiased.metaGradient)),
  left('note', (e: Estimator) => e.note, true),
];

/** The version in this package's package.json (two levels up from src/cli and from dist/cli). */
function version(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

function setThreads(value: string): void {
  const n = parseIntOption('--threads', value, 1);
  if (n > 256) throw new CliError(`--threads: expected an integer in [1, 256], got ${JSON.stringify(value)}`);
  setNumThreads(n);
}

/** The `metagrad` command line; `exit` receives the exit code of the chosen subcommand. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('metagrad')
    .description('meta-gradient estimators for meta-RL, checked against exact oracles')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError()
    .option(
      '--threads <n>',
      `threads for large matrix products, like torch.set_num_threads (default: every core, ${getNumThreads()} here; results are bit-identical at any count)`,
    )
    .hook('preAction', () => {
      const t = program.opts().threads as string | undefined;
      if (t !== undefined) setThreads(t);
    });
  program
    .command('study')
    .description(
      'bias/variance study of the estimators against the exact gradient and Hessian (or meta-gradient)',
    )
    .option('--mdp <file>', 'tabular MDP JSON file with `logits` (default: the built-in 3-state study MDP)')
    .option('--toy <name>', 'the N-sample toy instead of an MDP: gaussian')
    .option('--theta <x>', `toy: mean θ of X_i (default ${D.toy.theta})`)
    .option('--sigma <s>', `toy: std σ of X_i (default ${D.toy.sigma})`)
    .option('--n <list>', `toy: comma-separated N values (default ${D.toy.n.join(',')})`)
    .option(
      '--baseline <kind>',
      'MDP: ⊥ values given to the estimators: exact, fitted (linear, independent batch), none',
    )
    .option('--estimators <list>', 'comma-separated estimator names (default: all that apply)')
    .option('--samples <B>', `trajectories per estimate (MDP; default ${D.mdp.samples})`)
    .option(
      '--repeats <R>',
      `independent estimates per estimator (default ${D.mdp.repeats}; toy ${D.toy.repeats})`,
    )
    .option('--batch-size <k>', 'estimates per vectorised engine call (speed only)')
    .option('--seed <s>', `random seed (default ${D.seed})`)
    .option('--meta', 'meta-gradient mode: one-step MAML ∇J(θ + α∇J(θ)) instead of gradient and Hessian')
    .option(
      '--alpha <a>',
      `with --meta: the inner step size α of V(θ) = J(θ + α∇J(θ)) (default ${D.meta.stepSize})`,
    )
    .option('--level <a>', `level of the Bonferroni z-test (default ${D.level})`)
    .option('--no-composed', 'meta: skip the composed estimate with the estimated inner step')
    .option('--json', 'print machine-readable JSON')
    .option(...WIDE)
    .option(
      '--plot <file>',
      `write a bias/variance figure: ${FIGURE_EXTENSIONS.join(' or ')}, by its extension`,
    )
    .option(
      '--out <file.json>',
      'write the JSON results atomically; checkpoints to <file.json>.partial after each chunk and resumes from it',
    )
    .option('--restart', 'with --out: ignore and replace an existing <file.json>.partial checkpoint')
    .option('--no-progress', 'no progress bar')
    .option(...WORKERS)
    .option(...MAX_MEMORY)
    .option(
      '--max-work <ops>',
      `budget of the exact oracle in estimated operations (default ${BUDGET_DEFAULTS.maxWork.toExponential()})`,
    )
    .action(async (o) => exit(await runStudyCommand(o)));
  program
    .command('exact')
    .description('exact J, gradient and Hessian of the tabular softmax policy given by the file’s logits')
    .option('--mdp <file>', 'tabular MDP JSON file with `logits`')
    .option('--alpha <a>', 'also the exact one-step MAML meta-gradient with step α')
    .option('--terms', 'also the Hessian split into E[∇²log p R], outer products and cross-time terms')
    .option(
      '--json',
      'print J, grad (flat), hessian (nested rows)[, alpha, metaGradient][, terms] as JSON (schemas/exact.schema.json)',
    )
    .option(...WIDE)
    .option(...MAX_MEMORY)
    .option(
      '--max-work <ops>',
      `refuse above this many estimated operations (default ${BUDGET_DEFAULTS.maxWork.toExponential()}, about two minutes on one core)`,
    )
    .action((o) => exit(runExactCommand(o)));
  program
    .command('estimators')
    .description('list the estimators and what they are unbiased for')
    .option(...WIDE)
    .option('--json', 'print the table as JSON (schemas/estimators.schema.json)')
    .action((o) => {
      if (o.json) {
        process.stdout.write(toJson(estimatorsDocument(ESTIMATORS)));
        return exit(0);
      }
      const width = o.wide ? Number.POSITIVE_INFINITY : TEXT_WIDTH;
      process.stdout.write(`${renderTable(ESTIMATOR_COLUMNS, ESTIMATORS, width)}\n`);
      exit(0);
    });
  const train = program
    .command('train')
    .description(
      'meta-train a policy (MAML, FOMAML, ProMP, pretrain, ES-MAML) into a run directory; Ctrl-C safe, resumable; --env sinusoid: supervised maml | fomaml | reptile | cavia | meta-sgd | pretrain',
    )
    .option('--config <preset>', 'a preset: JSON file of config fields, or the name of a shipped preset')
    .option('--out <dir>', 'the run directory to create')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint (bit-identical)')
    .option('--force', 'start over in a directory that already holds a run')
    .option('--env-option <key=value...>', 'an option of the environment (repeatable)')
    .option('--json', 'print a machine-readable summary')
    .option('--quiet', 'no per-iteration lines when there is no progress bar')
    .option('--no-progress', 'no progress bar')
    .option(...WORKERS)
    .option(
      '--snapshot-every <n>',
      'also keep the meta-parameters every n iterations in <dir>/snapshots/ (for evaluate --snapshot; allowed with --resume)',
    );
  for (const [flag, doc] of [...configFlags(), ...supervisedFlags()]) train.option(flag, doc);
  train.action(async (o) => exit(await runTrainCommand(o)));
  const compare = program
    .command('compare')
    .description(
      'train once per estimator × seed (common random numbers), tracking meta-gradient variance, bias and return',
    )
    .option('--config <preset>', 'a preset of train config fields')
    .option('--out <dir>', 'the compare directory to create')
    .option('--resume <dir>', 'continue the compare in <dir>')
    .option('--force', 'start over in a directory that already holds a compare')
    .option('--env-option <key=value...>', 'an option of the environment (repeatable)')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress lines')
    .option(...WIDE);
  compare.option(...WORKERS);
  for (const [flag, doc] of [...COMPARE_OPTIONS, ...configFlags()]) compare.option(flag, doc);
  compare.action(async (o) => exit(await runCompareCommand(o)));
  program
    .command('sweep')
    .description(
      'run a grid or list of train/study jobs: here on the pool, or queued on Redis for `metagrad worker`s; `sweep status` shows progress',
    )
    .argument('<file|status>', 'the sweep JSON file, or `status`')
    .argument('[file]', 'with `status`: the sweep file (for its results directory, without --redis)')
    .option(
      '--results <dir>',
      'results directory, one folder per job named by its config hash (default <file>-results)',
    )
    .option(
      '--redis <url>',
      'queue the jobs on this Redis (redis://[user:password@]host:port, rediss:// for TLS)',
    )
    .option('--queue <name>', 'BullMQ queue name (default metagrad-sweep)')
    .option('--attempts <n>', 'tries of a failing job before it is marked failed (default 3)')
    .option('--json', 'print machine-readable JSON')
    .option(...WORKERS)
    .action(async (first, second, o) => exit(await runSweepCommand(first, second, o)));
  program
    .command('worker')
    .description("pull sweep jobs from Redis and run them on this machine's pool until stopped")
    .option('--redis <url>', "the queue's Redis (redis://[user:password@]host:port, rediss:// for TLS)")
    .option('--results <dir>', 'results directory (shared by the workers, or collected afterwards)')
    .option('--queue <name>', 'BullMQ queue name (default metagrad-sweep)')
    .option('--lock-seconds <s>', "a killed worker's job is retried elsewhere after this long (default 300)")
    .option('--exit-when-idle', 'exit once nothing is queued or active')
    .option(...WORKERS)
    .action(async (o) => exit(await runWorkerCommand(o)));
  program
    .command('evaluate')
    .description('meta-test runs: return after 0..k adaptation steps on fixed test tasks, mean ± 95% CI')
    .argument('<dirs...>', 'run directories')
    .option('--tasks <n>', 'test tasks (default 40)')
    .option('--steps <k>', 'adaptation steps (default 3)')
    .option('--episodes <n>', 'episodes per task and step (default 40)')
    .option('--alpha <a>', "first step size (default the run's α)")
    .option('--later-factor <f>', 'later steps use α·f (default 0.5, as the MAML code)')
    .option('--random-init', 'evaluate a fresh random initialisation instead (the random-init baseline)')
    .option(
      '--validation',
      'on the validation tasks (another fixed seed) instead of the test tasks: for choosing --alpha / --later-factor; saved as evaluation-validation.json',
    )
    .option(
      '--snapshot <n|all>',
      'evaluate the snapshot after n iterations (or every snapshot) of a run trained with --snapshot-every; saved as snapshots/evaluation-<n>.json',
    )
    .option('--no-save', 'do not write evaluation.json into the run directory')
    .option('--json', 'print machine-readable JSON')
    .option('--shots <K>', "sinusoid runs: support points per held-out task (default the run's K)")
    .option('--figure <file>', 'sinusoid runs: adapted curves vs the true sinusoid on 3 tasks (.svg or .png)')
    .action(async (dirs, o) => exit(await runEvaluateCommand(dirs, o)));
  program
    .command('plot')
    .description('learning curves (95% bands) and adaptation curves of run directories, as SVG or PNG')
    .argument('<dirs...>', 'run directories')
    .requiredOption(
      '--out <file>',
      `the figure to write: ${FIGURE_EXTENSIONS.join(' or ')}, by its extension`,
    )
    .option(
      '--trajectories',
      "instead: the adapted policies' paths and their exploration episodes on four-corners / navigation2d, runs side by side (e.g. ES-MAML and PG-MAML)",
    )
    .option('--tasks <n>', 'with --trajectories: test tasks drawn, one row each (default 3)')
    .action(async (dirs, o) => exit(await runPlotCommand(dirs, o)));
  program
    .command('mechanics')
    .description(
      'exact MAML / FOMAML / Reptile meta-gradients vs their second-order expansions over α (residual slope ≈ 2)',
    )
    .requiredOption('--env <name>', 'sinusoid')
    .option('--hidden <w1,w2,...>', 'hidden layer widths (default 40,40)')
    .option('--shots <K>', 'points per batch (default 10)')
    .option('--seed <s>', 'random seed of the task, batches and weights (default 0)')
    .option('--alpha-min <a>', 'smallest α of the log grid (default 1e-5)')
    .option('--alpha-max <a>', 'largest α of the log grid (default 1e-3)')
    .option('--points <n>', 'α values on the grid (default 9)')
    .option('--json', 'print the numbers, with the fitted slopes, as JSON')
    .option('--plot <file>', `the residuals on log-log axes: ${FIGURE_EXTENSIONS.join(' or ')}`)
    .action(async (o) => exit(await runMechanicsCommand(o)));
  program
    .command('demo')
    .description('a one-screen tour of the autodiff engine')
    .option('--json', 'print machine-readable JSON')
    .action((o) => exit(runDemo({ json: o.json })));
  return program;
}

/**
 * Refuse an option given twice in every command (`--repeats 10 --repeats 20` would silently keep
 * the last): commander emits `option:<name>` once per occurrence, so count them. Variadic
 * options (`--env-option a=1 b=2`, repeatable by design) are exempt.
 */
function forbidRepeatedOptions(cmd: Command): void {
  const seen = new Map<string, string>();
  for (const opt of cmd.options) {
    if (opt.variadic) continue;
    const flag = opt.long ?? opt.short ?? opt.flags;
    const key = opt.attributeName(); // --x and --no-x set the same value
    cmd.on(`option:${opt.name()}`, (value: unknown) => {
      const shown = typeof value === 'string' ? ` ${JSON.stringify(value)}` : '';
      const first = seen.get(key);
      if (first !== undefined)
        throw new CliError(
          `${flag}: expected the option once, got it twice (${first}, then ${flag}${shown})`,
        );
      seen.set(key, `${flag}${shown}`);
    });
  }
  for (const sub of cmd.commands) forbidRepeatedOptions(sub);
}

/** Run with argv (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  forbidRepeatedOptions(program);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError || e instanceof RangeError) {
      process.stderr.write(`metagrad: error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`metagrad: internal error: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
