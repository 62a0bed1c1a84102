import { collectRange, type RepeatRange } from './chunks';
import { mdpStudy } from './mdp-study';
import { metaStudy } from './meta-study';
import { toyStudy } from './toy-study';
import type { StudyChunk, StudyOptions, StudyResult } from './types';

/**
 * Draw `repeats` independent estimates per estimator and compare them with the exact value:
 * mean, bias (norm, relative, per-entry z), variance (trace, relative std), MSE, cosine and a
 * Bonferroni-corrected verdict. With `meta`, the one-step MAML meta-gradient instead of ∇J and
 * ∇²J (see metaStudy). Deterministic: the same seed gives the same bits.
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
  const level = opts.level;
  if (level !== undefined && !(level > 0 && level < 1))
    throw new RangeError(`level: expected a number in (0, 1), got ${level}`);
  if (opts.meta !== undefined) {
    const s = opts.meta.stepSize;
    if (!(Number.isFinite(s) && s > 0))
      throw new RangeError(`meta.stepSize: expected a finite number > 0, got ${s}`);
    if (opts.problem.kind !== 'mdp')
      throw new RangeError(`meta: expected an MDP problem, got ${JSON.stringify(opts.problem.kind)}`);
    return metaStudy(opts.problem, opts);
  }
  return opts.problem.kind === 'mdp' ? mdpStudy(opts.problem, opts) : toyStudy(opts.problem, opts);
}

/**
 * The raw estimates of repeats range.first … range.end − 1 of the study `opts`, as its chunks
 * (copies): the same numbers `study(opts)` computes for them, since estimate r depends only on
 * the seed and r. Feeding every range's chunks back as `resume` gives `study(opts)` bit for bit,
 * so ranges may be computed anywhere (worker threads) in any order. A `resume` in `opts` is
 * checked against the study (a RangeError naming `resume:` if it does not fit) and not recomputed.
 */
export function studyChunks(opts: StudyOptions, range: RepeatRange): StudyChunk[] {
  return collectRange(study, opts, range);
}
