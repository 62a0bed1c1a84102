import type { RulesFor, VjpRule } from '../rule';
import type { Differentiable } from './define';
import * as internal from './internal';
import * as spec from './spec';

/*
 * Everything the rest of the engine needs to know about elementwise ops, derived from the
 * specs: the op names, each op's attrs type, the rule table and the Tensor methods.
 */

type Specs = typeof spec & typeof internal;
type Graphed = { [K in keyof Specs]: Specs[K] extends { readonly opName: string } ? K : never }[keyof Specs];

/** Attrs each elementwise op hands its rule (null for all but clip). */
export type ElementwiseAttrs = {
  [K in Graphed]: Specs[K] extends { readonly rule: VjpRule<infer A> } ? A : never;
};
export type ElementwiseOp = keyof ElementwiseAttrs;

function isDifferentiable(v: unknown): v is Differentiable<never, never> {
  return typeof v === 'function' && 'rule' in v;
}

function buildRules(): RulesFor<ElementwiseAttrs> {
  const table: Record<string, VjpRule<never>> = {};
  for (const [key, v] of [...Object.entries(spec), ...Object.entries(internal)]) {
    if (!isDifferentiable(v)) continue;
    // the node's name is how backward finds the rule
    if (v.opName !== key) throw new Error(`elementwise spec: op '${v.opName}' is exported as '${key}'`);
    table[key] = v.rule;
  }
  return table as unknown as RulesFor<ElementwiseAttrs>;
}

export const elementwiseRules = buildRules();

/** Spec ops that are not Tensor methods (where's first argument is the condition). */
const NOT_METHODS = ['where'] as const;
type MethodName = Exclude<keyof typeof spec, (typeof NOT_METHODS)[number]>;

/** The spec ops that are also Tensor methods: every one but `where`. */
export const elementwiseMethodOps = Object.fromEntries(
  Object.entries(spec).filter(([key]) => !(NOT_METHODS as readonly string[]).includes(key)),
) as Pick<typeof spec, MethodName>;
