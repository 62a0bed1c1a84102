/**
 * The engine on the reference workload of policy-model.ts (2D-navigation Gaussian MLP policy,
 * 10,604 parameters, 2,000 samples): forward, value+gradient, Hessian-vector product and a
 * one-step MAML meta-gradient, plus the per-op overhead of a tiny add. TensorFlow.js on its
 * CPU backend runs the same workload in the same process, PyTorch (float64, on one thread and on
 * every core) in a child process when the system Python has it, and both second-order results
 * are checked against float64 finite differences. metagrad runs on one thread and on every core
 * (its matmul thread split; the bits are the same).
 */
import { availableParallelism } from 'node:os';
import {
  add,
  flattenTree,
  grad,
  hvp,
  mapTree,
  profileMatmuls,
  Rng,
  randomNormal,
  setNumThreads,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from '@metagrad/autodiff';
import { duration, type TimingOptions, time } from '../infra/measure';
import type { Cell, Measurement, ReportRow, Suite, SuiteOptions } from '../infra/suite';
import { axpy, flatParams, initPolicy, makeBatch, objective, type PolicyParams } from '../policy-model';
import { tfLabel } from '../tfjs-backends';
import { makeTfWorkload, type TfWorkload } from './autodiff-tfjs';
import { runTorchPeer, type TorchWorkload } from './autodiff-torch';

const ALPHA = 0.1;
const THREADS = availableParallelism();
const plural = (n: number) => `${n} thread${n > 1 ? 's' : ''}`;
const OURS_1 = 'metagrad (f64, 1 thread)';
const OURS_N = `metagrad (f64, ${plural(THREADS)})`;
const TORCH_1 = 'PyTorch CPU (f64, 1 thread)';
const TORCH_N = `PyTorch CPU (f64, ${plural(THREADS)})`;
const TF_CPU = tfLabel('cpu');
const TF_WASM = tfLabel('wasm');
const BATCH = 2000;
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
};

const scaled = (m: Measurement, factor: number, unit: string): Measurement => ({
  ...m,
  median: m.median * factor,
  min: m.min * factor,
  max: m.max * factor,
  unit,
});

