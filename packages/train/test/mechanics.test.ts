import { gradientMechanics, logLogSlope, MECHANICS_DEFAULTS } from '../src/supervised/mechanics';
import { runCli } from './run-cli';

// a 1→8→8→1 network: the same expansions, a fraction of the work of the paper's 40-40
const small = { ...MECHANICS_DEFAULTS, hidden: [8, 8] };

describe('gradient mechanics: exact meta-gradients against the second-order expansions', () => {
  test('logLogSlope recovers the exponent of a power law', () => {
    const x = [1e-4, 1e-3, 1e-2];
    expect(
      logLogSlope(
        x,
        x.map((a) => 3 * a ** 2),
      ),
    ).toBeCloseTo(2, 12);
  });

  for (const seed of [0, 2]) {
    test(`seed ${seed}: every residual shrinks as α² (slope in [1.9, 2.1]); without the α-terms as α (slope ≈ 1)`, () => {
      const r = gradientMechanics({ ...small, seed });
      expect(r.rows.filter((row) => row.smooth).length).toBeGreaterThanOrEqual(5);
      for (const k of ['maml', 'fomaml', 'reptile'] as const) {
        expect(r.slopes[k]).toBeGreaterThan(1.9);
        expect(r.slopes[k]).toBeLessThan(2.1);
        // the contrast: a truncation that drops the α-terms is only first-order accurate
        expect(r.zerothOrderSlopes[k]).toBeGreaterThan(0.9);
        expect(r.zerothOrderSlopes[k]).toBeLessThan(1.1);
      }
    });
  }

  test('at the smallest α the second-order residual is 1000× below the zeroth-order one (the α-terms are real)', () => {
    const r = gradientMechanics(small);
    const row = r.rows.filter((x) => x.smooth)[0];
    for (const k of ['maml', 'fomaml', 'reptile'] as const)
      expect(row.residual[k]).toBeLessThan(1e-3 * row.zerothOrderResidual[k]);
  });

  test('the CLI prints the table and --json carries the fitted slopes', async () => {
    const run = await runCli([
      'mechanics',
      '--env',
      'sinusoid',
      '--hidden',
      '8,8',
      '--points',
      '5',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.out);
    expect(r.rows).toHaveLength(5);
    expect(r.slopes.maml).toBeGreaterThan(1.9);
    const bad = await runCli(['mechanics', '--env', 'navigation2d']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--env: expected sinusoid/);
  });
});
