/**
 * What `--json` prints, one documented layout per command (JSON Schema files in schemas/ at the
 * repository root, checked by test/json-schemas.test.ts). The conventions, the same everywhere:
 * a parameter vector is a flat array indexed like θ (p = s·A + a for a tabular policy); a
 * matrix (Hessian, Hessian terms) is nested rows, `m[i][j]`; keys are named as the CLI options
 * (`level` is --level, the z-test's level; `alpha` is --alpha, the MAML inner step size);
 * non-finite numbers are the strings "Infinity", "-Infinity", "NaN" (see toJson).
 */
import type { EstimatorEntry, StudyResult, VectorStats } from '@metagrad/estimators';

/** Each document names its schema (the `$id` of schemas/<name>.schema.json). */
export const schemaId = (name: string): string => `urn:metagrad:schema:${name}:1`;

/** Row-major [rows·cols] as nested rows. */
export function matrixRows(flat: ArrayLike<number>, rows: number, cols: number): number[][] {
  if (flat.length !== rows * cols) throw new RangeError(`matrix: ${flat.length} entries for ${rows}×${cols}`);
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => flat[i * cols + j]));
}

/** The P×P symmetric matrix whose upper triangle (i ≤ j, row by row) is `tri`. */
export function symmetricFromUpper(tri: ArrayLike<number>, P: number): number[][] {
  const m = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  let k = 0;
  for (let i = 0; i < P; i++)
    for (let j = i; j < P; j++) {
      m[i][j] = tri[k];
      m[j][i] = tri[k++];
    }
  return m;
}

/** [i, j] of the k-th upper-triangle entry. */
function upperIndex(k: number, P: number): [number, number] {
  let left = k;
  for (let i = 0; i < P; i++) {
    if (left < P - i) return [i, i + left];
    left -= P - i;
  }
  throw new RangeError(`upper triangle: index ${k} out of range for P = ${P}`);
}

/** The statistics of a vector estimate, as the library computes them. */
const vectorDoc = (s: VectorStats) => ({ ...s });

/**
 * The statistics of a symmetric-matrix estimate tested on its upper triangle, as full nested
 * matrices: the mean mirrored from the triangle, the exact matrix as the oracle gave it.
 */
function matrixDoc(s: VectorStats, exact: number[][]) {
  const P = exact.length;
  return {
    ...s,
    mean: symmetricFromUpper(s.mean, P),
    exact,
    worstEntry: upperIndex(s.worstEntry, P),
  };
}

/** The `study --json` document (MDP, --meta or --toy). */
export function studyDocument(r: StudyResult): Record<string, unknown> {
  if (r.kind === 'mdp') {
    const P = r.parameters;
    const hessian = matrixRows(r.exact.hessian, P, P);
    return {
      schema: schemaId('study-mdp'),
      ...r,
      exact: { J: r.exact.J, grad: r.exact.grad, hessian },
      estimators: r.estimators.map((e) => ({
        ...e,
        gradient: vectorDoc(e.gradient),
        hessian: matrixDoc(e.hessian, hessian),
      })),
    };
  }
  if (r.kind === 'meta') {
    const { stepSize, ...rest } = r;
    return {
      schema: schemaId('study-meta'),
      kind: rest.kind,
      parameters: rest.parameters,
      samples: rest.samples,
      repeats: rest.repeats,
      seed: rest.seed,
      level: rest.level,
      alpha: stepSize,
      exact: rest.exact,
      estimators: rest.estimators.map((e) => ({
        ...e,
        metaGradient: vectorDoc(e.metaGradient),
        composed: e.composed === null ? null : vectorDoc(e.composed),
      })),
      note: rest.note,
      falsePositiveRate: rest.falsePositiveRate,
    };
  }
  return {
    schema: schemaId('study-toy'),
    ...r,
    rows: r.rows.map((x) => ({ ...x, stats: vectorDoc(x.stats) })),
  };
}

/** The `estimators --json` document: the estimator table without its implementations. */
export function estimatorsDocument(entries: readonly EstimatorEntry[]): Record<string, unknown> {
  return {
    schema: schemaId('estimators'),
    estimators: entries.map((e) => ({
      name: e.name,
      label: e.label,
      kind: e.kind,
      unbiased: e.unbiased,
      note: e.note,
    })),
  };
}
