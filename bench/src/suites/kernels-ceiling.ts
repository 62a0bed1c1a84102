/**
 * The practical ceiling for metagrad's hand-written CPU kernels on the current machine: the
 * engine's own 4×4 register micro-kernel run on one tile of packed operands that sit in L1, with
 * no packing or memory traffic. Quoting the blocked kernel against this number makes results
 * comparable across machines.
 */
// not in the package's public API: the kernel is an internal of the CPU matmul backend
import { macroKernel } from '@metagrad/autodiff/dist/kernels/matmul/cpu/macro-kernel';

/** Best of several half-second-ish rounds, in GFLOP/s. */
export function microKernelCeiling(): number {
  const kc = 256;
  const ap = new Float64Array(4 * kc).fill(0.5);
  const bp = new Float64Array(4 * kc).fill(0.25);
  const c = new Float64Array(16);
  const calls = 20000;
  let best = 0;
  for (let round = 0; round < 8; round++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < calls; r++) macroKernel(4, 4, kc, ap, bp, c, 0, 4, true);
    const ns = Number(process.hrtime.bigint() - t0);
    best = Math.max(best, (32 * kc * calls) / ns);
  }
  return best;
}
