import { Rng } from '@metagrad/autodiff';
import { lusolve } from 'mathjs';

/** A random symmetric positive-definite matrix MᵀM + shift·I as rows. */
export function randomSpd(n: number, seed: number, shift = 0.5): number[][] {
  const rng = new Rng(seed);
  const M = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => M.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? shift : 0)),
  );
}

export function matVec(A: number[][], v: ArrayLike<number>): Float64Array {
  return Float64Array.from(A, (row) => row.reduce((s, a, j) => s + a * v[j], 0));
}

/** Dense solve by mathjs' LU, an independent reference for CG. */
export function denseSolve(A: number[][], b: ArrayLike<number>): Float64Array {
  const x = lusolve(A, Array.from(b)) as number[][];
  return Float64Array.from(x, (r) => r[0]);
}
