import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { ITERATION_SLEEP_ENV, KILL_AT_ITERATION_ENV } from '../src/sweep/run-job';
import { runCli } from './run-cli';

/**
 * The distributed sweep for real: a Redis (METAGRAD_TEST_REDIS, default redis://127.0.0.1:6379;
 * CI starts one in .ci/run) and two `metagrad worker` processes of the built CLI, one SIGKILLed
 * in the middle of a training job. Skipped, with a note, where no Redis answers.
 */
const REDIS = process.env.METAGRAD_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const CLI = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
const FILES = ['config.json', 'progress.jsonl', 'checkpoint.json', 'policy.json', 'study.json', 'job.json'];

/** A TCP connection to the Redis URL's host and port that a PING answers with +PONG. */
function redisAnswers(): Promise<boolean> {
  const url = new URL(REDIS);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(String(d).startsWith('+PONG')));
  });
}

let available = false;
beforeAll(async () => {
  available = (await redisAnswers()) && fs.existsSync(CLI);
  if (!available)
    process.stdout.write(
      `note: distributed sweep tests skipped: no Redis at ${REDIS} (set METAGRAD_TEST_REDIS) or no build at ${CLI}\n`,
    );
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-redis-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Worker {
  proc: ChildProcess;
  log: () => string;
}

function worker(results: string, queue: string, env: NodeJS.ProcessEnv = {}, lockSeconds = 2): Worker {
  let log = '';
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--redis',
      REDIS,
      '--results',
      results,
      '--queue',
      queue,
      '--workers',
      '1',
      '--lock-seconds',
      String(lockSeconds),
      '--exit-when-idle',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  proc.stderr?.on('data', (d) => {
    log += String(d);
  });
  return { proc, log: () => log };
}

/** Resolves once `ok()` holds, checked every 50 ms (no deadline: jest's timeout is the bound). */
async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 50));
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) resolve(p.exitCode);
    else p.on('exit', (code) => resolve(code));
  });

/** The iterations in a run directory's checkpoint (0 without one). */
function checkpointed(dir: string): number {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as { iterations: number })
      .iterations;
  } catch {
    return 0;
  }
}

test('two workers, one killed mid-job: every result once, byte-identical to the local run; bad jobs fail alone', async () => {
  if (!available) return;
  const queue = `metagrad-test-${process.pid}-${Date.now()}`;
  const train = {
    env: 'navigation2d',
    hidden: [16],
    metaBatch: 4,
    fastBatch: 6,
    horizon: 16,
    iterations: 12,
    cgIters: 3,
    checkpointEvery: 1,
  };
  const file = path.join(tmp, 'sweep.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        { kind: 'train', options: train, seeds: [0, 1, 2] },
        { kind: 'study', options: { samples: 4, repeats: 30 }, seeds: [0] },
        // fails at run time (over its memory budget) on every attempt: marked failed, the rest go on
        { kind: 'study', options: { samples: 4, repeats: 1000000, maxMemory: '0.001' } },
      ],
    }),
  );
  const local = path.join(tmp, 'local');
  expect((await runCli(['sweep', file, '--results', local, '--workers', '1', '--attempts', '1'])).code).toBe(
    1,
  );

  const remote = path.join(tmp, 'remote');
  const queued = await enqueue(file, queue, remote, ['--attempts', '2']);
  expect(JSON.parse(queued.out)).toMatchObject({ added: 5, skipped: 0 });
  // a job that is not a sweep job's data, put on the queue by hand: rejected, never run
  const q = new Queue(queue, { connection: { url: REDIS, maxRetriesPerRequest: null } });
  await q.add(
    'study',
    { kind: 'study', options: { mdp: '../../etc/passwd' } },
    { jobId: 'evil', attempts: 3 },
  );

  // A SIGKILLs itself right after iteration 5 of the first training job it runs (test hook:
  // checkpoint at 4 on disk, row 5 not covered), whatever the machine's speed
  const a = worker(remote, queue, { [KILL_AT_ITERATION_ENV]: '5' });
  const b = worker(remote, queue);
  const aExit = new Promise<NodeJS.Signals | null>((resolve) => a.proc.on('exit', (_c, sig) => resolve(sig)));
  expect(await aExit).toBe('SIGKILL');
  const killedJob = [...a.log().matchAll(/running (train-\w+)/g)].map((m) => m[1]).pop() as string;
  expect(checkpointed(path.join(remote, killedJob))).toBe(4);
  expect(fs.existsSync(path.join(remote, killedJob, 'job.json'))).toBe(false);
  expect(await exited(b.proc)).toBe(0);
  // B took the killed job over where its checkpoint left it
  expect(b.log()).toMatch(/resuming train-\w+ from its checkpoint at iteration 4\b/);

  const status = JSON.parse(
    (await runCli(['sweep', 'status', '--redis', REDIS, '--queue', queue, '--json'])).out,
  );
  expect(status).toMatchObject({ queued: 0, active: 0, done: 4, failed: 2 });
  const failed = (status.jobs as { id: string; state: string; failedReason?: string }[]).filter(
    (j) => j.state === 'failed',
  );
  expect(failed.find((j) => j.id === 'evil')?.failedReason).toMatch(
    /rejected: .*mdp: expected a path inside the results directory/,
  );
  expect(failed.find((j) => j.id !== 'evil')?.failedReason).toMatch(/--max-memory/);
  expect(fs.existsSync(path.join(remote, 'evil'))).toBe(false);
  const trains = (status.jobs as { id: string; progress?: string }[]).filter((j) =>
    j.id.startsWith('train-'),
  );
  expect(trains.map((j) => j.progress)).toEqual(['12/12', '12/12', '12/12']);

  const done = fs.readdirSync(local).filter((d) => fs.existsSync(path.join(local, d, 'job.json')));
  expect(done.length).toBe(4);
  for (const d of done)
    for (const f of FILES) {
      const mine = path.join(local, d, f);
      if (!fs.existsSync(mine)) continue;
      expect({
        f: `${d}/${f}`,
        same: fs.readFileSync(path.join(remote, d, f)).equals(fs.readFileSync(mine)),
      }).toEqual({
        f: `${d}/${f}`,
        same: true,
      });
    }
  await q.obliterate({ force: true });
  await q.close();
}, 120_000);

