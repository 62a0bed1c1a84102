/**
 * `study` shows the exact oracle's progress like `exact` does (issue 11): the library reports
 * each row of the exact Hessian through onExactProgress, and the CLI's bar (drawn only on a
 * terminal) counts them. The terminal is simulated by marking stderr as a TTY.
 */
import { loadTabularMdp, TINY_MDP_PATH } from '@metagrad/envs';
import { study } from '@metagrad/estimators';
import { exactProgress } from '../src/cli/exact-command';

test('study reports every exact Hessian row before sampling, and the bar draws them on a terminal', () => {
  const mdp = loadTabularMdp(TINY_MDP_PATH);
  const P = mdp.states * mdp.actions;
  const events: string[] = [];
  study({
    problem: { kind: 'mdp', mdp },
    samples: 2,
    repeats: 4,
    estimators: ['dice'],
    onExactProgress: (done, total) => events.push(`exact ${done}/${total}`),
    onProgress: (done, total) => events.push(`sample ${done}/${total}`),
  });
  const exactEvents = events.filter((e) => e.startsWith('exact'));
  expect(exactEvents).toEqual(Array.from({ length: P }, (_, i) => `exact ${i + 1}/${P}`));
  expect(events.indexOf(`exact ${P}/${P}`)).toBeLessThan(events.findIndex((e) => e.startsWith('sample')));

  const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  const term = process.env.TERM;
  let written = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    written += String(s);
    return true;
  });
  try {
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    process.env.TERM = 'xterm';
    const bar = exactProgress(10); // estimated 10 s: a bar
    for (let i = 1; i <= P; i++) bar.onProgress?.(i, P);
    bar.stop();
    bar.stop();
    expect(exactProgress(1).onProgress).toBeUndefined(); // a quick oracle: no bar
  } finally {
    spy.mockRestore();
    if (term === undefined) delete process.env.TERM;
    else process.env.TERM = term;
    if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
  expect(written).toContain('exact Hessian');
  expect(written).toContain(`${P}/${P} rows`);
});
