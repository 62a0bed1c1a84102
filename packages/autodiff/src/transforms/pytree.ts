import { scalar } from '../creation';
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';

/** Nested arrays and plain objects whose leaves are tensors (e.g. a policy's parameter record). */
export type PyTree =
  | Tensor
  | number
  | null
  | undefined
  | readonly PyTree[]
  | { readonly [key: string]: PyTree };

export interface Flat {
  leaves: Tensor[];
  /** Each leaf's path from the root ('' for the root itself, else like `[0].w`), for error messages. */
  paths: string[];
  /** Rebuild the same structure around new leaves. */
  unflatten: (leaves: readonly Tensor[]) => unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Rebuild a pytree that is a single tensor. */
export const unflattenSingle = (ls: readonly Tensor[]): Tensor => {
  if (ls.length !== 1) throw new ArgumentError(`pytree: expected 1 leaf, got ${ls.length}`);
  return ls[0];
};

/** Flatten a pytree in a fixed order (arrays by index, objects by insertion order of keys). */
export function flattenTree(tree: unknown, where = 'pytree'): Flat {
  if (tree instanceof Tensor) return { leaves: [tree], paths: [''], unflatten: unflattenSingle };
  const leaves: Tensor[] = [];
  const paths: string[] = [];
  const walk = (node: unknown, path: string): ((it: { i: number }, ls: readonly Tensor[]) => unknown) => {
    if (node instanceof Tensor || typeof node === 'number') {
      leaves.push(node instanceof Tensor ? node : scalar(node));
      paths.push(path);
      return (it, ls) => ls[it.i++];
    }
    if (node === null || node === undefined) return () => node;
    if (Array.isArray(node)) {
      const kids = node.map((c, i) => walk(c, `${path}[${i}]`));
      return (it, ls) => kids.map((k) => k(it, ls));
    }
    if (isPlainObject(node)) {
      const keys = Object.keys(node);
      const kids = keys.map((k) => walk(node[k], `${path}.${k}`));
      return (it, ls) => {
        const out: Record<string, unknown> = {};
        keys.forEach((k, j) => {
          out[k] = kids[j](it, ls);
        });
        return out;
      };
    }
    throw new ArgumentError(
      `${where}: leaf at ${path} is a ${typeof node}; expected tensors (or numbers) in nested arrays and plain objects`,
    );
  };
  const build = walk(tree, '');
  const count = leaves.length;
  return {
    leaves,
    paths,
    unflatten: (ls) => {
      if (ls.length !== count)
        throw new ArgumentError(`${where}: expected ${count} leaves, got ${ls.length}`);
      return build({ i: 0 }, ls);
    },
  };
}

/** Apply `fn` to every tensor leaf, keeping the structure. */
export function mapTree<T>(tree: T, fn: (x: Tensor) => Tensor): T {
  if (tree instanceof Tensor) return fn(tree) as T;
  const f = flattenTree(tree);
  return f.unflatten(f.leaves.map(fn)) as T;
}

export function treeLeaves(tree: unknown): Tensor[] {
  return flattenTree(tree).leaves;
}
