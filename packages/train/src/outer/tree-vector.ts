import { flattenTree, type PyTree, type Tensor, tensor } from '@metagrad/autodiff';

/** All leaves of a pytree, in flattenTree's order, as one float64 vector. */
export function treeToVector(tree: unknown, where = 'pytree'): Float64Array {
  const leaves = flattenTree(tree, where).leaves;
  const out = new Float64Array(leaves.reduce((n, l) => n + l.size, 0));
  let k = 0;
  for (const l of leaves) {
    out.set(l.data, k);
    k += l.size;
  }
  return out;
}

/** A pytree shaped like `like` whose leaves are `base + scale · v` (base defaults to zeros). */
export function vectorToTree<P extends PyTree>(like: P, v: Float64Array, scale = 1, base?: P): P {
  const f = flattenTree(like);
  const total = f.leaves.reduce((n, l) => n + l.size, 0);
  if (v.length !== total) throw new RangeError(`vectorToTree: v: expected ${total} entries, got ${v.length}`);
  const baseLeaves = base === undefined ? null : flattenTree(base).leaves;
  let k = 0;
  const leaves = f.leaves.map((l: Tensor, i) => {
    const data = new Float64Array(l.size);
    const b = baseLeaves?.[i].data;
    for (let j = 0; j < l.size; j++) data[j] = (b ? b[j] : 0) + scale * v[k + j];
    k += l.size;
    return tensor(data, { shape: l.shape.slice(), dtype: l.dtype });
  });
  return f.unflatten(leaves) as P;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

export function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Throw a RangeError naming `name` unless `value` is finite and within [min, max]. */
export function checkOption(
  where: string,
  name: string,
  value: number,
  {
    min = Number.NEGATIVE_INFINITY,
    max = Number.POSITIVE_INFINITY,
    integer = false,
    minExclusive = false,
  } = {},
): number {
  const ok =
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const lo = Number.isFinite(min) ? `${minExclusive ? '>' : '>='} ${min}` : '';
    const hi = Number.isFinite(max) ? `<= ${max}` : '';
    const range = [lo, hi].filter(Boolean).join(' and ');
    throw new RangeError(
      `${where}: ${name}: expected ${integer ? 'an integer' : 'a finite number'}${range ? ` ${range}` : ''}, got ${value}`,
    );
  }
  return value;
}
