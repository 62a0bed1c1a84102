import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TINY_MDP_PATH } from '@metagrad/envs';
import { MAX_UNSAVED_MS, StudyCheckpoint } from '../src/cli/checkpoint';
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

/** A checkpoint's text with its sha256 trailer recomputed (a consistent but edited file). */
function reseal(text: string): string {
  const body = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1);
  return `${body}},"sha256":"${createHash('sha256').update(body).digest('hex')}"}\n`;
}

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
  fs.writeFileSync(`${out}.partial`, reseal(lines.join('\n')));
  const r2 = await run([...BASE, '--out', out]);
  expect(r2.code).toBe(2);
  expect(r2.err).toContain(`${out}.partial does not fit this study (resume: expected the series`);

  const r3 = await run([...BASE, '--restart']);
  expect(r3.code).toBe(2);
  expect(r3.err).toContain('--restart: expected only with --out');
});

describe('a checkpoint that cannot lie', () => {
  /** A stopped run's checkpoint (2 chunks of 5 repeats) and the path it lives at. */
  async function stopped(name: string): Promise<{ out: string; text: string }> {
    const out = file(name);
    expect((await run([...BASE, '--batch-size', '5', '--out', out], 2)).code).toBe(2);
    return { out, text: fs.readFileSync(`${out}.partial`, 'latin1') };
  }

  const flipBase64 = (t: string) => {
    const i = t.indexOf('"dice/gradient":"') + 40;
    return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
  };
  // the base64 of a NaN double (0x7ff8000000000000 little-endian) in place of the first value
  const injectNaN = (t: string) => t.replace(/"dice\/gradient":"[^"]{12}/, '"dice/gradient":"AAAAAAAA+H8=');

  test.each([
    ['a flipped base64 character', flipBase64],
    ['NaN bytes injected', injectNaN],
    ['a changed header', (t: string) => t.replace('"--repeats":30', '"--repeats":31')],
    ['a forged trailer', (t: string) => t.replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${'0'.repeat(64)}"`)],
    ['no trailer (old format or truncated)', (t: string) => t.slice(0, t.lastIndexOf('},"sha256"'))],
  ])('%s is refused naming the reason (exit 2), never resumed', async (_name, damage) => {
    const { out, text } = await stopped('damaged.json');
    const edited = damage(text);
    expect(edited).not.toBe(text);
    fs.writeFileSync(`${out}.partial`, edited, 'latin1');
    const r = await run([...BASE, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${out}.partial is not a valid study checkpoint (`);
    expect(r.err).toMatch(/damaged: the content's sha256|truncated/);
    expect(r.err).not.toContain('resuming');
    fs.rmSync(`${out}.partial`);
  });

  test('the backend and dtype are part of the fingerprint', async () => {
    const { out, text } = await stopped('backend.json');
    const foreign = reseal(
      text.replace('"backend":"cpu","dtype":"float64"', '"backend":"gpu","dtype":"float32"'),
    );
    expect(foreign).not.toBe(reseal(text));
    fs.writeFileSync(`${out}.partial`, foreign, 'latin1');
    const r = await run([...BASE, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'was written by a study with a different backend (checkpoint: "gpu", now: "cpu")',
    );
  });

  test('leftover temporary files of a killed run are removed; those of a live process are kept', async () => {
    const out = file('tmpfiles.json');
    const dead = path.join(tmp, '.tmpfiles.json.partial.999999999.tmp');
    const live = path.join(tmp, `.tmpfiles.json.partial.${process.ppid}.tmp`);
    const other = path.join(tmp, '.unrelated.json.partial.999999999.tmp');
    for (const f of [dead, live, other]) fs.writeFileSync(f, 'x');
    expect((await run([...BASE, '--out', out])).code).toBe(0);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
    fs.rmSync(live);
    fs.rmSync(other);
  });
});

test('a large checkpoint is throttled, but never with more than MAX_UNSAVED_MS of work unsaved', () => {
  const cp = new StudyCheckpoint(file('throttle.json'), {}, 100);
  const chunk = (first: number) => ({ first, count: 1, values: { x: new Float64Array(1) } });
  const t0 = 1_000_000; // an injected clock: no wall-clock time is measured
  expect(cp.add(chunk(0), false, t0)).toBe(true); // the first chunk is always saved
  // pretend the last write took 10 s: ten times that would be 100 s between writes
  const internals = cp as unknown as { lastWriteMs: number; lastWriteEnd: number };
  internals.lastWriteMs = 10_000;
  internals.lastWriteEnd = t0;
  expect(cp.add(chunk(1), false, t0 + 5_000)).toBe(false);
  expect(cp.add(chunk(2), false, t0 + MAX_UNSAVED_MS)).toBe(true);
  cp.remove();
});

describe('--out and --plot are checked before the run', () => {
  test.each([
    [() => ['--out', tmp], '--out: expected a writable file path, got', 'it is a directory'],
    [() => ['--plot', tmp], '--plot: expected a writable file path', 'it is a directory'],
    [
      () => ['--out', path.join(tmp, 'no', 'such', 'x.json')],
      '--out: expected a writable file path',
      'no directory',
    ],
    [
      () => ['--out', file('same'), '--plot', file('same')],
      '--plot: expected a file other than --out',
      'for both',
    ],
  ])('case %#: refused with exit 2', async (args, message, why) => {
    const r = await run([...BASE, ...args()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain(why);
    expect(r.out).toBe('');
  });

  test('an unwritable directory is refused', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const ro = file('read-only');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o500);
    const r = await run([...BASE, '--out', path.join(ro, 'x.json')]);
    fs.chmodSync(ro, 0o700);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not writable');
  });
});
