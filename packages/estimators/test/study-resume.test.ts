import { defaultStudyMdp, type StudyChunk, type StudyOptions, study } from '../src';

const mdp = { kind: 'mdp' as const, mdp: defaultStudyMdp() };
const cases: [string, StudyOptions][] = [
  ['mdp', { problem: mdp, estimators: ['dice', 'lvc'], samples: 4, repeats: 23, seed: 4 }],
  [
    'meta',
    {
      problem: mdp,
      estimators: ['dice', 'tmaml'],
      samples: 4,
      repeats: 23,
      seed: 4,
      meta: { stepSize: 0.2 },
    },
  ],
  ['toy', { problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [1, 5, 5] }, repeats: 23, seed: 4 }],
];

/** A copy of a chunk, as a checkpoint would restore it. */
const copy = (c: StudyChunk): StudyChunk => ({
  first: c.first,
  count: c.count,
  values: Object.fromEntries(Object.entries(c.values).map(([k, v]) => [k, Float64Array.from(v)])),
});

describe.each(cases)('%s study', (_, opts) => {
  test('onChunk hands out every repeat once; resuming from finished chunks gives the same bits', () => {
    const chunks: StudyChunk[] = [];
    const full = study({ ...opts, batchSize: 5, onChunk: (c) => chunks.push(copy(c)) });
    expect(chunks.map((c) => [c.first, c.count])).toEqual([
      [0, 5],
      [5, 5],
      [10, 5],
      [15, 5],
      [20, 3],
    ]);
    for (const v of Object.values(chunks[0].values)) expect(v.length % 5).toBe(0);
    const expected = JSON.stringify(full);
    // from the first two chunks as handed out, with another batch size
    const later: StudyChunk[] = [];
    const resumed = study({
      ...opts,
      batchSize: 7,
      resume: chunks.slice(0, 2),
      onChunk: (c) => later.push(c),
    });
    expect(JSON.stringify(resumed)).toBe(expected);
    expect(later.map((c) => [c.first, c.count])).toEqual([
      [10, 7],
      [17, 6],
    ]);
    // everything done already: nothing recomputed
    const none = jest.fn();
    expect(JSON.stringify(study({ ...opts, resume: chunks, onChunk: none }))).toBe(expected);
    expect(none).not.toHaveBeenCalled();
  });

  test('resume chunks that do not fit are refused', () => {
    const chunks: StudyChunk[] = [];
    study({ ...opts, batchSize: 10, onChunk: (c) => chunks.push(copy(c)) });
    expect(() => study({ ...opts, resume: [chunks[1]] })).toThrow(
      /resume: expected chunks covering repeats from 0/,
    );
    const [name] = Object.keys(chunks[0].values);
    const short = { ...chunks[0], values: { ...chunks[0].values, [name]: new Float64Array(3) } };
    expect(() => study({ ...opts, resume: [short] })).toThrow(/resume: expected 10 × \d+ values of/);
    const { [name]: _dropped, ...rest } = chunks[0].values;
    expect(() => study({ ...opts, resume: [{ ...chunks[0], values: rest }] })).toThrow(
      /resume: expected the series/,
    );
  });
});
