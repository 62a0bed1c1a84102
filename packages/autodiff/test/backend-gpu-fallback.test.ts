/** With no GPU adapter (simulated), 'gpu' and 'auto' run on the CPU, and say so once. */
import { makeSpec } from './backend-helpers';

type BackendModule = typeof import('../src/kernels/matmul');

function freshBackend(): BackendModule {
  let mod: BackendModule | undefined;
  jest.isolateModules(() => {
    mod = require('../src/kernels/matmul') as BackendModule;
  });
  return mod!;
}

describe('fallback when no adapter is available', () => {
  const saved = process.env.METAGRAD_GPU_FORCE_NO_ADAPTER;
  beforeAll(() => {
    process.env.METAGRAD_GPU_FORCE_NO_ADAPTER = '1';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.METAGRAD_GPU_FORCE_NO_ADAPTER;
    else process.env.METAGRAD_GPU_FORCE_NO_ADAPTER = saved;
  });

  test("'gpu' falls back to the CPU with exactly one warning, and getBackend tells the truth", () => {
    const be = freshBackend();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      be.setBackend('gpu');
      const out = new Float64Array(4);
      for (let i = 0; i < 3; i++)
        be.matmulKernel(
          Float64Array.from([1, 2, 3, 4]),
          Float64Array.from([1, 0, 0, 1]),
          out,
          makeSpec(1, 2, 2, 2),
        );
      expect(Array.from(out)).toEqual([1, 2, 3, 4]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/GPU backend unavailable.*METAGRAD_GPU_FORCE_NO_ADAPTER/);
      expect(be.getBackend()).toEqual({
        requested: 'gpu',
        active: 'cpu',
        reason: expect.stringMatching(/no GPU adapter/),
      });
    } finally {
      warn.mockRestore();
    }
  });

  test("'auto' stays on the CPU and calibration says why", () => {
    const be = freshBackend();
    be.setBackend('auto');
    expect(be.getBackend()).toMatchObject({ requested: 'auto', active: 'cpu' });
    const cal = be.calibrateAutoThreshold();
    expect(cal.thresholdFlops).toBe(Number.POSITIVE_INFINITY);
    expect(cal.reason).toMatch(/no GPU adapter/);
  });

  test('gpuMatmul itself throws a clear error instead of silently using the CPU', () => {
    const be = freshBackend();
    expect(() =>
      be.gpuMatmul(new Float64Array(1), new Float64Array(1), new Float64Array(1), makeSpec(1, 1, 1, 1)),
    ).toThrow(/gpuMatmul: no GPU adapter/);
  });

  test('unknown backend names are rejected', () => {
    const be = freshBackend();
    expect(() => be.setBackend('tpu' as 'cpu')).toThrow(
      /setBackend\(name\) = "tpu", expected one of 'cpu', 'gpu', 'auto'/,
    );
  });
});
