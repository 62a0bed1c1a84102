import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../src/meta/config';
import { readCheckpoint, readPolicy, STATE_FORMAT } from '../src/run/run-dir';
import { trainRun } from '../src/run/train-run';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-integrity-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = resolveConfig({
  env: 'navigation2d',
  envOptions: { horizon: 6 },
  hidden: [4],
  metaBatch: 2,
  fastBatch: 2,
  outer: 'vpg',
  iterations: 4,
  checkpointEvery: 1,
});

/** A run stopped after 2 iterations, copied fresh for each test. */
let stopped: string;
beforeAll(async () => {
  stopped = path.join(tmp, 'stopped');
  let n = 0;
  await trainRun({ dir: stopped, config, shouldStop: () => ++n === 2 });
});
let case_ = 0;
function copy(): string {
  const d = path.join(tmp, `case-${case_++}`);
  fs.cpSync(stopped, d, { recursive: true });
  return d;
}
const ckpt = (d: string) => path.join(d, 'checkpoint.json');

/** Rewrites checkpoint.json with `edit` applied and, if `reseal`, a matching hash (a forgery). */
function editCheckpoint(d: string, edit: (body: Record<string, unknown>) => void, reseal: boolean) {
  const { sha256, ...body } = JSON.parse(fs.readFileSync(ckpt(d), 'utf8'));
  edit(body);
  const hash = reseal ? createHash('sha256').update(JSON.stringify(body)).digest('hex') : sha256;
  fs.writeFileSync(ckpt(d), `${JSON.stringify({ ...body, sha256: hash })}\n`);
}

const resume = (d: string) => runCli(['train', '--resume', d, '--quiet']);

describe('run directories: checkpoints that cannot lie', () => {
  test('a sealed checkpoint reads back, and a resumed run finishes', async () => {
    const d = copy();
    expect(readCheckpoint(d)).toMatchObject({ format: STATE_FORMAT, iterations: 2, backend: 'cpu' });
    const r = await resume(d);
    expect(r.code).toBe(0);
    expect(readPolicy(d).iterations).toBe(4);
  });

  test('a flipped base64 character is refused as damaged, and nothing is overwritten', async () => {
    const d = copy();
    const text = fs.readFileSync(ckpt(d), 'utf8');
    const i = text.indexOf('"float64":"') + 12;
    const flipped = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    fs.writeFileSync(ckpt(d), flipped);
    const progress = fs.readFileSync(path.join(d, 'progress.jsonl'));
    const r = await resume(d);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/checkpoint\.json: damaged or edited: the content's sha256/);
    expect(fs.readFileSync(ckpt(d), 'utf8')).toBe(flipped);
    expect(fs.readFileSync(path.join(d, 'progress.jsonl'))).toEqual(progress);
  });

  test('NaN bytes under a forged hash are refused naming the value', async () => {
    const d = copy();
    const nan = Buffer.alloc(8);
    nan.writeDoubleLE(Number.NaN);
    editCheckpoint(
      d,
      (b) => {
        const meta = b.meta as { policy: { logStd: { float64: string } } };
        const bytes = Buffer.from(meta.policy.logStd.float64, 'base64');
        nan.copy(bytes, 0);
        meta.policy.logStd.float64 = bytes.toString('base64');
      },
      true,
    );
    const r = await resume(d);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/logStd: value 0 is NaN, expected finite numbers/);
  });

  test('a checkpoint from another backend is refused (no float32/float64 mix)', async () => {
    const d = copy();
    editCheckpoint(
      d,
      (b) => {
        b.backend = 'gpu';
      },
      true,
    );
    const r = await resume(d);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/computed on the "gpu" backend, but this process runs "cpu"/);
  });

  test('a checkpoint without a hash (an older format) is refused with the way out', async () => {
    const d = copy();
    const { sha256: _, backend: __, ...body } = JSON.parse(fs.readFileSync(ckpt(d), 'utf8'));
    fs.writeFileSync(ckpt(d), JSON.stringify({ ...body, format: 'metagrad-run/1' }));
    const r = await resume(d);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/format: expected "metagrad-state\/2".*--force starts the run over/);
  });

  test('temporary files a killed writer left behind are removed when the run resumes', async () => {
    const d = copy();
    // pid 2^22 + 1 is above Linux's pid_max default: no such process
    const stale = path.join(d, `.checkpoint.json.${2 ** 22 + 1}.tmp`);
    const mine = path.join(d, 'notes.tmp');
    fs.writeFileSync(stale, 'partial');
    fs.writeFileSync(mine, 'user file');
    expect((await resume(d)).code).toBe(0);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(mine)).toBe(true);
  });
});
