import { EnvConfigError } from './errors';

/**
 * A finite MDP as flat typed arrays (row-major), the task type of the tabular environment and the
 * input of the exact oracles. Expected return: J(θ) = E[Σ_{t<T} γ^t R(s_t, a_t)].
 */
export interface TabularMdp {
  readonly states: number;
  readonly actions: number;
  /** P(s' | s, a): [S, A, S], each row sums to 1. */
  readonly transitions: Float64Array;
  /** Expected reward R(s, a): [S, A]. */
  readonly rewards: Float64Array;
  /** Std of the Gaussian noise added to sampled rewards (not to expectations). */
  readonly rewardStd: number;
  /** Initial state distribution: [S]. */
  readonly initial: Float64Array;
  /** Episode length T (ignored by the infinite-horizon value). */
  readonly horizon: number;
  /** γ in [0, 1]. */
  readonly discount: number;
  /** Optional logits θ[s][a] of a stationary softmax policy: [S, A]. */
  readonly logits?: Float64Array;
}

/** Probabilities may deviate from summing to 1 by this much; they are never renormalised. */
export const PROBABILITY_TOLERANCE = 1e-9;

function checkDistribution(field: string, p: Float64Array, offset: number, n: number): void {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = p[offset + i];
    if (Number.isNaN(v) || !Number.isFinite(v))
      throw new EnvConfigError(`${field}[${i}]: expected a probability, got ${v}`);
    if (v < 0) throw new EnvConfigError(`${field}[${i}]: expected a probability >= 0, got ${v}`);
    total += v;
  }
  if (Math.abs(total - 1) > PROBABILITY_TOLERANCE) {
    throw new EnvConfigError(
      `${field}: probabilities sum to ${total}, expected 1 (within ${PROBABILITY_TOLERANCE})`,
    );
  }
}

function checkFinite(field: string, x: Float64Array, cols: number): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new EnvConfigError(
        `${field}[${Math.floor(i / cols)}][${i % cols}]: expected a finite number, got ${x[i]}`,
      );
    }
  }
}

/** Throw an EnvConfigError naming the field and index of the first problem; returns the MDP. */
export function validateTabularMdp(m: TabularMdp): TabularMdp {
  const { states: S, actions: A } = m;
  if (!Number.isInteger(S) || S < 1) throw new EnvConfigError(`states: expected an integer >= 1, got ${S}`);
  if (!Number.isInteger(A) || A < 1) throw new EnvConfigError(`actions: expected an integer >= 1, got ${A}`);
  const len = (field: string, x: Float64Array | undefined, n: number, shape: string) => {
    if (!(x instanceof Float64Array) || x.length !== n) {
      throw new EnvConfigError(
        `${field}: expected ${shape} (${n} numbers), got ${x instanceof Float64Array ? x.length : x}`,
      );
    }
  };
  len('transitions', m.transitions, S * A * S, `[${S}][${A}][${S}]`);
  len('rewards', m.rewards, S * A, `[${S}][${A}]`);
  len('initial', m.initial, S, `[${S}]`);
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++)
      checkDistribution(`transitions[${s}][${a}]`, m.transitions, (s * A + a) * S, S);
  }
  checkFinite('rewards', m.rewards, A);
  checkDistribution('initial', m.initial, 0, S);
  if (!Number.isFinite(m.rewardStd) || m.rewardStd < 0) {
    throw new EnvConfigError(`rewardStd: expected a finite number >= 0, got ${m.rewardStd}`);
  }
  if (!Number.isInteger(m.horizon) || m.horizon < 1) {
    throw new EnvConfigError(`horizon: expected an integer >= 1, got ${m.horizon}`);
  }
  if (!(m.discount >= 0 && m.discount <= 1)) {
    throw new EnvConfigError(`discount: expected a number in [0, 1], got ${m.discount}`);
  }
  if (m.logits !== undefined) {
    len('logits', m.logits, S * A, `[${S}][${A}]`);
    checkFinite('logits', m.logits, A);
  }
  return m;
}
