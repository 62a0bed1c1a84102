/**
 * Benchmark runner: `node dist/run.js [suite ...] [--quick] [--list]`. Runs the named suites
 * (all when none is named), prints each table as markdown and saves it under bench/results/,
 * compared with the previous run of the same suite.
 */
import { join } from 'node:path';
import { shutdownGpu } from '@metagrad/autodiff';
import { machineInfo, packageVersions } from './infra/machine';
import { renderRun, type SavedRun } from './infra/report';
import { loadLatest, saveRun } from './infra/store';
import { suites } from './suites';

const RESULTS_DIR = join(__dirname, '..', 'results');
const VERSIONED = [
  '@metagrad/autodiff',
  '@tensorflow/tfjs',
  'ml-matrix',
  'ndarray-gemm',
  'gpu.js',
  'webgpu',
  'benchmark',
];

function parseArgs(argv: string[]): { names: string[]; quick: boolean; list: boolean } {
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknownFlags = argv.filter((a) => a.startsWith('--') && a !== '--quick' && a !== '--list');
  if (unknownFlags.length > 0)
    throw new Error(`unknown option ${unknownFlags[0]}; expected --quick or --list`);
  return { names, quick: argv.includes('--quick'), list: argv.includes('--list') };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const s of suites) console.log(`${s.name.padEnd(12)} ${s.description}`);
    return;
  }
  const known = new Set(suites.map((s) => s.name));
  const unknown = args.names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`unknown suite ${JSON.stringify(unknown[0])}; expected one of ${[...known].join(', ')}`);
  }
  const selected = args.names.length > 0 ? suites.filter((s) => args.names.includes(s.name)) : suites;
  for (const suite of selected) {
    console.error(`running suite ${suite.name}…`);
    const report = await suite.run({ quick: args.quick });
    const run: SavedRun = {
      timestamp: new Date().toISOString(),
      machine: machineInfo(),
      packages: packageVersions(VERSIONED),
      report,
    };
    const markdown = renderRun(run, loadLatest(RESULTS_DIR, suite.name));
    console.log(markdown);
    for (const path of saveRun(RESULTS_DIR, run, markdown)) console.error(`wrote ${path}`);
  }
}

main()
  .catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  // a native handle a suite left open (a GPU device, a worker) must not keep the run alive:
  // results are on disk by now, and metagrad's GPU worker is closed before exiting
  .then(() => shutdownGpu())
  .finally(() => process.exit());
