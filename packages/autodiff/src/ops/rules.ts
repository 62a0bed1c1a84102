import { type ElementwiseOp, elementwiseRules } from './elementwise';
import { type LinalgOp, linalgRules } from './linalg';
import { type MovementOp, movementRules } from './movement';
import { type ReductionOp, reductionRules } from './reduction';
import type { VjpRule } from './rule';

/** Every differentiable primitive, by name. Each family's table must cover all of its ops. */
export type OpName = ElementwiseOp | ReductionOp | MovementOp | LinalgOp | 'identity';

export const rules: Record<OpName, VjpRule> = {
  ...elementwiseRules,
  ...reductionRules,
  ...movementRules,
  ...linalgRules,
  // a transform's variable: passes its cotangent straight to what it wraps
  identity: (g) => [g],
};
