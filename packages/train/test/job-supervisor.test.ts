import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { superviseJob } from '../src/sweep/job-supervisor';
import { runJob } from '../src/sweep/run-job';
import { expandSweep } from '../src/sweep/spec';

/** The thread a `metagrad worker` runs each job on, without Redis (the queue side: sweep-redis.test.ts). */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-job-thread-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TRAIN = { env: 'navigation2d', hidden: [4], metaBatch: 2, fastBatch: 2, horizon: 6, cgIters: 2 };
const FILES = ['config.json', 'progress.jsonl', 'checkpoint.json', 'policy.json', 'job.json'];

test('a job on its thread: stopped at a checkpoint, then resumed to the bytes of an in-process run, with progress told', async () => {
  const results = path.join(tmp, 'thread');
  const local = path.join(tmp, 'local');
  const sweep = { jobs: [{ kind: 'train', options: { ...TRAIN, iterations: 5, checkpointEvery: 1 } }] };
  const [job] = expandSweep(sweep, results);
  await runJob(expandSweep(sweep, local)[0], local, { workers: 1 });

  const progress: number[] = [];
  const first = superviseJob(job, results, { workers: 1, onProgress: (done) => progress.push(done) });
  first.stop(); // as Ctrl-C does, here before the first iteration ends: it stops after that checkpoint
  expect(await first.outcome).toBe('stopped');
  expect(progress).toEqual([1]);
  const resumedAt: number[] = [];
  const second = superviseJob(job, results, { workers: 1, onResume: (d) => resumedAt.push(d) });
  expect(await second.outcome).toBe('done');
  expect(resumedAt).toEqual([1]);
  const dir = fs.readdirSync(results).find((d) => d.startsWith('train-')) as string;
  for (const f of FILES)
    expect({
      f,
      same: fs.readFileSync(path.join(results, dir, f)).equals(fs.readFileSync(path.join(local, dir, f))),
    }).toEqual({
      f,
      same: true,
    });
});

test("a job that throws on its thread rejects with the job's error", async () => {
  const results = path.join(tmp, 'fails');
  const [job] = expandSweep(
    { jobs: [{ kind: 'study', options: { samples: 4, repeats: 1000000, maxMemory: '0.001' } }] },
    results,
  );
  await expect(superviseJob(job, results, { workers: 1 }).outcome).rejects.toThrow(/--max-memory/);
});
