/**
 * What a JAX user types first: each habit either works with the JAX meaning or fails with a
 * message that names metagrad's spelling. The right spelling is run next to it, and its value
 * checked against a closed form, so the advice in the message is advice that works.
 */
import { inspect } from 'node:util';
import * as ad from '../src';
import { ArgumentError, grad, jvp, mul, sum, type Tensor, tensor } from '../src';

const x = tensor([0.3, -0.7, 1.1]);
const f = (t: Tensor): Tensor => sum(ad.sin(t));

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

test('grad(f, {has_aux: true}) names hasAux; grad(f, {hasAux: true}) returns [gradient, aux]', () => {
  const withAux = (t: Tensor): [Tensor, string] => [f(t), 'aux'];
  expect(messageOf(() => grad(withAux, { has_aux: true } as never))).toBe(
    "grad: unknown option has_aux; metagrad spells JAX's has_aux as hasAux: grad(f, { hasAux: ... })",
  );
  expect(messageOf(() => ad.valueAndGrad(withAux, { has_aux: true } as never))).toMatch(/as hasAux/);
  expect(messageOf(() => ad.hessian(f, { argnum: 0 } as never))).toBe(
    'hessian: unknown option "argnum"; known options: argnums, onProgress',
  );
  const [g, aux] = grad(withAux, { hasAux: true })(x);
  expect(aux).toBe('aux');
  expect(Array.from(g.data)).toEqual(Array.from(x.data, Math.cos));
});

test('sum(x, {axis: 1}) names the positional form; sum(x, 1) sums rows', () => {
  const m = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  expect(messageOf(() => sum(m, { axis: 1 } as never))).toBe(
    'sum: axes is the object {"axis":1}, JAX\'s axis=/keepdims= keywords; metagrad takes them positionally: sum(x, 1)',
  );
  expect(messageOf(() => ad.mean(m, { axis: 0, keepdims: true } as never))).toMatch(/mean\(x, 0, true\)$/);
  expect(Array.from(sum(m, 1).data)).toEqual([6, 15]);
  expect(sum(m, 0, true).shape).toEqual([1, 3]);
});

test('jvp(f, x, v) with bare primals names the tuple form; jvp(f, [x], [v]) gives J·v', () => {
  const v = tensor([1, 0, 2]);
  const e = (() => {
    try {
      jvp(f, x as never, v as never);
    } catch (err) {
      return err;
    }
  })();
  expect(e).toBeInstanceOf(ArgumentError);
  expect((e as Error).message).toBe(
    "jvp: primals must be an array with one entry per argument of f, like JAX's tuple (got a Tensor); write jvp(f, [x], [v]) for f of one argument",
  );
  const [y, tangent] = jvp(f, [x], [v]);
  expect(y.item()).toBeCloseTo(Math.sin(0.3) + Math.sin(-0.7) + Math.sin(1.1), 15);
  expect(tangent.item()).toBeCloseTo(Math.cos(0.3) + 2 * Math.cos(1.1), 15);
});

test('mul(x, [1, 2, 3]) names tensor(); mul(x, tensor([1, 2, 3])) multiplies', () => {
  expect(messageOf(() => mul(x, [1, 2, 3] as never))).toBe(
    'mul: argument b is the array [1,2,3]; expected a Tensor or a number (wrap arrays with tensor())',
  );
  expect(Array.from(mul(x, tensor([1, 2, 3])).data)).toEqual([0.3, -1.4, 1.1 * 3]);
});

test('console.log and util.inspect show shape, dtype and values, not the graph fields', () => {
  expect(inspect(tensor([1, 0.2, -0.5]))).toBe('Tensor(shape=[3], dtype=float64) [1, 0.2, -0.5]');
  expect(
    inspect(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'float32' },
      ),
    ),
  ).toBe('Tensor(shape=[2, 2], dtype=float32) [[1, 2],\n [3, 4]]');
  expect(inspect(ad.scalar(-0))).toBe('Tensor(shape=[], dtype=float64) 0');
  expect(inspect({ w: tensor([1 / 3]) })).toBe('{ w: Tensor(shape=[1], dtype=float64) [0.333333] }');
  const big = inspect(ad.arange(2000));
  expect(big).toBe('Tensor(shape=[2000], dtype=float64) [0, 1, 2, …, 1997, 1998, 1999]');
  expect(inspect(x)).not.toMatch(/_visit|inputs|attrs/);
  // inside a transform the tensor says it is tracked
  let seen = '';
  grad((t: Tensor) => {
    seen = inspect(t);
    return f(t);
  })(x);
  expect(seen).toBe('Tensor(shape=[3], dtype=float64, tracked) [0.3, -0.7, 1.1]');
});
