import { mdpStudy } from './mdp-study';
import { toyStudy } from './toy-study';
import type { StudyOptions, StudyResult } from './types';

/**
 * Draw `repeats` independent estimates per estimator and compare them with the exact value:
 * mean, bias (norm, relative, per-entry z), variance (trace, relative std), MSE, cosine and a
 * Bonferroni-corrected verdict. Deterministic: the same seed gives the same bits.
 */
export function study(opts: StudyOptions): StudyResult {
  const R = opts.repeats;
  if (R !== undefined && !(Number.isInteger(R) && R >= 2))
    throw new RangeError(`repeats: expected an integer >= 2, got ${R}`);
  const B = opts.samples;
  if (B !== undefined && !(Number.isInteger(B) && B >= 1))
    throw new RangeError(`samples: expected an integer >= 1, got ${B}`);
  const c = opts.batchSize;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1))
    throw new RangeError(`batchSize: expected an integer >= 1, got ${c}`);
  const a = opts.alpha;
  if (a !== undefined && !(a > 0 && a < 1))
    throw new RangeError(`alpha: expected a number in (0, 1), got ${a}`);
  return opts.problem.kind === 'mdp' ? mdpStudy(opts.problem, opts) : toyStudy(opts.problem, opts);
}
