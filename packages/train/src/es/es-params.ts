import { Rng, tensor } from '@metagrad/autodiff';
import type { PyTreeJson } from '../run/serialize';
import { treeFromJson, treeToJson } from '../run/serialize';
import type { EsProblem } from './es-problem';

/** Stream of the policy initialisation (as the policy-gradient runs' INIT_STREAM). */
const INIT_STREAM = 0;

/** The initial meta-policy θ of a run. */
export function initEsParams(problem: EsProblem): Float64Array {
  return problem.policy.init(new Rng(problem.cfg.seed).derive(INIT_STREAM));
}

/** θ as the run directory stores meta-parameters: `{ policy: tensor [dim] }` (bit-exact base64). */
export function esParamsToJson(theta: Float64Array): PyTreeJson {
  return treeToJson({ policy: tensor(theta, { shape: [theta.length] }) });
}

/** θ from a checkpoint or policy.json, checked against the run's policy size. */
export function esParamsFromJson(json: unknown, problem: EsProblem, where: string): Float64Array {
  const tree = treeFromJson(json, where) as { policy?: { data?: ArrayLike<number>; shape?: number[] } };
  const data = tree?.policy?.data;
  if (data === undefined || data.length !== problem.policy.dim)
    throw new RangeError(
      `${where}: expected an es-maml policy of ${problem.policy.dim} parameters, got ${data === undefined ? 'none' : data.length}`,
    );
  return Float64Array.from(data);
}
