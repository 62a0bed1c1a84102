import { defaultStudyMdp, type StudyOptions, study, studyChunks } from '../src';

const mdp = { kind: 'mdp' as const, mdp: defaultStudyMdp() };
const cases: [string, StudyOptions][] = [
  ['mdp', { problem: mdp, estimators: ['dice', 'lvc'], samples: 4, repeats: 23, seed: 4, batchSize: 5 }],
  [
    'meta',
    {
      problem: mdp,
      estimators: ['dice'],
      samples: 4,
      repeats: 23,
      seed: 4,
      batchSize: 5,
      meta: { stepSize: 0.2 },
    },
  ],
  [
    'toy',
    { problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [1, 5] }, repeats: 23, seed: 4, batchSize: 5 },
  ],
];

describe.each(cases)('%s study', (_, opts) => {
  test('ranges computed apart, out of order, and fed back as resume give the whole study bit for bit', () => {
    const expected = JSON.stringify(study(opts));
    // uneven ranges that cut chunks of the serial run, computed last-first
    const late = studyChunks(opts, { first: 7, end: 23 });
    const early = studyChunks(opts, { first: 0, end: 7 });
    expect([...early, ...late].map((c) => [c.first, c.count])).toEqual([
      [0, 5],
      [5, 2],
      [7, 5],
      [12, 5],
      [17, 5],
      [22, 1],
    ]);
    expect(JSON.stringify(study({ ...opts, resume: [...early, ...late] }))).toBe(expected);
  });
});

test('a range outside the repeats is refused', () => {
  expect(() => studyChunks(cases[0][1], { first: 20, end: 24 })).toThrow(
    /range: expected repeats first < end within \[0, 23\], got 20 … 24/,
  );
});
