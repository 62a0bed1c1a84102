/** A user error on the command line: printed as one line, exit code 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const show = (v: string) => JSON.stringify(v);

/**
 * Decimal notation only: Number() also reads "0x10", "0o17", "0b11" and " 12 ", which would make
 * `--repeats 0x10` silently mean 16. Exponents are decimal, so "1e3" is accepted (as 1000).
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number a decimal literal denotes, or NaN for anything else (hex, octal, binary, blanks). */
export function decimal(value: string): number {
  return DECIMAL.test(value) ? Number(value) : Number.NaN;
}

/** Why a value was refused, beyond the range: a non-decimal literal or an integer a double cannot hold. */
function why(value: string): string {
  const v = value.trim();
  if (/^[+-]?0[xob]/i.test(v)) return ' (write numbers in decimal)';
  const n = Number(v);
  if (DECIMAL.test(v) && Number.isInteger(n) && !Number.isSafeInteger(n))
    return ' (integers above 2^53 - 1 = 9007199254740991 are not exact in a double)';
  return '';
}

/**
 * An integer in [min, max] written in decimal ("1e3" counts, as it is exactly 1000). Above 2⁵³ a
 * double no longer holds every integer (9007199254740993 reads as …992), so those are refused.
 */
export function parseIntOption(
  option: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = decimal(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new CliError(`${option}: expected an integer ${range}, got ${show(value)}${why(value)}`);
  }
  return n;
}

export function parseNumberOption(
  option: string,
  value: string,
  check?: { min?: number; max?: number; open?: boolean },
): number {
  const n = decimal(value);
  const { min = -Infinity, max = Infinity, open = false } = check ?? {};
  const ok = Number.isFinite(n) && (open ? n > min && n < max : n >= min && n <= max);
  if (!ok) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : `a number in ${open ? '(' : '['}${min}, ${max}${open ? ')' : ']'}`;
    throw new CliError(`${option}: expected ${range}, got ${show(value)}${why(value)}`);
  }
  return n;
}

export function parseIntList(option: string, value: string, min: number): number[] {
  const what = `a comma-separated list of integers >= ${min}`;
  const parts = value.split(',');
  if (parts.some((p) => p.trim() === ''))
    throw new CliError(`${option}: expected ${what}, got ${show(value)}`);
  return parts.map((p) => {
    const n = decimal(p.trim());
    if (!Number.isSafeInteger(n) || n < min)
      throw new CliError(`${option}: expected ${what}, got ${show(value)} (bad entry ${show(p)})${why(p)}`);
    return n;
  });
}

export function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new CliError(`${option}: expected one of ${choices.join(', ')}, got ${show(value)}`);
  return value as T;
}

/** A comma-separated list of choices, each at most once. */
export function parseChoiceList<T extends string>(option: string, value: string, choices: readonly T[]): T[] {
  const names = value.split(',').map((s) => parseChoice(option, s.trim(), choices));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw new CliError(`${option}: expected each name once, got ${show(twice)} twice in ${show(value)}`);
  return names;
}
