import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultStudyMdp, type StudyChunk, type StudyOptions, study } from '@metagrad/estimators';
import { pooledStudy } from '../src/parallel/study-pool';
import { runCli } from './run-cli';

const opts: StudyOptions = {
  problem: { kind: 'mdp', mdp: defaultStudyMdp() },
  estimators: ['dice', 'lvc'],
  samples: 4,
  repeats: 37,
  batchSize: 4,
  seed: 5,
};

const spans = (cs: StudyChunk[]) => cs.map((c) => [c.first, c.count]);

test('a study on 1, 2 and 3 workers gives the serial bits, with the serial chunks handed out in order', async () => {
  const serialChunks: StudyChunk[] = [];
  const expected = JSON.stringify(study({ ...opts, onChunk: (c) => serialChunks.push(c) }));
  for (const workers of [1, 2, 3]) {
    const chunks: StudyChunk[] = [];
    const r = await pooledStudy({ ...opts, onChunk: (c) => chunks.push(c) }, { workers });
    expect({ workers, same: JSON.stringify(r) === expected }).toEqual({ workers, same: true });
    expect(spans(chunks)).toEqual(spans(serialChunks));
  }
  // a worker that dies on its range has the range retried: same bits
  const crashed = await pooledStudy(opts, {
    workers: 2,
    fault: { mode: 'crash', op: 'study-range', slot: 1, attempts: 1 },
  });
  expect(JSON.stringify(crashed)).toBe(expected);
});

test('a range that throws, or dies twice, stops the study naming its repeats', async () => {
  await expect(
    pooledStudy(opts, { workers: 2, fault: { mode: 'throw', op: 'study-range', slot: 2, attempts: 1 } }),
  ).rejects.toThrow(/worker \d, repeats 24 … 35: injected fault at range 2/);
  await expect(
    pooledStudy(opts, { workers: 2, fault: { mode: 'crash', op: 'study-range', slot: 0, attempts: 2 } }),
  ).rejects.toThrow(/worker 0 stopped: .* again on repeats 0 … 11; stopped/);
});

test('metagrad study --workers: the same bytes at 1 and 3 workers; a bad count is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-pstudy-'));
  try {
    const args = ['study', '--samples', '4', '--repeats', '30', '--estimators', 'dice', '--batch-size', '5'];
    const outs = [];
    for (const w of ['1', '3']) {
      const out = path.join(dir, `w${w}.json`);
      const r = await runCli([...args, '--workers', w, '--out', out, '--json']);
      expect(r.code).toBe(0);
      outs.push(fs.readFileSync(out));
    }
    expect(outs[1].equals(outs[0])).toBe(true);
    const bad = await runCli([...args, '--workers', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--workers: expected an integer in [1, 256], got "0"');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
