/**
 * Errors and argument checks shared by every environment. Messages always name the parameter,
 * the value received and what was expected, so a CLI user can fix a flag without reading code.
 */

/** Bad configuration: options, task parameters, MDP files. */
export class EnvConfigError extends RangeError {
  override name = 'EnvConfigError';
}

/** A bad action handed to `step` (wrong shape, NaN/infinite, out of a discrete range). */
export class ActionError extends RangeError {
  override name = 'ActionError';
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function configError(param: string, value: unknown, expected: string): EnvConfigError {
  return new EnvConfigError(`${param}: expected ${expected}, got ${show(value)}`);
}

/** An integer >= min (and <= max when given). */
export function checkInt(param: string, v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw configError(param, v, range);
  }
  return v;
}

/** A finite number in [min, max]. */
export function checkNumber(param: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    let range = 'a finite number';
    if (min > -Infinity && max < Infinity) range = `a finite number in [${min}, ${max}]`;
    else if (min > -Infinity) range = `a finite number >= ${min}`;
    else if (max < Infinity) range = `a finite number <= ${max}`;
    throw configError(param, v, range);
  }
  return v;
}

/** A finite number > min. */
export function checkPositive(param: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > min)) {
    throw configError(param, v, `a finite number > ${min}`);
  }
  return v;
}

export function checkBoolean(param: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw configError(param, v, 'true or false');
  return v;
}

export function checkOneOf<T extends string>(param: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw configError(param, v, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  return v as T;
}
