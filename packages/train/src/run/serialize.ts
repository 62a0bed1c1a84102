import { type PyTree, Tensor, tensor } from '@metagrad/autodiff';

/**
 * Pytrees as JSON that round-trips every bit: a tensor becomes {"shape", "float64"} with its data
 * as base64 of the little-endian IEEE-754 bytes (decimal JSON numbers would turn −0 into 0, and
 * the run's resume promise is bit-identical weights).
 */
export interface TensorJson {
  shape: number[];
  float64: string;
}

export type PyTreeJson = TensorJson | number | null | PyTreeJson[] | { [key: string]: PyTreeJson };

export function float64ToBase64(data: ArrayLike<number>): string {
  const a = Float64Array.from(data);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToFloat64(s: string, where: string): Float64Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.length % 8 !== 0)
    throw new RangeError(`${where}: expected base64 of float64 values, got ${buf.length} bytes`);
  const out = new Float64Array(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

export function treeToJson(tree: PyTree): PyTreeJson {
  if (tree instanceof Tensor) return { shape: [...tree.shape], float64: float64ToBase64(tree.data) };
  if (tree === null || tree === undefined) return null;
  if (typeof tree === 'number') return tree;
  if (Array.isArray(tree)) return tree.map((x) => treeToJson(x as PyTree));
  const out: Record<string, PyTreeJson> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = treeToJson(v as PyTree);
  return out;
}

const isTensorJson = (x: unknown): x is TensorJson =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && 'float64' in x && 'shape' in x;

export function treeFromJson(json: unknown, where = 'params'): PyTree {
  if (isTensorJson(json)) {
    const { shape } = json;
    if (!Array.isArray(shape) || shape.some((d) => !(Number.isInteger(d) && d >= 0)))
      throw new RangeError(
        `${where}.shape: expected a list of non-negative integers, got ${JSON.stringify(shape)}`,
      );
    const data = base64ToFloat64(json.float64, `${where}.float64`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size)
      throw new RangeError(`${where}: expected ${size} values for shape [${shape}], got ${data.length}`);
    // training stops before a non-finite state is ever saved: one here means a damaged file
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new RangeError(`${where}: value ${bad} is ${data[bad]}, expected finite numbers`);
    return tensor(data, { shape });
  }
  if (json === null || typeof json === 'number') return json;
  if (Array.isArray(json)) return json.map((x, i) => treeFromJson(x, `${where}[${i}]`));
  if (typeof json === 'object') {
    const out: Record<string, PyTree> = {};
    for (const [k, v] of Object.entries(json as object)) out[k] = treeFromJson(v, `${where}.${k}`);
    return out;
  }
  throw new RangeError(
    `${where}: expected tensors in nested objects and arrays, got ${JSON.stringify(json)}`,
  );
}
