/**
 * `makeEnv` narrows by name without casts: a literal name gives its kind's variant, a name known
 * only at run time gives the union, which narrows on `kind`. The `@ts-expect-error` lines fail
 * `npm run typecheck` if the narrowing is lost (an unused directive is an error).
 */
import { envNames, type MadeEnv, makeEnv } from '../src';

test('a literal name gives its variant: the toy, the regression tasks, the RL env', () => {
  const toy = makeEnv('gaussian-toy', { n: 3 }).toy;
  expect([toy.n, toy.sigma]).toEqual([3, 1]);
  const reg = makeEnv('sinusoid');
  expect(reg.kind).toBe('regression');
  expect(reg.tasks.name).toBe('sinusoid');
  const rl = makeEnv('bernoulli-bandit', { arms: 4 });
  expect(rl.env).toBeDefined();
  expect(rl.kind).toBe('rl');
});

test('a run-time name gives the union, narrowed by kind', () => {
  const kinds = envNames().map((name) => {
    const made: MadeEnv = makeEnv(name);
    if (made.kind === 'toy') return `toy n=${made.toy.n}`;
    if (made.kind === 'regression') return `regression ${made.tasks.name}`;
    return `rl ${made.name}`;
  });
  expect(kinds).toContain('toy n=10');
  expect(kinds).toContain('regression sinusoid');
});

export function mustNotCompile(name: string): void {
  // @ts-expect-error the toy has no RL env
  makeEnv('gaussian-toy').env;
  // @ts-expect-error an RL environment has no toy
  makeEnv('navigation2d').toy;
  // @ts-expect-error a run-time name must be narrowed on kind before using the toy
  makeEnv(name).toy;
}