/** `metagrad sweep FILE --redis` onto the test Redis: queues the jobs, prints what was added. */
const enqueue = (file: string, queue: string, results: string, extra: string[] = []) =>
  runCli(['sweep', file, '--redis', REDIS, '--queue', queue, '--results', results, ...extra, '--json']);

/** A runs the job while B watches; then A is sent SIGINT and B takes the job over. */
async function lockAndHandBack(a: Worker, b: Worker, id: string, jobDir: string): Promise<void> {
  await until(() => b.log().includes('pulling jobs'));
  // two more checkpoints with B watching: over 3 s of iterations, three lock periods
  const seen = checkpointed(jobDir);
  await until(() => checkpointed(jobDir) >= seen + 2);
  expect(b.log()).not.toContain('running');

  const aExit = exited(a.proc);
  a.proc.kill('SIGINT');
  expect(await aExit).toBe(130);
  expect(a.log()).toContain(`handed ${id} back to the queue at its checkpoint`);
  const stoppedAt = checkpointed(jobDir);
  expect(stoppedAt).toBeLessThan(40);
  expect(await exited(b.proc)).toBe(0);
  expect(b.log()).toContain(`running ${id} (attempt 1)`);
  expect(b.log()).toContain(`resuming ${id} from its checkpoint at iteration ${stoppedAt}`);
}

test('iterations longer than the lock: the job is not taken over; Ctrl-C hands it back unfailed and another worker resumes it to the local bytes', async () => {
  if (!available) return;
  const queue = `metagrad-test-lock-${process.pid}-${Date.now()}`;
  const file = path.join(tmp, 'sweep-lock.json');
  const train = { env: 'navigation2d', hidden: [8], metaBatch: 3, fastBatch: 4, horizon: 10, cgIters: 2 };
  fs.writeFileSync(
    file,
    JSON.stringify({ jobs: [{ kind: 'train', options: { ...train, iterations: 40, checkpointEvery: 1 } }] }),
  );
  const local = path.join(tmp, 'local-lock');
  expect((await runCli(['sweep', file, '--results', local, '--workers', '1'])).code).toBe(0);
  const remote = path.join(tmp, 'remote-lock');
  const queued = await enqueue(file, queue, remote);
  expect(JSON.parse(queued.out)).toMatchObject({ added: 1 });
  const id = fs.readdirSync(local).find((d) => d.startsWith('train-')) as string;
  const jobDir = path.join(remote, id);

  // A's iterations block its job thread 1.5 s each (test hook), longer than the 1 s lock
  const a = worker(remote, queue, { [ITERATION_SLEEP_ENV]: '1500' }, 1);
  let b: Worker | null = null;
  try {
    await until(() => a.log().includes(`running ${id}`));
    b = worker(remote, queue, {}, 1);
    await lockAndHandBack(a, b, id, jobDir);
  } catch (e) {
    a.proc.kill('SIGKILL');
    b?.proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\nA: ${a.log()}\nB: ${b?.log()}`);
  }

  // the hand-back was no failed attempt: one attempt made, by B, which completed it
  const q = new Queue(queue, { connection: { url: REDIS, maxRetriesPerRequest: null } });
  const job = await q.getJob(id);
  expect({
    state: await job?.getState(),
    attempts: job?.attemptsMade,
    reason: job?.failedReason || '',
  }).toEqual({
    state: 'completed',
    attempts: 1,
    reason: '',
  });
  for (const f of ['config.json', 'progress.jsonl', 'checkpoint.json', 'policy.json'])
    expect({
      f,
      same: fs.readFileSync(path.join(jobDir, f)).equals(fs.readFileSync(path.join(local, id, f))),
    }).toEqual({
      f,
      same: true,
    });
  await q.obliterate({ force: true });
  await q.close();
}, 120_000);
