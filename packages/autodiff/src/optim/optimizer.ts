import { allocate, type FloatArray } from '../dtype';
import { ArgumentError, fmtShape, ShapeError } from '../errors';
import { Tensor } from '../tensor';
import { flattenTree, type PyTree } from '../transforms/pytree';

/** An optimiser's checkpointable state: its step count and named state buffers. */
export interface OptimizerState {
  steps: number;
  buffers: Record<string, Float64Array>;
}

/**
 * What Adam and Sgd share: state over a flat index space of all parameter elements (a pytree's
 * leaves in `flattenTree` order, one after another), and two ways to step it:
 * - `step(params, grads)`: pure over pytrees of tensors, returns new parameters;
 * - `stepInPlace(params, grads)`: a flat Float64Array updated in place.
 * Both run the same per-element arithmetic. Steps are outside the graph (not differentiable)
 * and deterministic.
 */
export abstract class Optimizer {
  /** Number of parameter elements the state covers. */
  readonly size: number;
  private steps = 0;

  /** `params`: the parameter pytree (its element count sizes the state), or that count. */
  constructor(params: PyTree | number, where: string) {
    if (typeof params === 'number') {
      if (!Number.isInteger(params) || params < 0)
        throw new ArgumentError(`${where}: size = ${params}, expected a whole number ≥ 0`);
      this.size = params;
    } else {
      this.size = flattenTree(params, `${where}: params`).leaves.reduce((n, t) => n + t.size, 0);
    }
  }

  /** How many steps have been taken. */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Everything the next steps depend on (step count and moment buffers), as copies, so a
   * checkpoint can restore the optimiser bit-exactly with `loadState`.
   */
  state(): OptimizerState {
    const buffers: Record<string, Float64Array> = {};
    for (const [name, b] of Object.entries(this.buffers())) buffers[name] = Float64Array.from(b);
    return { steps: this.steps, buffers };
  }

  /** Restore a `state()` taken from an optimiser of the same kind and size. */
  loadState(s: OptimizerState): void {
    const where = `${this.constructor.name}.loadState`;
    if (!Number.isInteger(s.steps) || s.steps < 0)
      throw new ArgumentError(`${where}: steps = ${s.steps}, expected a whole number ≥ 0`);
    const own = this.buffers();
    for (const [name, b] of Object.entries(own)) {
      const given = s.buffers[name];
      if (given === undefined || given.length !== b.length)
        throw new ArgumentError(
          `${where}: buffer ${name}: expected ${b.length} numbers, got ${given === undefined ? 'none' : given.length}`,
        );
      b.set(given);
    }
    this.steps = s.steps;
    this.begin(s.steps);
  }

  /** The optimiser's state buffers, by name (the live arrays). */
  protected abstract buffers(): Record<string, Float64Array>;

  /** New parameters one step along `grads` (same structure and leaf sizes as `params`). */
  step<P extends PyTree>(params: P, grads: P): P {
    const where = this.constructor.name;
    const p = flattenTree(params, `${where}.step: params`);
    const g = flattenTree(grads, `${where}.step: grads`).leaves;
    if (g.length !== p.leaves.length)
      throw new ArgumentError(`${where}.step: grads have ${g.length} leaves, params ${p.leaves.length}`);
    let total = 0;
    p.leaves.forEach((t, i) => {
      if (g[i].size !== t.size)
        throw new ShapeError(
          `${where}.step: grad ${fmtShape(g[i].shape)} does not match param ${fmtShape(t.shape)} (leaf ${i})`,
        );
      total += t.size;
    });
    this.checkSize(total, `${where}.step`);
    this.begin(++this.steps);
    let offset = 0;
    const next = p.leaves.map((t, i) => {
      const data = allocate(t.dtype, t.size);
      data.set(t.data);
      this.update(data, g[i].data, offset);
      offset += t.size;
      return new Tensor(data, t.shape, t.size);
    });
    return p.unflatten(next) as P;
  }

  /** params ← one step along `grads`, in place, over the flat parameter vector. */
  stepInPlace(params: Float64Array, grads: ArrayLike<number>): void {
    const where = `${this.constructor.name}.stepInPlace`;
    if (grads.length !== params.length)
      throw new ArgumentError(`${where}: ${params.length} params but ${grads.length} grads`);
    this.checkSize(params.length, where);
    this.begin(++this.steps);
    this.update(params, grads, 0);
  }

  private checkSize(n: number, where: string): void {
    if (n !== this.size)
      throw new ArgumentError(`${where}: ${n} parameter elements, the optimiser was built for ${this.size}`);
  }

  /** Called once per step (1-based) before the updates, e.g. for bias corrections. */
  protected abstract begin(step: number): void;

  /** Update the elements `p` (in place) given `g`; they sit at `offset` in the state. */
  protected abstract update(p: FloatArray, g: ArrayLike<number>, offset: number): void;
}

/** Validate an option: a finite number satisfying `ok`. */
export function option(
  where: string,
  name: string,
  value: number,
  ok: (v: number) => boolean,
  expected: string,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))
    throw new ArgumentError(`${where}: ${name} = ${value}, expected ${expected}`);
  return value;
}
