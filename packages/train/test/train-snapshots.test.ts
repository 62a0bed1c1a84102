import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './run-cli';
import { TINY_NAV } from './tiny-nav';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-snapshots-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string) => path.join(tmp, name);

const NAV = [...TINY_NAV, '--outer', 'vpg', '--quiet'];
const EVAL = ['--tasks', '3', '--steps', '2', '--episodes', '2', '--json'];
const metaOf = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).meta;

test('--snapshot-every keeps the meta-parameters along training, and evaluate --snapshot meta-tests them', async () => {
  const run = dir('snapshotted');
  const train = ['train', ...NAV, '--iterations', '4', '--snapshot-every', '2'];
  expect((await runCli([...train, '--out', run])).code).toBe(0);
  const snaps = path.join(run, 'snapshots');
  expect(fs.readdirSync(snaps).sort()).toEqual(['policy-2.json', 'policy-4.json']);
  // the last snapshot is the final policy; the first is what a 2-iteration run of the same seed ends with
  expect(metaOf(path.join(snaps, 'policy-4.json'))).toEqual(metaOf(path.join(run, 'policy.json')));
  const short = dir('two-iterations');
  expect((await runCli(['train', ...NAV, '--iterations', '2', '--out', short])).code).toBe(0);
  expect(metaOf(path.join(snaps, 'policy-2.json'))).toEqual(metaOf(path.join(short, 'policy.json')));

  // the snapshot's evaluation is the 2-iteration run's, number for number
  const atTwo = await runCli(['evaluate', run, '--snapshot', '2', ...EVAL]);
  expect(atTwo.code).toBe(0);
  const ofShort = await runCli(['evaluate', short, ...EVAL]);
  expect(JSON.parse(atTwo.out).result).toEqual(JSON.parse(ofShort.out).result);
  expect(JSON.parse(atTwo.out).iterations).toBe(2);
  expect(fs.existsSync(path.join(snaps, 'evaluation-2.json'))).toBe(true);
  // a snapshot evaluation never replaces the run's own evaluation.json
  expect(fs.existsSync(path.join(run, 'evaluation.json'))).toBe(false);

  const all = await runCli(['evaluate', run, '--snapshot', 'all', ...EVAL]);
  expect(all.code).toBe(0);
  expect(JSON.parse(all.out).map((e: { iterations: number }) => e.iterations)).toEqual([2, 4]);

  const missing = await runCli(['evaluate', run, '--snapshot', '3', ...EVAL]);
  expect(missing.code).toBe(2);
  expect(missing.err).toMatch(/--snapshot: .* has no snapshot after 3 iterations \(it has 2, 4\)/);
  expect((await runCli(['evaluate', short, '--snapshot', 'all', ...EVAL])).err).toMatch(
    /--snapshot all: .* has no snapshots \(train with --snapshot-every N\)/,
  );
  expect((await runCli(['evaluate', run, '--snapshot', '2', '--random-init', ...EVAL])).err).toMatch(
    /--snapshot: evaluates a trained snapshot; drop --random-init/,
  );
});

test('--snapshot-every is allowed with --resume, and --force removes the snapshots', async () => {
  // `half` is a 4-iteration run stopped after 2: the config of a 4-iteration run, the state of a 2-iteration one
  const two = dir('two');
  const full = dir('full');
  const half = dir('half');
  expect((await runCli(['train', ...NAV, '--iterations', '2', '--out', two])).code).toBe(0);
  expect((await runCli(['train', ...NAV, '--iterations', '4', '--out', full])).code).toBe(0);
  fs.mkdirSync(half);
  fs.copyFileSync(path.join(full, 'config.json'), path.join(half, 'config.json'));
  for (const f of ['checkpoint.json', 'progress.jsonl', 'timing.jsonl'])
    fs.copyFileSync(path.join(two, f), path.join(half, f));
  expect((await runCli(['train', '--resume', half, '--snapshot-every', '1', '--quiet'])).code).toBe(0);
  expect(fs.readdirSync(path.join(half, 'snapshots')).sort()).toEqual(['policy-3.json', 'policy-4.json']);
  expect(metaOf(path.join(half, 'snapshots', 'policy-4.json'))).toEqual(
    metaOf(path.join(full, 'policy.json')),
  );
  expect((await runCli(['train', ...NAV, '--iterations', '1', '--force', '--out', half])).code).toBe(0);
  expect(fs.existsSync(path.join(half, 'snapshots'))).toBe(false);
  expect((await runCli(['train', ...NAV, '--snapshot-every', '0', '--out', dir('bad')])).err).toMatch(
    /--snapshot-every: expected an integer >= 1, got "0"/,
  );
});
