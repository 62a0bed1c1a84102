/**
 * The practical ceiling for metagrad's hand-written CPU kernels on the current machine: a 4×4
 * register micro-kernel over packed operands that sit in L1, with no packing or memory traffic.
 * Quoting the blocked kernel against this number makes results comparable across machines.
 */
function microKernel(kc: number, ap: Float64Array, bp: Float64Array, c: Float64Array): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let i = 0; i < 4 * kc; i += 4) {
    const a0 = ap[i];
    const a1 = ap[i + 1];
    const a2 = ap[i + 2];
    const a3 = ap[i + 3];
    const b0 = bp[i];
    const b1 = bp[i + 1];
    const b2 = bp[i + 2];
    const b3 = bp[i + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  c[0] += c00 + c01 + c02 + c03 + c10 + c11 + c12 + c13;
  c[1] += c20 + c21 + c22 + c23 + c30 + c31 + c32 + c33;
}

/** Best of several half-second-ish rounds, in GFLOP/s. */
export function microKernelCeiling(): number {
  const kc = 256;
  const ap = new Float64Array(4 * kc).fill(0.5);
  const bp = new Float64Array(4 * kc).fill(0.25);
  const c = new Float64Array(2);
  const calls = 20000;
  let best = 0;
  for (let round = 0; round < 8; round++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < calls; r++) microKernel(kc, ap, bp, c);
    const ns = Number(process.hrtime.bigint() - t0);
    best = Math.max(best, (32 * kc * calls) / ns);
  }
  return best;
}
