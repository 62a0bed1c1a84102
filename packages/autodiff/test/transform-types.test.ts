/**
 * The transforms' signatures are typed for pytrees, so callers need no casts. The type
 * assertions below fail `npm run typecheck` if a signature regresses; the values are checked
 * against closed forms so each line also runs.
 */
import * as ad from '../src';
import { grad, hessian, hvp, jacobian, type Tensor, tensor, valueAndGrad } from '../src';

/** true only when X and Y are the same type (not merely assignable). */
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
const sameType = <X, Y>(_proof: Equal<X, Y>): void => {};

interface Params {
  w: Tensor;
  layers: Tensor[];
}
const params: Params = { w: tensor([1, 2]), layers: [tensor([3]), tensor([0.5, -1])] };
/** Σ w² + Σ_l Σ layer³ */
const objective = (p: Params): Tensor =>
  ad.add(ad.sum(ad.square(p.w)), ad.add(ad.sum(ad.pow(p.layers[0], 3)), ad.sum(ad.pow(p.layers[1], 3))));
const x = tensor([0.3, -0.7]);
const f = (v: Tensor): Tensor => ad.sum(ad.sin(v));

test('grad of a tensor function is a tensor function', () => {
  const g = grad(f)(x);
  sameType<typeof g, Tensor>(true);
  expect(Array.from(g.data)).toEqual([Math.cos(0.3), Math.cos(-0.7)]);
});

test('grad of a pytree function returns the same pytree structure', () => {
  const g = grad(objective)(params);
  const asParams: Params = g;
  sameType<typeof g.layers, Tensor[]>(true);
  expect(Array.from(asParams.w.data)).toEqual([2, 4]);
  expect(Array.from(g.layers[1].data)).toEqual([3 * 0.25, 3]);
});

test('argnums picks the arguments: one index or a tuple', () => {
  const h = (a: Tensor, b: Params, scale: number) => ad.mul(ad.add(ad.sum(a), objective(b)), scale);
  const gb = grad(h, { argnums: 1 })(x, params, 2);
  sameType<typeof gb, { w: Tensor; layers: Tensor[] }>(true);
  const [ga, gp] = grad(h, { argnums: [0, 1] })(x, params, 2);
  sameType<typeof ga, Tensor>(true);
  expect(Array.from(ga.data)).toEqual([2, 2]);
  expect(Array.from(gp.w.data)).toEqual([4, 8]);
  expect(Array.from(gb.w.data)).toEqual([4, 8]);
});

test('valueAndGrad and hasAux keep value, aux and gradient types', () => {
  const [value, g] = valueAndGrad(f)(x);
  sameType<typeof value, Tensor>(true);
  sameType<typeof g, Tensor>(true);
  const withAux = (v: Tensor): [Tensor, { note: string }] => [f(v), { note: 'aux' }];
  const [[v2, aux], g2] = valueAndGrad(withAux, { hasAux: true })(x);
  const [g3, aux3] = grad(withAux, { hasAux: true })(x);
  sameType<typeof aux, { note: string }>(true);
  sameType<typeof g3, Tensor>(true);
  expect([v2.item(), aux.note, aux3.note]).toEqual([value.item(), 'aux', 'aux']);
  expect(Array.from(g2.data)).toEqual(Array.from(g.data));
  expect(Array.from(g3.data)).toEqual(Array.from(g.data));
});

test('jacobian, hessian and hvp are typed by their arguments and outputs', () => {
  const J = jacobian((v: Tensor) => ad.sin(v))(x);
  sameType<typeof J, Tensor>(true);
  expect(J.shape).toEqual([2, 2]);
  const Jtree = jacobian((v: Tensor) => ({ s: ad.sin(v), c: ad.cos(v) }))(x);
  sameType<typeof Jtree, { s: Tensor; c: Tensor }>(true);
  expect(Jtree.c.data[0]).toBe(-Math.sin(0.3));
  const H = hessian(f)(x);
  sameType<typeof H, Tensor>(true);
  expect(Array.from(H.data)).toEqual([-Math.sin(0.3), 0, 0, -Math.sin(-0.7)]);
  const Hp = hessian(objective)(params);
  expect(Hp.w.w.shape).toEqual([2, 2]);
  const hv = hvp(objective, params, { w: tensor([1, 0]), layers: [tensor([1]), tensor([0, 1])] });
  sameType<typeof hv, { w: Tensor; layers: Tensor[] }>(true);
  expect(Array.from(hv.w.data)).toEqual([2, 0]);
  expect(Array.from(hv.layers[1].data)).toEqual([0, -6]);
});

test('hvp is curried like grad and hessian, or takes (f, x, v) directly', () => {
  const v = { w: tensor([1, 0]), layers: [tensor([1]), tensor([0, 1])] };
  const curried = hvp(objective)(params, v);
  sameType<typeof curried, { w: Tensor; layers: Tensor[] }>(true);
  expect(Array.from(curried.layers[1].data)).toEqual(Array.from(hvp(objective, params, v).layers[1].data));
});

test('vjp and jvp are typed by the primals and the output', () => {
  const two = (a: Tensor, p: Params) => ({ s: ad.mul(ad.sum(a), objective(p)) });
  const [out, pullback] = ad.vjp(two, x, params);
  sameType<typeof out, { s: Tensor }>(true);
  const [ga, gp] = pullback({ s: tensor(1) });
  sameType<typeof ga, Tensor>(true);
  sameType<typeof gp, { w: Tensor; layers: Tensor[] }>(true);
  const [y, ty] = ad.jvp(f, [x], [tensor([1, 0])]);
  sameType<typeof y, Tensor>(true);
  sameType<typeof ty, Tensor>(true);
  expect(ty.item()).toBe(Math.cos(0.3));
  expect(Array.from(ga.data)).toEqual(Array.from(ad.mul(ad.onesLike(x), objective(params)).data));
});

/*
 * Lines that must not compile: each `@ts-expect-error` is itself an error if the line below
 * it type-checks, so `npm run typecheck` (and types-compile.test.ts) fail if a signature
 * goes back to `any`. The calls run inside a function that is never called.
 */
export function mustNotCompile(): void {
  const theta = tensor([0.3, -0.2]);
  const J = (t: Tensor): Tensor => ad.sum(ad.sin(t));
  // @ts-expect-error grad of a tensor function is a Tensor, not a number
  const n: number = grad(J)(theta);
  // @ts-expect-error the gradient of a Params function is Params-shaped, not a Tensor
  const g: Tensor = grad(objective)(params);
  // @ts-expect-error grad's function takes the argument f takes
  grad(objective)(theta);
  // @ts-expect-error valueAndGrad's value is a Tensor
  const v: string = valueAndGrad(J)(theta)[0];
  // @ts-expect-error hessian of a tensor function is a Tensor
  const h: number[] = hessian(J)(theta);
  // @ts-expect-error hvp's direction has the argument's structure
  hvp(objective)(params, { w: tensor([1, 0]) });
  // @ts-expect-error jacobian keeps the output's structure
  const jac: Tensor = jacobian((t: Tensor) => ({ s: ad.sin(t) }))(theta);
  // @ts-expect-error vjp's pullback returns one cotangent per primal
  const [, , extra] = ad.vjp(J, theta)[1](tensor(1));
  // @ts-expect-error jvp takes arrays of primals and tangents (JAX's tuples), not bare tensors
  ad.jvp(J, theta, theta);
  // @ts-expect-error a function that does not return a Tensor (a pair without hasAux) gives unknown, never any
  const u: Tensor = grad((t: Tensor) => [J(t), 1] as const)(theta);
  return void [n, g, v, h, jac, extra, u];
}
