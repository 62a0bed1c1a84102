/**
 * Errors that teach: shape mismatches name the op and both shapes, grad of a non-scalar says
 * so, tangents and directions must match their primal leaf, finite-check mode names the first
 * op that saw or made NaN/Inf, and bad arguments raise at once naming the op, the argument and
 * the value.
 */
import * as ad from '../src';
import {
  ArgumentError,
  getFiniteCheck,
  grad,
  hvp,
  NonFiniteError,
  ShapeError,
  setFiniteCheck,
  type Tensor,
  tensor,
} from '../src';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('shape mismatches name the op and both shapes', () => {
  test.each([
    ['add', () => ad.add(ad.zeros([2, 3]), ad.zeros([4])), /add: shapes \[2, 3\] and \[4\]/],
    ['mul', () => ad.mul(ad.zeros([3, 1]), ad.zeros([2, 2])), /mul: shapes \[3, 1\] and \[2, 2\]/],
    ['where', () => ad.where(ad.ones([3]), ad.zeros([2]), 0), /where: shapes \[3\] and \[2\]/],
    ['matmul inner', () => ad.matmul(ad.zeros([2, 3]), ad.zeros([4, 5])), /matmul: .*\[2, 3\].*\[4, 5\]/],
    [
      'matmul batch',
      () => ad.matmul(ad.zeros([2, 3, 4]), ad.zeros([3, 4, 5])),
      /matmul: shapes \[2\] and \[3\]/,
    ],
    ['broadcastTo', () => ad.broadcastTo(ad.zeros([3]), [2, 4]), /broadcastTo: .*\[3\].*\[2, 4\]/],
    ['reshape', () => ad.reshape(ad.zeros([2, 3]), [4, 2]), /reshape: .*\[2, 3\].*\[4, 2\]/],
    ['concat', () => ad.concat([ad.zeros([2, 3]), ad.zeros([2, 4])], 0), /concat: shapes \[2, 3\], \[2, 4\]/],
    ['stack', () => ad.stack([ad.zeros([2]), ad.zeros([3])]), /stack: shapes \[2\], \[3\]/],
    ['dot', () => ad.dot(ad.zeros([2]), ad.zeros([3])), /dot: .*2.*3/],
    ['solve', () => ad.solve(ad.eye(2), ad.zeros([3])), /solve: .*\[2, 2\].*\[3\]/],
    ['squeeze', () => ad.squeeze(ad.zeros([2, 3]), 1), /squeeze: axis 1 of \[2, 3\] has size 3/],
    [
      'takeAlongAxis',
      () => ad.takeAlongAxis(ad.zeros([2, 3]), tensor([0, 1]), 1),
      /takeAlongAxis: .*\[2\].*\[2, 3\]/,
    ],
    [
      'categoricalLogProb',
      () => ad.categoricalLogProb(ad.zeros([2, 3]), [0, 1, 2]),
      /categoricalLogProb: .*\[3\].*\[2\]/,
    ],
  ])('%s', (_name, fn, message) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.name).toBe('ShapeError');
    expect(e.message).toMatch(message);
  });

  test('a mismatch inside a derivative still names the op', () => {
    expect(() => grad((x: Tensor) => ad.sum(ad.add(x, ad.zeros([4]))))(ad.zeros([3]))).toThrow(
      /add: shapes \[3\] and \[4\]/,
    );
  });
});

