import { defaultStudyMdp, exactResources, studyResources } from '../src';

test('the exact oracle’s memory grows linearly with the horizon (the tape is kept for differentiation)', () => {
  const m = defaultStudyMdp();
  const a = exactResources({ ...m, horizon: 1000 });
  const b = exactResources({ ...m, horizon: 2000 });
  expect(b.bytes / a.bytes).toBeCloseTo(2, 1);
  expect(b.work / a.work).toBeCloseTo(2, 5);
  // a dense MDP's work grows as S³A²: a Hessian is one pass per parameter over S²A products
  const s10 = exactResources({ states: 100, actions: 2, horizon: 10 }).work;
  const s100 = exactResources({ states: 1000, actions: 2, horizon: 10 }).work;
  expect(s100 / s10).toBeGreaterThan(500);
  expect(exactResources({ ...m, horizon: 10 }, { meta: true }).bytes).toBeGreaterThan(
    exactResources({ ...m, horizon: 10 }).bytes,
  );
});

test('a study’s memory is split into parts, largest first, each naming the option that shrinks it', () => {
  const mdp = defaultStudyMdp();
  const big = studyResources({ problem: { kind: 'mdp', mdp }, samples: 1e7 });
  expect(big.memory[0]).toMatchObject({ what: 'one batch of estimates', lower: ['samples', 'batchSize'] });
  const many = studyResources({ problem: { kind: 'mdp', mdp }, repeats: 1e9 });
  expect(many.memory[0]).toMatchObject({ what: 'the stored estimates', lower: ['repeats'] });
  const toy = studyResources({ problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [1, 1e9] } });
  expect(toy.memory[0].lower).toEqual(['n', 'batchSize']);
  // the defaults are far below the CLI's 2 GiB budget
  const total = (r: ReturnType<typeof studyResources>) => r.memory.reduce((t, p) => t + p.bytes, 0);
  expect(total(studyResources({ problem: { kind: 'mdp', mdp } }))).toBeLessThan(2 ** 27);
  expect(total(studyResources({ problem: { kind: 'gaussian', theta: 2, sigma: 1 } }))).toBeLessThan(2 ** 27);
});
