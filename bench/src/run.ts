/**
 * Benchmark runner; `node dist/run.js --help` for usage. Runs the named suites (all when none is
 * named), prints each table as markdown, saves it under bench/results/local/ (git-ignored) and
 * compares it with the suite's committed reference run, bench/results/reference/<suite>.json.
 */
import { join, relative } from 'node:path';
import { shutdownGpu } from '@metagrad/autodiff';
import { fileSink, redirectConsole } from './infra/log';
import { machineInfo, packageVersions } from './infra/machine';
import { renderRun, type SavedRun } from './infra/report';
import { loadReference, localDir, referencePath, saveReference, saveRun, stampOf } from './infra/store';
import type { Suite } from './infra/suite';

const REPO_ROOT = join(__dirname, '..', '..');
const RESULTS_DIR = join(__dirname, '..', 'results');
const VERSIONED = [
  '@metagrad/autodiff',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  'ml-matrix',
  'ndarray-gemm',
  'gpu.js',
  'webgpu',
  'benchmark',
];
const FLAGS: Record<string, string> = {
  '--quick': 'fewer, shorter repetitions (a smoke run; never saved as a reference)',
  '--save-reference': "make this full run each suite's committed reference (results/reference/)",
  '--list': 'list the suites and exit',
  '--help': 'show this help and exit',
};

interface Args {
  names: string[];
  quick: boolean;
  list: boolean;
  help: boolean;
  saveReference: boolean;
}

function parseArgs(argv: string[]): Args {
  const unknownFlags = argv.filter((a) => a.startsWith('-') && !(a in FLAGS) && a !== '-h');
  if (unknownFlags.length > 0) throw new Error(`unknown option ${unknownFlags[0]}; see --help`);
  const args = {
    names: argv.filter((a) => !a.startsWith('-')),
    quick: argv.includes('--quick'),
    list: argv.includes('--list'),
    help: argv.includes('--help') || argv.includes('-h'),
    saveReference: argv.includes('--save-reference'),
  };
  if (args.quick && args.saveReference) throw new Error('--save-reference needs a full run: drop --quick');
  return args;
}

function help(suites: Suite[]): string {
  return [
    'usage: node bench/dist/run.js [suite ...] [--quick] [--save-reference] [--list] [--help]',
    '',
    'suites (all when none is named):',
    ...suites.map((s) => `  ${s.name.padEnd(12)} ${s.description}`),
    '',
    'options:',
    ...Object.entries(FLAGS).map(([f, d]) => `  ${f.padEnd(18)} ${d}`),
    '',
    'Each run is saved to bench/results/local/ (git-ignored) with a log of library noise; the report',
    'compares it with bench/results/reference/<suite>.json. Native stderr (Dawn) is not captured.',
  ].join('\n');
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const shown = (path: string) => relative(REPO_ROOT, path);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const stamp = stampOf(new Date().toISOString());
  const logPath = join(localDir(RESULTS_DIR), `${args.names.join('+') || 'all'}-${stamp}.log`);
  const quiet = args.help || args.list;
  // from here on console.* is the log (or nothing, for --help/--list): libraries print at
  // import or first use, and the report on stdout must hold only the report
  redirectConsole(quiet ? () => {} : fileSink(logPath));
  const { suites } = await import('./suites');
  if (args.help) return void process.stdout.write(`${help(suites)}\n`);
  if (args.list) {
    for (const s of suites) process.stdout.write(`${s.name.padEnd(12)} ${s.description}\n`);
    return;
  }
  const known = new Set(suites.map((s) => s.name));
  const unknown = args.names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`unknown suite ${JSON.stringify(unknown[0])}; expected one of ${[...known].join(', ')}`);
  }
  const selected = args.names.length > 0 ? suites.filter((s) => args.names.includes(s.name)) : suites;
  for (const suite of selected) {
    say(`running suite ${suite.name}${args.quick ? ' (quick)' : ''}… (log: ${shown(logPath)})`);
    console.info(`running suite ${suite.name}`);
    const report = await suite.run({ quick: args.quick });
    const run: SavedRun = {
      timestamp: new Date().toISOString(),
      quick: args.quick,
      machine: machineInfo(),
      packages: packageVersions(VERSIONED),
      report,
    };
    const refRun = loadReference(RESULTS_DIR, suite.name);
    const ref = refRun && { run: refRun, path: shown(referencePath(RESULTS_DIR, suite.name)) };
    const markdown = renderRun(run, ref);
    process.stdout.write(`${markdown}\n`);
    const paths = saveRun(RESULTS_DIR, run, markdown);
    if (args.saveReference) paths.push(...saveReference(RESULTS_DIR, run, markdown));
    say(`wrote ${paths.map(shown).join(', ')}`);
  }
}

main()
  .catch((e: unknown) => {
    say(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  })
  // a native handle a suite left open (a GPU device, a worker) must not keep the run alive:
  // results are on disk by now, and metagrad's GPU worker is closed before exiting
  .then(() => shutdownGpu())
  .finally(() => process.exit());
