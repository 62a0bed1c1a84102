import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobRejected, validateJob } from '../src/sweep/job';
import { expandSweep } from '../src/sweep/spec';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-sweep-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const results = path.join(tmp, 'results');

const TRAIN = {
  env: 'navigation2d',
  hidden: [4],
  metaBatch: 2,
  fastBatch: 2,
  horizon: 6,
  iterations: 2,
  cgIters: 2,
};

test('a sweep expands grid × seeds, drops duplicates, and names each job by its resolved config', () => {
  const jobs = expandSweep(
    {
      jobs: [
        {
          kind: 'train',
          options: TRAIN,
          grid: { algo: ['maml', 'fomaml'], alpha: [0.1, 0.2] },
          seeds: [0, 1, 2],
        },
        // the same run spelled with a default written out: one job
        { kind: 'train', options: { ...TRAIN, algo: 'maml', alpha: 0.1, seed: 0, outer: 'trpo' } },
        { kind: 'study', options: { samples: 4, repeats: 10 }, seeds: [0, 1] },
      ],
    },
    results,
  );
  expect(jobs.length).toBe(2 * 2 * 3 + 2);
  expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
  const first = jobs[0];
  expect(first.kind === 'train' && [first.config.algo, first.config.alpha, first.config.seed]).toEqual([
    'maml',
    0.1,
    0,
  ]);
  // the id is the options' hash: validating the job's own data again gives the same id
  expect(validateJob({ kind: 'train', id: first.id, options: TRAIN }, results).id).toBe(first.id);
});

test.each([
  [{ kind: 'shell', options: {} }, /job\.kind: expected one of train, study, got "shell"/],
  [{ kind: 'train', options: { ...TRAIN, bogus: 1 } }, /unknown field "bogus"/],
  [
    { kind: 'train', options: TRAIN, command: 'rm -rf /' },
    /job: unknown field "command"; expected kind, options/,
  ],
  [
    { kind: 'train', options: { preset: '../../etc/passwd' } },
    /preset: expected the name of a shipped preset/,
  ],
  [{ kind: 'study', options: { out: '/tmp/x.json' } }, /unknown study option "out"/],
  [
    { kind: 'study', options: { mdp: '../outside.json' } },
    /mdp: expected a path inside the results directory/,
  ],
  [{ kind: 'study', options: { mdp: '/etc/passwd' } }, /mdp: expected a path inside the results directory/],
  [
    { kind: 'train', id: 'feedfacefeedface', options: TRAIN },
    /job\.id: "feedfacefeedface" does not match its options/,
  ],
])('a job is rejected, naming why: %j', (job, why) => {
  expect(() => validateJob(job, results)).toThrow(JobRejected);
  expect(() => validateJob(job, results)).toThrow(why);
});

test('metagrad sweep runs locally, skips what is done on a rerun, and reports a failing job while the rest continue', async () => {
  const file = path.join(tmp, 'local.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        { kind: 'train', options: TRAIN, seeds: [0, 1] },
        // refused by the study's memory budget at run time: fails, the others still run
        { kind: 'study', options: { samples: 4, repeats: 1000000, maxMemory: '0.001' } },
        { kind: 'study', options: { samples: 4, repeats: 12 } },
      ],
    }),
  );
  const r1 = await runCli(['sweep', file, '--workers', '1', '--attempts', '2']);
  expect(r1.code).toBe(1);
  expect(r1.err).toMatch(/\[3\/4\] study-\w+: failed \(attempt 2\/2\): .*--max-memory/);
  expect(r1.err).toContain('sweep: 3/4 jobs done');
  const dirs = fs.readdirSync(path.join(tmp, 'local-results')).sort();
  expect(dirs.length).toBe(4);
  const r2 = await runCli(['sweep', file, '--workers', '1', '--attempts', '1']);
  expect(r2.err.match(/: skipped/g)?.length).toBe(3);
  const s = await runCli(['sweep', 'status', file, '--json']);
  expect(JSON.parse(s.out)).toMatchObject({ done: 3, queued: 1 });
  const bad = await runCli(['sweep', path.join(tmp, 'missing.json')]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('sweep: cannot read');
});

test("a sweep's es-maml job runs ES-MAML's own loop: the files of `metagrad train --algo es-maml`", async () => {
  const es = {
    algo: 'es-maml',
    env: 'navigation2d',
    policy: 'linear',
    k: 3,
    metaBatch: 2,
    horizon: 6,
    iterations: 2,
  };
  const file = path.join(tmp, 'es.json');
  fs.writeFileSync(file, JSON.stringify({ jobs: [{ kind: 'train', options: es }] }));
  const out = path.join(tmp, 'es-results');
  expect((await runCli(['sweep', file, '--results', out, '--workers', '1'])).code).toBe(0);
  const [job] = fs.readdirSync(out).filter((d) => d.startsWith('train-'));
  const direct = path.join(tmp, 'es-direct');
  const args = ['--algo', 'es-maml', '--env', 'navigation2d', '--policy', 'linear', '--k', '3'];
  const more = ['--meta-batch', '2', '--horizon', '6', '--iterations', '2', '--out', direct, '--quiet'];
  expect((await runCli(['train', ...args, ...more])).code).toBe(0);
  for (const f of ['progress.jsonl', 'policy.json'])
    expect(fs.readFileSync(path.join(out, job, f)).equals(fs.readFileSync(path.join(direct, f)))).toBe(true);
});