async function run(options: SuiteOptions) {
  const timing: TimingOptions = options.quick
    ? { maxTime: 0.5, minSamples: 3 }
    : { maxTime: 4, minSamples: 7 };
  const params = initPolicy(0);
  const batch = makeBatch(1, BATCH);
  const rng = new Rng(2);
  const direction = mapTree(params, (t) => randomNormal(rng, t.shape));
  const J = (p: PolicyParams) => objective(p, batch);
  const vg = valueAndGrad(J);
  const gradJ = grad(J);
  const meta = grad((p: PolicyParams) => J(axpy(p, gradJ(p) as PolicyParams, ALPHA)));

  // correctness first: second-order results against central differences of first-order ones
  const eps = 1e-5;
  const hv = flatParams(hvp(J, params, direction));
  const gPlus = flatParams(gradJ(axpy(params, direction, eps)));
  const gMinus = flatParams(gradJ(axpy(params, direction, -eps)));
  const hvFd = gPlus.map((v, i) => (v - gMinus[i]) / (2 * eps));
  const metaGrad = flatParams(meta(params));
  const V = (p: PolicyParams) => J(axpy(p, gradJ(p) as PolicyParams, ALPHA)).item();
  const dirFlat = flatParams(direction);
  const metaDirFd = (V(axpy(params, direction, eps)) - V(axpy(params, direction, -eps))) / (2 * eps);
  const metaDir = metaGrad.reduce((s, v, i) => s + v * dirFlat[i], 0);

  const leaves = flattenTree(params).leaves;
  const directionLeaves = flattenTree(direction).leaves;
  const tf = await makeTfWorkload(leaves, batch, directionLeaves, 'cpu');
  if (typeof tf === 'string') throw new Error(tf);
  const tfHvErr = relErr(tf.hvp(), hv);
  const tfMetaErr = relErr(tf.maml(ALPHA), metaGrad);
  // a peer column only: metagrad's own kernels stay hand-written TypeScript
  const wasm = await makeTfWorkload(leaves, batch, directionLeaves, 'wasm');
  const wasmNote =
    typeof wasm === 'string'
      ? `TF.js WASM: ${wasm}`
      : `TF.js WASM (XNNPACK, SIMD, one thread in Node) results vs metagrad: HVP off by ${(100 * relErr(wasm.hvp(), hv)).toPrecision(2)}%, MAML meta-gradient off by ${(100 * relErr(wasm.maml(ALPHA), metaGrad)).toPrecision(2)}% (same autodiff as its CPU backend).`;

  const torch1 = runTorchPeer(leaves, batch, directionLeaves, ALPHA, timing, 1);
  const torchN = THREADS > 1 ? runTorchPeer(leaves, batch, directionLeaves, ALPHA, timing, THREADS) : null;
  if (typeof torch1 === 'string') console.error(`  ${torch1}`);
  const torchCell = (peer: typeof torch1 | null, w: TorchWorkload | undefined): Cell =>
    w === undefined || peer === null || typeof peer === 'string'
      ? null
      : duration({ perCall: peer.timings[w] });

  // how much of value + gradient is matmul (one thread, median of a few calls)
  setNumThreads(1);
  const shares = Array.from({ length: 7 }, () => profileMatmuls(() => vg(params)).profile)
    .map((p) => ({ share: p.seconds / p.totalSeconds, gflops: p.flops / p.seconds / 1e9 }))
    .sort((x, y) => x.share - y.share);
  const matmulShare = shares[3];

  const a4 = tensor([1, 2, 3, 4]);
  const b4 = tensor([5, 6, 7, 8]);
  const tinyGrad = valueAndGrad((a: Tensor) => sum(add(a, b4)));
  const cases: {
    name: string;
    ours: () => unknown;
    peer: (w: TfWorkload) => unknown;
    torch?: TorchWorkload;
    unit: 'ms' | 'µs';
  }[] = [
    {
      name: 'forward: J = mean(advantage · log π)',
      ours: () => J(params),
      peer: (w) => w.forward(),
      torch: 'forward',
      unit: 'ms',
    },
    {
      name: 'value + gradient',
      ours: () => vg(params),
      peer: (w) => w.valueAndGrad(),
      torch: 'valueAndGrad',
      unit: 'ms',
    },
    {
      name: 'Hessian-vector product',
      ours: () => hvp(J, params, direction),
      peer: (w) => w.hvp(),
      torch: 'hvp',
      unit: 'ms',
    },
    {
      name: `MAML meta-gradient (one inner step, α = ${ALPHA})`,
      ours: () => meta(params),
      peer: (w) => w.maml(ALPHA),
      torch: 'maml',
      unit: 'ms',
    },
    {
      name: 'tiny op: add of two 4-element tensors, forward',
      ours: () => add(a4, b4),
      peer: (w) => w.tinyAdd(),
      unit: 'µs',
    },
    {
      name: 'tiny op: add, forward + backward (valueAndGrad of sum(add))',
      ours: () => tinyGrad(a4),
      peer: (w) => w.tinyAddGrad(),
      unit: 'µs',
    },
  ];
  const rows: ReportRow[] = [];
  const medians: Record<string, number> = {};
  const mediansN: Record<string, number> = {};
  const torchRatios: string[] = [];
  const torchRatiosN: string[] = [];
  const ratio = (ours: number, cell: Cell, w: TorchWorkload | undefined) =>
    cell !== null && typeof cell !== 'string' ? [`${w} ${(ours / cell.median).toFixed(2)}×`] : [];
  for (const c of cases) {
    setNumThreads(1);
    const ours = duration(await time(c.ours, timing));
    setNumThreads(THREADS);
    const oursN = duration(await time(c.ours, timing));
    const peer = duration(await time(() => c.peer(tf), timing));
    const peerWasm = typeof wasm === 'string' ? wasm : duration(await time(() => c.peer(wasm), timing));
    const f = c.unit === 'µs' ? 1000 : 1;
    const t1 = torchCell(torch1, c.torch);
    const tN = torchCell(torchN, c.torch);
    rows.push({
      name: c.name,
      cells: {
        [OURS_1]: scaled(ours, f, c.unit),
        ...(THREADS > 1 ? { [OURS_N]: scaled(oursN, f, c.unit) } : {}),
        [TF_CPU]: scaled(peer, f, c.unit),
        [TF_WASM]: typeof peerWasm === 'string' ? peerWasm : scaled(peerWasm, f, c.unit),
        [TORCH_1]: t1,
        ...(THREADS > 1 ? { [TORCH_N]: tN } : {}),
      },
    });
    medians[c.name] = ours.median;
    mediansN[c.name] = oursN.median;
    torchRatios.push(...ratio(ours.median, t1, c.torch));
    torchRatiosN.push(...ratio(oursN.median, tN, c.torch));
    console.error(`  ${c.name} done`);
  }
  const [, vgName, hvpName, metaName] = cases.map((c) => c.name);
  return {
    suite: 'autodiff',
    title: `policy MLP 2→100→100→2 (${flatParams(params).length} parameters), batch ${BATCH}; median per call`,
    columns:
      THREADS > 1 ? [OURS_1, OURS_N, TF_CPU, TF_WASM, TORCH_1, TORCH_N] : [OURS_1, TF_CPU, TF_WASM, TORCH_1],
    baseline: TF_CPU,
    rows,
    higherIsBetter: false,
    notes: [
      `HVP / value+gradient = ${(medians[hvpName] / medians[vgName]).toFixed(2)}; MAML / value+gradient = ${(medians[metaName] / medians[vgName]).toFixed(2)} (one thread; PyTorch's own ratios ≈ 2.3); goals: value+gradient ≤ 50 ms, tiny op ≤ 0.5 µs forward and ≤ 3 µs forward+backward.`,
      `Matmul share of value + gradient (one thread, median of 7 calls, profileMatmuls): ${(100 * matmulShare.share).toFixed(0)}% of the time, at ${matmulShare.gflops.toFixed(2)} GFLOP/s; everything else ${(100 * (1 - matmulShare.share)).toFixed(0)}%.`,
      ...(THREADS > 1
        ? [
            `${plural(THREADS)} over 1 thread (metagrad, same run): ${cases
              .filter((c) => c.unit === 'ms')
              .map((c) => `${c.torch} ${(medians[c.name] / mediansN[c.name]).toFixed(2)}×`)
              .join(', ')}.`,
          ]
        : []),
      `metagrad HVP vs central differences of its gradient: relative error ${relErr(hv, hvFd).toExponential(1)}; MAML meta-gradient along a random direction vs central differences of V: ${metaDir.toPrecision(8)} vs ${metaDirFd.toPrecision(8)}.`,
      `TF.js CPU results vs metagrad (float64, checked above): HVP off by ${(100 * tfHvErr).toPrecision(2)}%, MAML meta-gradient off by ${(100 * tfMetaErr).toPrecision(2)}% (its second-order path through tanh is broken; float32 alone explains ~1e-5).`,
      wasmNote,
      typeof torch1 === 'string'
        ? torch1
        : `PyTorch ${torch1.version} (same leaves and batch): HVP off by ${relErr(torch1.hvp, hv).toExponential(1)}, MAML meta-gradient off by ${relErr(torch1.metaGrad, metaGrad).toExponential(1)} (relative); metagrad / PyTorch median time, same run, 1 thread each: ${torchRatios.join(', ')}${torchRatiosN.length > 0 ? `; ${plural(THREADS)} each: ${torchRatiosN.join(', ')}` : ''}.`,
    ],
    extra: {
      hvpRelErrVsFd: relErr(hv, hvFd),
      metaDir,
      metaDirFd,
      tfHvErr,
      tfMetaErr,
      matmulShare,
      torch:
        typeof torch1 === 'string'
          ? { skipped: torch1 }
          : {
              version: torch1.version,
              hvpErr: relErr(torch1.hvp, hv),
              metaErr: relErr(torch1.metaGrad, metaGrad),
              ratios: torchRatios,
              ratiosAllThreads: torchRatiosN,
            },
      ratio: { hvp: medians[hvpName] / medians[vgName], maml: medians[metaName] / medians[vgName] },
    },
  };
}

export const autodiffSuite: Suite = {
  name: 'autodiff',
  description:
    'policy MLP forward / value+grad / HVP / MAML vs TensorFlow.js CPU/WASM and PyTorch, and per-op overhead',
  run,
};