describe('transforms say what they expected', () => {
  test('grad of a non-scalar function says so and names the shape', () => {
    const e = thrown(() => grad((x: Tensor) => ad.mul(x, 2))(ad.ones([3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/must return a scalar.*\[3\]/);
  });

  // tangents, cotangents and directions pair with the primal leaf element by element: a leaf of
  // another shape (even of the same size) would be read in the wrong order, so shapes and dtypes
  // must match leaf by leaf, and the error names the leaf
  const cube = (x: Tensor) => ad.sum(ad.mul(ad.mul(x, x), x));
  const g23 = (x: Tensor) => ad.sum(ad.mul(ad.square(x), ad.arange(6).reshape([2, 3])));
  const tree = (p: { w: Tensor; b: Tensor }) => ad.add(ad.sum(ad.square(p.w)), ad.sum(p.b));
  const p0 = { w: ad.ones([2]), b: ad.ones([3]) };
  test.each([
    [
      'hvp v [3, 1] for x [3]',
      () => hvp(cube, ad.ones([3]), ad.ones([3, 1])),
      /hvp: v has shape \[3, 1\], expected \[3\] \(the shape of x, leaf 0\)/,
    ],
    [
      'hvp v [1, 3] for x [3]',
      () => hvp(cube, ad.ones([3]), ad.ones([1, 3])),
      /hvp: v has shape \[1, 3\], expected \[3\]/,
    ],
    [
      'hvp v [1] for x [3]',
      () => hvp(cube, ad.ones([3]), ad.ones([1])),
      /hvp: v has shape \[1\], expected \[3\]/,
    ],
    [
      'hvp v [3, 2] for x [2, 3]',
      () => hvp(g23, ad.ones([2, 3]), ad.ones([3, 2])),
      /hvp: v has shape \[3, 2\], expected \[2, 3\]/,
    ],
    [
      'hvp pytree leaf named by its path',
      () => hvp(tree, p0, { w: ad.ones([2]), b: ad.ones([3, 1]) }),
      /hvp: v\.b has shape \[3, 1\], expected \[3\] \(the shape of x\.b, leaf 1\)/,
    ],
    [
      'jvp tangent [3, 1] for primal [3]',
      () => ad.jvp((x: Tensor) => x, [ad.ones([3])], [ad.ones([3, 1])]),
      /jvp: tangents\[0\] has shape \[3, 1\], expected \[3\] \(the shape of primals\[0\], leaf 0\)/,
    ],
    [
      'jvp tangent of the wrong size',
      () => ad.jvp((x: Tensor) => x, [ad.ones([3])], [ad.ones([2])]),
      /jvp: tangents\[0\] has shape \[2\], expected \[3\]/,
    ],
    [
      'jvp second argument, pytree leaf',
      () =>
        ad.jvp(
          (a: Tensor, p: { w: Tensor; b: Tensor }) => ad.add(a, tree(p)),
          [ad.ones([1]), p0],
          [ad.ones([1]), { w: ad.ones([1, 2]), b: ad.ones([3]) }],
        ),
      /jvp: tangents\[1\]\.w has shape \[1, 2\], expected \[2\] \(the shape of primals\[1\]\.w, leaf 1\)/,
    ],
    [
      'vjp cotangent [1, 3] for output [3]',
      () => ad.vjp((x: Tensor) => ad.exp(x), ad.ones([3]))[1](ad.ones([1, 3])),
      /vjp: cotangent has shape \[1, 3\], expected \[3\] \(the shape of output, leaf 0\)/,
    ],
    [
      'vjp cotangent leaf of a pytree output',
      () => ad.vjp((x: Tensor) => [x, ad.exp(x)], ad.ones([2]))[1]([ad.ones([2]), ad.ones([2, 1])]),
      /vjp: cotangent\[1\] has shape \[2, 1\], expected \[2\] \(the shape of output\[1\], leaf 1\)/,
    ],
    [
      'hvp v of another dtype',
      () => hvp(cube, ad.ones([3]), ad.ones([3], 'float32')),
      /hvp: v has dtype float32, expected float64/,
    ],
    [
      'jvp tangent of another dtype',
      () => ad.jvp((x: Tensor) => x, [ad.ones([2], 'float32')], [ad.ones([2])]),
      /jvp: tangents\[0\] has dtype float64, expected float32/,
    ],
    ['hvp leaf count', () => hvp(tree, p0, { w: ad.ones([2]) } as never), /hvp: v has 1 leaves, x has 2/],
  ])('%s', (_name, fn, message) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toMatch(message);
  });

  test('shape errors are ShapeErrors, dtype and count errors ArgumentErrors', () => {
    expect(thrown(() => hvp(cube, ad.ones([3]), ad.ones([3, 1])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => hvp(cube, ad.ones([3]), ad.ones([3], 'float32')))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => hvp(tree, p0, { w: ad.ones([2]) } as never))).toBeInstanceOf(ArgumentError);
  });

  test('hvp on a 2-d x with a matching v gives the right product', () => {
    // H = diag(2·c) for Σ c·x², so H·v = 2·c·v elementwise, in x's own layout
    const v = ad.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(hvp(g23, ad.ones([2, 3]), v).toArray()).toEqual([
      [0, 4, 12],
      [24, 40, 60],
    ]);
  });

  test('hvp of a non-scalar function says so', () => {
    expect(() => hvp((x: Tensor) => ad.exp(x), ad.ones([2]), ad.ones([2]))).toThrow(
      /hvp: f must return a scalar/,
    );
  });

  test('grad of a function that returns a non-tensor', () => {
    expect(() => grad((_x: Tensor) => 3 as unknown as Tensor)(ad.ones([1]))).toThrow(
      /must return a Tensor, got number/,
    );
  });

  test('argnums out of range', () => {
    expect(() => grad((x: Tensor) => ad.sum(x), { argnums: 2 })(ad.ones([1]))).toThrow(
      /argnums 2 out of range for 1 argument/,
    );
  });

  test('hasAux without a pair', () => {
    expect(() => grad((x: Tensor) => ad.sum(x), { hasAux: true })(ad.ones([1]))).toThrow(ArgumentError);
  });
});

describe('arguments of the wrong kind name the op, the argument and the value', () => {
  const bad = (v: unknown): never => v as never;
  const x = ad.ones([2, 3]);
  test.each([
    // axes: a string used to fail as "list.map is not a function"
    [
      "sum axes '1'",
      () => ad.sum(x, bad('1')),
      ArgumentError,
      /sum: axes must be an integer, an array of integers or null \(every axis\), got the string '1'/,
    ],
    ['mean axes {}', () => ad.mean(x, bad({})), ArgumentError, /mean: axes must be .*, got the object \{\}/],
    [
      'max axes [0, "1"]',
      () => ad.max(x, bad([0, '1'])),
      ArgumentError,
      /max: axis must be an integer, got the string '1'/,
    ],
    [
      'logsumexp axes true',
      () => ad.logsumexp(x, bad(true)),
      ArgumentError,
      /logsumexp: axes must be .*, got true/,
    ],
    [
      "cumsum axis '0'",
      () => ad.cumsum(x, bad('0')),
      ArgumentError,
      /cumsum: axis must be an integer, got the string '0'/,
    ],
    [
      "softmax axis '1'",
      () => ad.softmax(x, bad('1')),
      ArgumentError,
      /softmax: axis must be an integer, got the string '1'/,
    ],
    // tensor operands: numbers and tensors only, nested arrays rejected by every op alike
    [
      "add(t, 'x')",
      () => ad.add(x, bad('x')),
      TypeError,
      /add: argument b is the string 'x'; expected a Tensor or a number/,
    ],
    [
      'add(t, [1, 2])',
      () => ad.add(x, bad([1, 2])),
      TypeError,
      /add: argument b is the array \[1,2\]; expected a Tensor or a number \(wrap arrays with tensor\(\)\)/,
    ],
    ['mul([1], t)', () => ad.mul(bad([1]), x), TypeError, /mul: argument a is the array \[1\]/],
    [
      'matmul nested array',
      () => ad.matmul(x, bad([[1], [2], [3]])),
      TypeError,
      /matmul: argument b is the array/,
    ],
    ['exp(null)', () => ad.exp(bad(null)), TypeError, /exp: argument x is null/],
    ['sum of an array', () => ad.sum(bad([1, 2])), TypeError, /sum: argument x is the array \[1,2\]/],
    [
      'greater with a string',
      () => ad.greater(x, bad('1')),
      TypeError,
      /greater: argument b is the string '1'/,
    ],
    [
      'where with an array branch',
      () => ad.where(tensor([1, 0]), bad([1, 2]), 0),
      TypeError,
      /where: argument a is the array/,
    ],
    [
      'concat with a string',
      () => ad.concat([x, bad('a')]),
      TypeError,
      /concat: argument xs\[1\] is the string 'a'/,
    ],
    [
      'gaussianLogProb mean',
      () => ad.gaussianLogProb(x, bad([0]), 0),
      TypeError,
      /gaussianLogProb: argument mean is the array \[0\]/,
    ],
    // transforms take a function
    ['grad(42)', () => grad(bad(42)), TypeError, /grad: f must be a function, got 42/],
    [
      'valueAndGrad of a string',
      () => ad.valueAndGrad(bad('f')),
      TypeError,
      /valueAndGrad: f must be a function, got the string 'f'/,
    ],
    ['jacobian(null)', () => ad.jacobian(bad(null)), TypeError, /jacobian: f must be a function, got null/],
    [
      'hessian of an object',
      () => ad.hessian(bad({})),
      TypeError,
      /hessian: f must be a function, got the object \{\}/,
    ],
    ['vjp(42)', () => ad.vjp(bad(42), x), TypeError, /vjp: f must be a function, got 42/],
    ['jvp(42)', () => ad.jvp(bad(42), [x], [x]), TypeError, /jvp: f must be a function, got 42/],
    ['hvp(42)', () => hvp(bad(42), x, x), TypeError, /hvp: f must be a function, got 42/],
    // tensor(): a non-number element is named (it used to be reported as "ragged")
    [
      "tensor([1, '2'])",
      () => tensor(bad([1, '2'])),
      ArgumentError,
      /tensor: element \[1\] is the string '2', expected a number/,
    ],
    [
      'tensor deep element',
      () =>
        tensor(
          bad([
            [1, 2],
            [3, null],
          ]),
        ),
      ArgumentError,
      /tensor: element \[1\]\[1\] is null, expected a number/,
    ],
    ["tensor(['a'])", () => tensor(bad(['a'])), ArgumentError, /tensor: element \[0\] is the string 'a'/],
    [
      "tensor('a')",
      () => tensor(bad('a')),
      ArgumentError,
      /tensor: values must be a number, nested arrays of numbers or a typed array, got the string 'a'/,
    ],
    [
      'tensor ragged length',
      () => tensor([[1], [2, 3]]),
      ShapeError,
      /tensor: ragged nested array: element \[1\] has length 2, expected 1/,
    ],
    [
      'tensor ragged depth',
      () => tensor(bad([1, [2]])),
      ShapeError,
      /tensor: ragged nested array: element \[1\] is an array, expected a number/,
    ],
    // creation: a shape too large to allocate is named (used to be a bare RangeError)
    [
      'zeros([1e10, 1e10])',
      () => ad.zeros([1e10, 1e10]),
      ArgumentError,
      /zeros: shape \[10000000000, 10000000000\] has \d+ elements \(\d+ bytes as float64\), more than can be allocated/,
    ],
    [
      'ones too large',
      () => ad.ones([2 ** 33], 'float32'),
      ArgumentError,
      /ones: shape \[8589934592\] has 8589934592 elements \(34359738368 bytes as float32\), more than can be allocated/,
    ],
    [
      'full too large',
      () => ad.full([1e6, 1e6, 1e6], 1),
      ArgumentError,
      /full: shape \[1000000, 1000000, 1000000\] .*more than can be allocated/,
    ],
    [
      'eye too large',
      () => ad.eye(1e6),
      ArgumentError,
      /eye: shape \[1000000, 1000000\] .*more than can be allocated/,
    ],
    [
      'arange too long',
      () => ad.arange(0, 1e12),
      ArgumentError,
      /arange: shape \[1000000000000\] .*more than can be allocated/,
    ],
    [
      'randomNormal too large',
      () => ad.randomNormal(new ad.Rng(0), [1e10, 1e10]),
      ArgumentError,
      /randomNormal: shape .*more than can be allocated/,
    ],
    [
      'randomUniform too large',
      () => ad.randomUniform(new ad.Rng(0), [1e10, 1e10]),
      ArgumentError,
      /randomUniform: shape .*more than can be allocated/,
    ],
    // ops that need an axis say so for a 0-d tensor (softmax used to say "expected -0..-1")
    [
      'softmax(scalar(3))',
      () => ad.softmax(ad.scalar(3)),
      ShapeError,
      /softmax: needs a tensor with at least one dimension .*got a 0-d tensor/,
    ],
    [
      'logSoftmax(scalar(3))',
      () => ad.logSoftmax(ad.scalar(3)),
      ShapeError,
      /logSoftmax: needs a tensor with at least one dimension/,
    ],
    [
      'cumsum(scalar(3))',
      () => ad.cumsum(ad.scalar(3)),
      ArgumentError,
      /cumsum: a 0-d tensor has no axis -1; this needs at least one dimension/,
    ],
    [
      'cumprod(scalar(3))',
      () => ad.cumprod(ad.scalar(3)),
      ArgumentError,
      /cumprod: a 0-d tensor has no axis -1/,
    ],
    ['sum(scalar(3), 0)', () => ad.sum(ad.scalar(3), 0), ArgumentError, /sum: a 0-d tensor has no axis 0/],
  ])('%s', (_name, fn, cls, message) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(cls);
    expect(e.message).toMatch(message);
  });

  test('the same ops still take numbers, tensors and the documented axis forms', () => {
    expect(ad.add(x, 1).toArray()).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
    expect(ad.sum(x, null).item()).toBe(6);
    expect(ad.sum(x, [0, -1]).item()).toBe(6);
    expect(ad.softmax(tensor([0])).item()).toBe(1);
    expect(ad.sum(ad.scalar(3), []).item()).toBe(3);
  });
});

describe('cumprod is differentiable at zeros (no division by x)', () => {
  const sumCumprod = (t: Tensor) => ad.sum(ad.cumprod(t));
  // Σ cumprod = x0 + x0 x1 + x0 x1 x2: ∂ = [1 + x1 + x1 x2, x0 + x0 x2, x0 x1]
  test.each([
    ['no zero', [1.5, -2, 2], [1 + -2 + -2 * 2, 1.5 + 1.5 * 2, 1.5 * -2]],
    ['one zero (used to raise UnsupportedDerivativeError)', [2, 0, 3], [1, 8, 0]],
    ['two zeros', [0, 0, 3], [1, 0, 0]],
  ])('%s', (_name, x, expected) => {
    expect(Array.from((grad(sumCumprod)(tensor(x)) as Tensor).data)).toEqual(expected);
  });

  test('second order at zeros: the Hessian of Σ cumprod at [2, 0, 3]', () => {
    // ∂²/∂x0∂x1 = 1 + x2, ∂²/∂x0∂x2 = x1, ∂²/∂x1∂x2 = x0; the diagonal is 0
    expect(
      ad
        .hessian(sumCumprod)(tensor([2, 0, 3]))
        .toArray(),
    ).toEqual([
      [0, 4, 0],
      [4, 0, 2],
      [0, 2, 0],
    ]);
  });
});

describe('finite-check mode names the first op that produced NaN or Inf', () => {
  afterEach(() => setFiniteCheck(false));

  test('log of a negative deep inside a function', () => {
    const f = (x: Tensor) => {
      const h = ad.tanh(ad.matmul(ad.reshape(x, [1, 3]), ad.eye(3)));
      const bad = ad.log(ad.sub(h, 0.5)); // tanh(0.1) − 0.5 < 0
      return ad.sum(ad.exp(ad.mul(bad, 2)));
    };
    const x = tensor([0.1, 2, 3]);
    // off: NaN propagates silently
    expect(Number.isNaN(f(x).item())).toBe(true);
    setFiniteCheck(true);
    expect(getFiniteCheck()).toBe(true);
    const e = thrown(() => f(x));
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e.message).toMatch(/op 'log' produced NaN at flat index 0/);
    // inside a transform too
    expect(() => grad(f)(x)).toThrow(/op 'log'/);
  });

  test('division by zero gives Inf and is named', () => {
    setFiniteCheck(true);
    expect(() => ad.div(ad.ones([2]), tensor([1, 0]))).toThrow(/op 'div' produced Infinity at flat index 1/);
  });

  test('an Inf in the backward pass is named too', () => {
    setFiniteCheck(true);
    // forward finite (sqrt(0) = 0), derivative 1 / (2·sqrt(0)) = Inf
    expect(() => grad((x: Tensor) => ad.sum(ad.sqrt(x)))(tensor([0, 1]))).toThrow(NonFiniteError);
  });

  // the first op to see a NaN/Inf is named even when it entered as an input (nothing produced it)
  test.each([
    [
      'sum of a NaN input',
      () => ad.sum(tensor([Number.NaN])),
      /op 'sum' got NaN at flat index 0 of input 0 \[1\]/,
    ],
    [
      'exp of an Inf input',
      () => ad.exp(tensor([1, Infinity])),
      /op 'exp' got Infinity at flat index 1 of input 0 \[2\]/,
    ],
    [
      'grad at a NaN point',
      () => grad((x: Tensor) => ad.sum(ad.square(x)))(tensor([1, Number.NaN])),
      /op 'square' got NaN at flat index 1 of input 0 \[2\]/,
    ],
    [
      'a NaN constant',
      () => ad.add(ad.ones([2]), Number.NaN),
      /op 'add' got NaN at flat index 0 of input 1 \[\]/,
    ],
    [
      'an Inf in matmul',
      () =>
        ad.matmul(
          ad.eye(2),
          tensor([
            [1, 2],
            [-Infinity, 0],
          ]),
        ),
      /op 'matmul' got -Infinity at flat index 2 of input 1 \[2, 2\]/,
    ],
    ['a comparison (no graph node)', () => ad.greater(tensor([Number.NaN]), 0), /op 'greater' got NaN/],
  ])('%s', (_name, fn, message) => {
    setFiniteCheck(true);
    const e = thrown(fn);
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e.message).toMatch(message);
  });

  test.each([
    ['a string', 'yes', /setFiniteCheck: on must be true or false, got the string 'yes'/],
    ['a number', 1, /setFiniteCheck: on must be true or false, got 1/],
    ['undefined', undefined, /setFiniteCheck: on must be true or false, got undefined/],
  ])('setFiniteCheck rejects %s and keeps the mode', (_name, value, message) => {
    const e = thrown(() => setFiniteCheck(value as unknown as boolean));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(message);
    expect(getFiniteCheck()).toBe(false);
  });

  test('the mode is off by default and switches off', () => {
    expect(getFiniteCheck()).toBe(false);
    expect(Number.isNaN(ad.log(-1).item())).toBe(true);
    // off: inputs are not scanned either
    expect(Number.isNaN(ad.sum(tensor([Number.NaN])).item())).toBe(true);
  });
});

