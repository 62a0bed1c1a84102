import type { MdpStudyResult, MetaStudyResult, ToyStudyResult, VectorStats } from '@metagrad/estimators';

/** A plain-text table with right-aligned numeric columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const num = (x: number, digits = 3): string =>
  !Number.isFinite(x)
    ? Number.isNaN(x)
      ? 'NaN'
      : x > 0
        ? '∞'
        : '−∞'
    : x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)
      ? x.toExponential(2)
      : x.toFixed(digits);

const verdict = (s: VectorStats) =>
  s.consistent ? `unbiased ok (|z| ${num(s.maxAbsZ, 1)})` : `BIASED (|z| ${num(s.maxAbsZ, 1)})`;

export function formatMdpStudy(r: MdpStudyResult): string {
  const rows = r.estimators.map((e) => [
    e.name,
    verdict(e.gradient),
    num(e.hessian.biasNorm),
    num(e.hessian.relativeBias),
    num(e.hessian.relativeStd),
    num(e.hessian.varianceTrace),
    num(e.hessian.mse),
    num(e.hessian.cosine),
    verdict(e.hessian),
  ]);
  const head = [
    'estimator',
    'gradient',
    'hess |bias|',
    'rel bias',
    'rel std',
    'var trace',
    'MSE',
    'cosine',
    'Hessian verdict',
  ];
  const z = r.estimators[0]?.hessian.zThreshold;
  return [
    `exact J = ${num(r.exact.J, 6)}, ${r.parameters} parameters; ${r.repeats} estimates × ${r.samples} trajectories each, seed ${r.seed}`,
    '',
    table(head, rows),
    '',
    `verdict: Bonferroni z-test at level ${r.alpha} (Hessian: |z| threshold ${z === undefined ? '-' : num(z, 2)}); ${r.falsePositiveRate}.`,
  ].join('\n');
}

export function formatToyStudy(r: ToyStudyResult): string {
  const rows = r.rows.map((x) => [
    x.estimator,
    String(x.n),
    num(x.stats.mean[0]),
    num(x.closedForm.mean),
    num(x.stats.mean[0] - r.exactGradient),
    num(x.variance),
    num(x.closedForm.variance),
    num(x.stats.mse),
    x.stats.consistent ? 'unbiased ok' : 'BIASED',
  ]);
  const head = [
    'estimator',
    'N',
    'mean',
    'closed-form mean',
    'bias',
    'variance',
    'closed-form var',
    'MSE',
    'verdict',
  ];
  return [
    `Gaussian toy: X_i ~ N(${r.theta}, ${r.sigma}²), f(x) = -(x-1)², exact gradient ${num(r.exactGradient)}; ${r.repeats} estimates per N, seed ${r.seed}`,
    '',
    table(head, rows),
    '',
    `verdict: z-test at level ${r.alpha}; ${r.falsePositiveRate}.`,
  ].join('\n');
}

const claim = (b: boolean | null) => (b === null ? '-' : b ? 'unbiased' : 'biased');

export function formatMetaStudy(r: MetaStudyResult): string {
  const rows = r.estimators.map((e) => [
    e.name,
    claim(e.claim.metaGradient),
    num(e.metaGradient.biasNorm),
    e.exactBias === null ? '-' : num(e.exactBias),
    num(e.metaGradient.relativeStd),
    num(e.metaGradient.varianceTrace),
    num(e.metaGradient.mse),
    num(e.metaGradient.cosine),
    verdict(e.metaGradient),
    e.composed === null ? '-' : num(e.composed.biasNorm),
    e.composed === null ? '-' : num(e.composed.maxAbsZ, 1),
  ]);
  const head = [
    'estimator',
    'claim',
    '|bias|',
    'exact |bias|',
    'rel std',
    'var trace',
    'MSE',
    'cosine',
    'verdict (exact inner step)',
    'composed |bias|',
    'composed |z|',
  ];
  const z = r.estimators[0]?.metaGradient.zThreshold;
  return [
    `meta-gradient of V(θ) = J(θ + α∇J(θ)), α = ${r.stepSize}: exact |∇V| = ${num(Math.hypot(...r.exact.metaGradient))}, ${r.parameters} parameters; ${r.repeats} estimates × ${r.samples} inner + ${r.samples} outer trajectories each, seed ${r.seed}`,
    '',
    table(head, rows),
    '',
    `verdict: Bonferroni z-test at level ${r.alpha} (|z| threshold ${z === undefined ? '-' : num(z, 2)}) on (I + αĤ)ĝ(θ′) with the exact inner step θ′ = θ + α∇J(θ); ${r.falsePositiveRate}.`,
    'exact |bias|: ‖(I + αE[Ĥ])E[ĝ(θ′)] − ∇V‖ by enumeration; a biased estimator whose exact bias is below the sampling resolution passes the z-test (raise --repeats, --samples or α to detect it).',
    'composed: the estimator’s own inner step θ′ = θ + αĝ (what MAML code computes); E[f(θ + αĝ)] ≠ f(θ + αE[ĝ]), so its bias is reported, not tested against a claim.',
  ].join('\n');
}
