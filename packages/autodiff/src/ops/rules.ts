import type { ElementwiseAttrs } from './elementwise/derived';
import { elementwiseRules } from './elementwise/derived';
import { type LinalgAttrs, linalgRules } from './linalg';
import { type MovementAttrs, movementRules } from './movement';
import { type ReductionAttrs, reductionRules } from './reduction';
import type { RulesFor } from './rule';

/** Each differentiable primitive's name and the attrs its graph node carries for its rule. */
export type OpAttrs = ElementwiseAttrs &
  ReductionAttrs &
  MovementAttrs &
  LinalgAttrs & {
    /** a transform's variable: passes its cotangent straight to what it wraps */
    identity: null;
  };
export type OpName = keyof OpAttrs;

export const rules: RulesFor<OpAttrs> = {
  ...elementwiseRules,
  ...reductionRules,
  ...movementRules,
  ...linalgRules,
  identity: (g) => [g],
};
