import type { MachineInfo } from '../src/infra/machine';
import { betterBy, renderComparison, renderTable, type SavedRun } from '../src/infra/report';
import type { Measurement, SuiteReport } from '../src/infra/suite';

const m = (median: number, unit: string): Measurement => ({
  median,
  min: median,
  max: median,
  unit,
  samples: 5,
});

const machine: MachineInfo = { cpu: 'CPU A', cores: 2, memoryGiB: 8, os: 'linux', node: 'v20', v8: '11' };

/** One row with a time and a throughput, as the envs suite reports them. */
function report(ms: number, rate: number, higherIsBetter: boolean): SuiteReport {
  return {
    suite: 'envs',
    title: 'rollouts',
    columns: ['ms', 'M steps/s', 'peer ms'],
    rows: [
      {
        name: 'nav',
        cells: { ms: m(ms, 'ms'), 'M steps/s': m(rate, 'M steps/s'), 'peer ms': m(2 * ms, 'ms') },
      },
    ],
    baseline: 'peer ms',
    higherIsBetter,
    notes: [],
  };
}

const run = (r: SuiteReport, on: MachineInfo = machine): SavedRun => ({
  timestamp: '2026-01-01T00:00:00.000Z',
  machine: on,
  packages: {},
  report: r,
});

describe('ratios: ×>1 means better, for times and throughputs', () => {
  it('betterBy is > 1 when the new value is better, in both directions of unit', () => {
    expect(betterBy(m(24.1, 'M steps/s'), m(10.6, 'M steps/s'), false)).toBeCloseTo(24.1 / 10.6);
    expect(betterBy(m(10.6, 'M steps/s'), m(24.1, 'M steps/s'), false)).toBeLessThan(1);
    expect(betterBy(m(2, 'ms'), m(4, 'ms'), true)).toBe(2);
    expect(betterBy(m(4, 'ms'), m(4 / 3, 'ms'), true)).toBeCloseTo(1 / 3);
    expect(betterBy(m(8, 'GFLOP/s'), m(4, 'GFLOP/s'), false)).toBe(2);
    // a unit that is neither time nor rate follows the suite
    expect(betterBy(m(3, 'score'), m(1, 'score'), true)).toBe(3);
    expect(betterBy(m(3, 'score'), m(1, 'score'), false)).toBeCloseTo(1 / 3);
  });

  it.each([true, false])(
    'the comparison with the reference points the same way (higherIsBetter %s)',
    (hib) => {
      // 10.6 → 24.1 M steps/s, and the time halves: better on both columns
      const text = renderComparison(report(2, 24.1, hib), machine, {
        run: run(report(4, 10.6, hib)),
        path: 'ref.json',
      });
      expect(text).toContain('ms ×2.00');
      expect(text).toContain('M steps/s ×2.27');
      expect(text).toContain('ref.json');
      expect(text).toContain('×>1 always means better');
      expect(text).not.toContain('Warning');
      const worse = renderComparison(report(4, 10.6, hib), machine, {
        run: run(report(2, 24.1, hib)),
        path: 'r',
      });
      expect(worse).toContain('ms ×0.50');
      expect(worse).toContain('M steps/s ×0.44');
    },
  );

  it('the speed-up over the baseline column is > 1 when ours is faster', () => {
    const text = renderTable(report(2, 24.1, true));
    expect(text).toContain('2.00 (2.00–2.00) **×2.00**');
    expect(text).toContain('×>1 always means better');
  });

  it('warns when the reference comes from another machine', () => {
    const other = { ...machine, cpu: 'CPU B', cores: 16 };
    const text = renderComparison(report(2, 24.1, true), machine, {
      run: run(report(4, 10.6, true), other),
      path: 'r',
    });
    expect(text).toContain(
      'Warning: the reference was measured on another machine (CPU CPU B → CPU A, 16 → 2 cores)',
    );
  });
});