describe('bad arguments raise immediately, naming the value', () => {
  test.each([
    [
      'axis out of range',
      () => ad.sum(ad.zeros([2, 3]), 2),
      /sum: axis 2 is out of range for a tensor of rank 2/,
    ],
    ['negative axis out of range', () => ad.cumsum(ad.zeros([2]), -2), /cumsum: axis -2/],
    ['non-integer axis', () => ad.softmax(ad.zeros([2]), 0.5), /axis 0.5/],
    ['repeated axis', () => ad.sum(ad.zeros([2, 3]), [1, -1]), /repeated axis/],
    ['negative size in zeros', () => ad.zeros([2, -1]), /zeros: shape \[2, -1\] has dimension -1/],
    ['negative size in ones', () => ad.ones([-2]), /ones: shape \[-2\] has dimension -2/],
    ['non-integer size in full', () => ad.full([1.5], 0), /full: .*dimension 1.5/],
    ['negative eye', () => ad.eye(-3), /eye: n must be a non-negative integer, got -3/],
    ['reshape with a bad dimension', () => ad.reshape(ad.zeros([4]), [2, -2]), /reshape: bad dimension -2/],
    [
      'reshape with two -1',
      () => ad.reshape(ad.zeros([6]), [-1, -1]),
      /reshape: only one dimension may be -1, got \[-1, -1\]/,
    ],
    [
      'non-integer index',
      () => ad.take(ad.zeros([3]), [0, 1.5]),
      /take: index 1.5 at position 1 is not an integer/,
    ],
    ['index out of range', () => ad.take(ad.zeros([3]), [3]), /take: index 3 .* \[-3, 3\)/],
    ['negative index out of range', () => ad.gather(ad.zeros([3, 2]), [-4]), /index -4/],
    [
      'takeAlongAxis index out of range',
      () => ad.takeAlongAxis(ad.zeros([2, 3]), tensor([[0], [3]]), 1),
      /index 3/,
    ],
    ['categorical action out of range', () => ad.categoricalLogProb(ad.zeros([2, 3]), [0, 5]), /index 5/],
    ['oneHot depth', () => ad.oneHot([0], 0), /oneHot: depth must be a positive integer, got 0/],
    ['oneHot index', () => ad.oneHot([2.5], 3), /index 2.5/],
    ['clip bounds', () => ad.clip(ad.zeros([1]), 1, 0), /clip: need lo <= hi, got lo=1, hi=0/],
    ['slice begin', () => ad.slice(ad.zeros([3]), [4]), /slice: begin\[0\] = 4/],
    ['slice size', () => ad.slice(ad.zeros([3]), [1], [5]), /slice: size\[0\] = 5/],
    ['permute', () => ad.permute(ad.zeros([2, 3]), [0, 0]), /permute: \[0,0\] is not a permutation/],
    ['expandDims axis', () => ad.expandDims(ad.zeros([2]), 3), /expandDims: axis 3/],
    ['arange step 0', () => ad.arange(0, 1, 0), /arange: .*step non-zero/],
    ['singular solve', () => ad.solve(ad.zeros([2, 2]), ad.ones([2])), /solve: .*singular/],
    ['Rng.int of zero', () => new ad.Rng(0).int(0), /int: n must be an integer in \[1, 2\^32\], got 0/],
    // used to loop forever: no 32-bit draw is below the rejection limit 0
    ['Rng.int above 2^32', () => new ad.Rng(0).int(2 ** 33), /int: .*got 8589934592/],
  ])('%s', (_name, fn, message) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(RangeError); // ArgumentError is a RangeError
    expect(e.message).toMatch(message);
  });

  test('errors are raised before any work, not later in a derivative', () => {
    // the index check fires on the forward call even inside a transform
    expect(() => grad((x: Tensor) => ad.sum(ad.take(x, [7])))(ad.zeros([3]))).toThrow(ArgumentError);
  });
});
