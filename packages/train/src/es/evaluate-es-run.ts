import * as path from 'node:path';
import type { TrainConfig } from '../meta/config';
import type { EvaluationOptions } from '../meta/evaluate';
import { type EvaluationFile, evaluationDocument } from '../run/evaluation-file';
import { readPolicy } from '../run/run-dir';
import { esParamsFromJson, initEsParams } from './es-params';
import { makeEsProblem } from './es-problem';
import { evaluateEs } from './evaluate-es';

/** θ of an es-maml run: policy.json if finished, else the checkpoint, else the initialisation (or that, with randomInit). */
export function readEsRunParams(dir: string, config: TrainConfig, randomInit = false) {
  const problem = makeEsProblem(config);
  const saved = randomInit ? null : readPolicy(dir);
  const theta =
    saved === null || saved.meta === null
      ? initEsParams(problem)
      : esParamsFromJson(saved.meta, problem, path.join(dir, 'meta'));
  return { problem, theta, saved };
}

/** `metagrad evaluate` of an es-maml run: the same file as for gradient runs. */
export function evaluateEsRun(
  dir: string,
  config: TrainConfig,
  opts: EvaluationOptions & { randomInit: boolean },
): EvaluationFile {
  const { problem, theta, saved } = readEsRunParams(dir, config, opts.randomInit);
  return evaluationDocument(dir, saved, opts.randomInit, evaluateEs(problem, theta, opts));
}
