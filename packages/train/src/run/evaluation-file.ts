import type { EvaluationResult } from '../meta/evaluate';

/** What `metagrad evaluate` writes into a run directory, for gradient and es-maml runs alike. */
export interface EvaluationFile {
  format: 'metagrad-evaluation/1';
  run: string;
  /** Where the meta-parameters came from: policy.json, checkpoint.json, or a fresh initialisation. */
  source: string;
  iterations: number;
  randomInit: boolean;
  result: EvaluationResult;
}

/** The evaluation file of `result`, for parameters read from `saved` (null: a random initialisation). */
export function evaluationDocument(
  run: string,
  saved: { iterations: number; source: string } | null,
  randomInit: boolean,
  result: EvaluationResult,
): EvaluationFile {
  return {
    format: 'metagrad-evaluation/1',
    run,
    source: saved === null ? 'random initialisation' : saved.source,
    iterations: saved?.iterations ?? 0,
    randomInit,
    result,
  };
}
