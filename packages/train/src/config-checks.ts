/**
 * The field checks that configuration schemas are built from (meta-RL, supervised): each names
 * the field, the value and what was expected, so a bad preset or flag says exactly what to fix.
 */

/** A configuration error: names the field, the value and what was expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A value as an error message shows it. */
export const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** Throws a ConfigError naming `key` unless `v` is acceptable. */
export type Check = (key: string, v: unknown) => void;

export const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (key, v) => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max))
      throw new ConfigError(`${key}: expected an integer in [${min}, ${max}], got ${show(v)}`);
  };

/** A finite number in [min, max], or (min, max] when `open`. */
export const num =
  (min: number, max: number, open = false): Check =>
  (key, v) => {
    const ok =
      typeof v === 'number' && Number.isFinite(v) && (open ? v > min && v <= max : v >= min && v <= max);
    if (!ok)
      throw new ConfigError(
        `${key}: expected a number in ${open ? '(' : '['}${min}, ${max}], got ${show(v)}`,
      );
  };

export const oneOf =
  (values: readonly string[]): Check =>
  (key, v) => {
    if (typeof v !== 'string' || !values.includes(v))
      throw new ConfigError(`${key}: expected one of ${values.join(', ')}, got ${show(v)}`);
  };

export const bool: Check = (key, v) => {
  if (typeof v !== 'boolean') throw new ConfigError(`${key}: expected true or false, got ${show(v)}`);
};

export const nullable =
  (check: Check): Check =>
  (key, v) => {
    if (v !== null) check(key, v);
  };

/** Hidden-layer widths: integers in [1, 4096]; `nonEmpty` when the model needs a hidden layer. */
export const layerWidths =
  (nonEmpty: boolean): Check =>
  (key, v) => {
    if (
      !Array.isArray(v) ||
      (nonEmpty && v.length === 0) ||
      v.some((h) => !(Number.isInteger(h) && h >= 1 && h <= 4096))
    )
      throw new ConfigError(
        `${key}: expected a ${nonEmpty ? 'non-empty ' : ''}list of layer widths (integers in [1, 4096]), got ${show(v)}`,
      );
  };
