import { queryPair, querySign } from '../es/es-gradient';
import type { EsProblem } from '../es/es-problem';
import { queryReturn, unperturbedReturn } from '../es/perturbation';
import { NonFiniteError } from '../non-finite';

/** Some pairs' work in one ES-MAML iteration, in the order of the pairs asked for. */
export interface EsPairsResult {
  /** R_T(U_T(θ + σg_i)), R_T(U_T(θ − σg_i)) of each pair: queries 2i and 2i + 1. */
  values: Float64Array;
  /** R_T(θ) of each pair's task (logged as the return before adaptation). */
  before: Float64Array;
  /** Episodes the queries played. */
  rollouts: number;
}

/**
 * The unit of ES-MAML work, run in-process or by a pool worker: both queries of each pair and
 * the unperturbed return of its task, each a pure function of (seed, θ, iteration, pair), so any
 * split over workers gives the same numbers. A query that throws is named (iteration-free: the
 * caller adds where it ran), its error class kept; `beforeQuery` is a test hook.
 */
export function evaluatePairs(
  problem: EsProblem,
  theta: Float64Array,
  iteration: number,
  pairs: readonly number[],
  beforeQuery?: (q: number) => void,
): EsPairsResult {
  const values = new Float64Array(2 * pairs.length);
  const before = new Float64Array(pairs.length);
  let rollouts = 0;
  pairs.forEach((pair, j) => {
    for (const q of [2 * pair, 2 * pair + 1]) {
      try {
        beforeQuery?.(q);
        const r = queryReturn(problem, theta, iteration, q);
        values[2 * j + (q % 2)] = r.value;
        rollouts += r.rollouts;
      } catch (e) {
        const sign = querySign(q) > 0 ? '+' : '−';
        const msg = `query ${q} (pair ${queryPair(q)}, θ ${sign} σg): ${(e as Error).message}`;
        const Class = e instanceof NonFiniteError ? NonFiniteError : Error;
        throw Object.assign(new Class(msg), { slot: q });
      }
    }
    before[j] = unperturbedReturn(problem, theta, iteration, pair);
  });
  return { values, before, rollouts };
}
