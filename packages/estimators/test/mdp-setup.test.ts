import { defaultStudyMdp, study } from '../src';

/** Both MDP studies validate the problem and the estimator names the same way (mdpStudySetup). */
const mdp = defaultStudyMdp();
const modes = [
  ['gradient/Hessian', undefined],
  ['meta-gradient', { stepSize: 0.1 }],
] as const;

test.each(modes)('%s study: the shared problem checks', (_name, meta) => {
  const run = (problem: object, estimators?: string[]) =>
    study({ problem: { kind: 'mdp', mdp, ...problem }, estimators, repeats: 2, samples: 1, meta });
  expect(() => run({ mdp: { ...mdp, logits: undefined } })).toThrow(
    'theta: expected policy logits (the MDP file has no `logits` and none were given)',
  );
  expect(() => run({ theta: [0, 0, 0] })).toThrow('theta: expected 6 logits, got 3');
  expect(() => run({}, ['no-such'])).toThrow(/^estimators: expected names from .*, got "no-such"$/);
});

test('the test level is checked by name (StudyOptions.level)', () => {
  const problem = { kind: 'mdp' as const, mdp };
  expect(() => study({ problem, repeats: 2, samples: 1, level: 1 })).toThrow(
    'level: expected a number in (0, 1), got 1',
  );
  const r = study({ problem, estimators: ['sf'], repeats: 2, samples: 1, level: 0.2 });
  expect(r.level).toBe(0.2);
});
