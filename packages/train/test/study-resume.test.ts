import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TINY_MDP_PATH } from '@metagrad/envs';
import { STOP_AFTER_CHUNKS_ENV } from '../src/cli/study-command';
import { runCli as run } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-resume-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = (name: string) => path.join(tmp, name);

const BASE = [
  'study',
  '--repeats',
  '30',
  '--samples',
  '4',
  '--seed',
  '5',
  '--estimators',
  'dice,lvc',
  '--json',
];

/** The uninterrupted run: its --out file and stdout. */
async function reference(args: string[], name: string): Promise<{ json: Buffer; out: string }> {
  const r = await run([...args, '--out', file(name)]);
  expect(r.code).toBe(0);
  expect(fs.existsSync(`${file(name)}.partial`)).toBe(false);
  return { json: fs.readFileSync(file(name)), out: r.out };
}

describe.each([
  ['default', BASE],
  ['--meta', [...BASE, '--meta', '--alpha', '0.2']],
  ['--toy gaussian', ['study', '--toy', 'gaussian', '--n', '1,10', '--repeats', '40', '--json']],
])('%s mode', (mode, args) => {
  const tag = mode.replace(/\W/g, '');

  test('a run stopped after 2 chunks resumes to the same bytes, with any batch size', async () => {
    const ref = await reference(args, `${tag}-ref.json`);
    const out = file(`${tag}.json`);
    const stopped = await run([...args, '--batch-size', '4', '--out', out], 2);
    expect(stopped.code).toBe(2);
    expect(stopped.err).toContain(`stopped after 2 chunks (${STOP_AFTER_CHUNKS_ENV} is for tests only)`);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.partial`)).toBe(true);
    expect(JSON.parse(fs.readFileSync(`${out}.partial`, 'utf8')).repeatsDone).toBe(8);
    // no temporary files left behind
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const resumed = await run([...args, '--batch-size', '7', '--out', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain(`resuming: 8/${args.includes('--toy') ? 40 : 30} repeats done`);
    expect(fs.readFileSync(out).equals(ref.json)).toBe(true);
    expect(resumed.out).toBe(ref.out);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });
});

test('a checkpoint of another study is refused (exit 2, naming the file and option); --restart replaces it', async () => {
  const out = file('mismatch.json');
  expect((await run([...BASE, '--batch-size', '5', '--out', out], 1)).code).toBe(2);
  const partial = fs.readFileSync(`${out}.partial`);

  const other = [
    'study',
    '--repeats',
    '30',
    '--samples',
    '4',
    '--seed',
    '6',
    '--estimators',
    'dice,lvc',
    '--json',
  ];
  const refused = await run([...other, '--out', out]);
  expect(refused.code).toBe(2);
  expect(refused.err).toContain(`${out}.partial was written by a study with a different --seed`);
  expect(refused.err).toContain('(checkpoint: 5, now: 6)');
  expect(refused.err).toContain('--restart');
  expect(fs.readFileSync(`${out}.partial`).equals(partial)).toBe(true); // left alone

  const ref = await reference(other, 'mismatch-ref.json');
  // --restart ignores the old checkpoint and writes its own (stopped again, then resumed)
  const restarted = await run([...other, '--batch-size', '5', '--out', out, '--restart'], 2);
  expect(restarted.code).toBe(2);
  expect(restarted.err).not.toContain('resuming');
  expect(JSON.parse(fs.readFileSync(`${out}.partial`, 'utf8')).fingerprint['--seed']).toBe(6);
  const resumed = await run([...other, '--out', out]);
  expect(resumed.err).toContain('resuming: 10/30 repeats done');
  expect(fs.readFileSync(out).equals(ref.json)).toBe(true);
  expect(fs.existsSync(`${out}.partial`)).toBe(false);

  // --restart with nothing to restart runs from scratch
  const fresh = await run([...other, '--out', out, '--restart']);
  expect(fresh.code).toBe(0);
  expect(fs.readFileSync(out).equals(ref.json)).toBe(true);
});

test('the MDP file is fingerprinted by content', async () => {
  const mdp = file('mdp.json');
  fs.copyFileSync(TINY_MDP_PATH, mdp);
  const args = ['study', '--mdp', mdp, '--repeats', '10', '--samples', '3', '--estimators', 'dice', '--json'];
  const out = file('mdp-out.json');
  expect((await run([...args, '--batch-size', '3', '--out', out], 1)).code).toBe(2);
  const spec = JSON.parse(fs.readFileSync(mdp, 'utf8'));
  spec.logits = spec.logits.map((row: number[]) => row.map((x) => x + 0.5));
  fs.writeFileSync(mdp, JSON.stringify(spec));
  const r = await run([...args, '--out', out]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('with a different --mdp (checkpoint: "sha256:');
});

test('a damaged checkpoint is refused with exit 2; --restart is only for --out', async () => {
  const out = file('bad.json');
  expect((await run([...BASE, '--batch-size', '5', '--out', out], 2)).code).toBe(2);
  const text = fs.readFileSync(`${out}.partial`, 'utf8');
  fs.writeFileSync(`${out}.partial`, text.slice(0, text.length - 40));
  const r = await run([...BASE, '--out', out]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(`${out}.partial is not a valid study checkpoint`);

  const lines = text.split('\n');
  lines[1] = lines[1].replace(/"dice\/gradient"/, '"dice/gradient2"');
  fs.writeFileSync(`${out}.partial`, lines.join('\n'));
  const r2 = await run([...BASE, '--out', out]);
  expect(r2.code).toBe(2);
  expect(r2.err).toContain(`${out}.partial does not fit this study (resume: expected the series`);

  const r3 = await run([...BASE, '--restart']);
  expect(r3.code).toBe(2);
  expect(r3.err).toContain('--restart: expected only with --out');
});
