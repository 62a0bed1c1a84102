/**
 * mathjs's symbolic `derivative` as an independent oracle: scalar expressions differentiated to
 * 3rd order by mathjs and by the engine (grad∘grad∘grad), compared in float64.
 */
import { derivative, type MathNode, parse } from 'mathjs';
import * as ad from '../src';
import { grad, scalar, type Tensor } from '../src';

interface Expr {
  /** mathjs syntax in x */
  src: string;
  fn: (x: Tensor) => Tensor;
  points: number[];
}

const MIXED = [-1.3, -0.4, 0.3, 0.9, 1.7];
const POSITIVE = [0.3, 0.8, 1.5, 2.6];

const EXPRS: Expr[] = [
  { src: 'tanh(x)', fn: ad.tanh, points: MIXED },
  { src: 'exp(x)', fn: ad.exp, points: MIXED },
  { src: 'log(x)', fn: ad.log, points: POSITIVE },
  { src: '1 / (1 + exp(-x))', fn: ad.sigmoid, points: MIXED },
  { src: 'log(1 + exp(x))', fn: ad.softplus, points: MIXED },
  { src: 'x^3', fn: (x) => ad.pow(x, 3), points: MIXED },
  { src: 'x^2.5', fn: (x) => ad.pow(x, 2.5), points: POSITIVE },
  { src: '2^x', fn: (x) => ad.pow(2, x), points: MIXED },
  { src: 'x^x', fn: (x) => ad.pow(x, x), points: POSITIVE },
  { src: 'sqrt(x)', fn: ad.sqrt, points: POSITIVE },
  { src: 'sin(x) * cos(x)', fn: (x) => ad.mul(ad.sin(x), ad.cos(x)), points: MIXED },
  { src: 'sin(x^2)', fn: (x) => ad.sin(ad.square(x)), points: MIXED },
  { src: 'tanh(exp(x) / 3)', fn: (x) => ad.tanh(ad.div(ad.exp(x), 3)), points: MIXED },
  { src: 'x * tanh(x)^2', fn: (x) => ad.mul(x, ad.square(ad.tanh(x))), points: MIXED },
  { src: 'exp(sin(x)) * x', fn: (x) => ad.mul(ad.exp(ad.sin(x)), x), points: MIXED },
  { src: 'log(1 + x^2)', fn: (x) => ad.log1p(ad.square(x)), points: MIXED },
  { src: '(x^2 + 1) / (x + 3)', fn: (x) => ad.div(ad.add(ad.square(x), 1), ad.add(x, 3)), points: MIXED },
  { src: 'exp(x) - 1', fn: ad.expm1, points: MIXED },
  { src: 'tanh(tanh(tanh(x)))', fn: (x) => ad.tanh(ad.tanh(ad.tanh(x))), points: MIXED },
  {
    src: 'exp(-x^2 / 2) * cos(3 * x)',
    fn: (x) => ad.mul(ad.exp(ad.div(ad.neg(ad.square(x)), 2)), ad.cos(ad.mul(x, 3))),
    points: MIXED,
  },
  {
    src: '1 / (1 + exp(-(x * tanh(x))))',
    fn: (x) => ad.sigmoid(ad.mul(x, ad.tanh(x))),
    points: MIXED,
  },
];

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-10 * Math.max(1, Math.abs(b));

describe.each(EXPRS)('$src', ({ src, fn, points }) => {
  const nodes: MathNode[] = [parse(src)];
  for (let k = 1; k <= 3; k++) nodes.push(derivative(nodes[k - 1], 'x', { simplify: false }));
  const engine: ((x: Tensor) => Tensor)[] = [fn, grad(fn), grad(grad(fn)), grad(grad(grad(fn)))];

  test.each([0, 1, 2, 3])('order %i agrees with mathjs at every point', (k) => {
    for (const p of points) {
      const expected = nodes[k].evaluate({ x: p }) as number;
      const actual = engine[k](scalar(p)).item();
      if (!close(actual, expected))
        throw new Error(`d^${k}/dx^${k} ${src} at x = ${p}: engine ${actual}, mathjs ${expected}`);
    }
  });
});

test('the oracle catches a wrong expression (sanity of the comparison)', () => {
  const wrong = derivative(parse('x^3'), 'x');
  const actual = grad((x: Tensor) => ad.pow(x, 3.0001))(scalar(1.5)).item();
  expect(close(actual, wrong.evaluate({ x: 1.5 }) as number)).toBe(false);
});
