/** Exit code of a command whose results are not all finite (its outputs are written anyway). */
export const EXIT_NON_FINITE = 3;

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

/** Resource budgets (`--max-memory` in GiB, `--max-work` in estimated operations) and their defaults. */
export const BUDGET_DEFAULTS = { maxMemoryGiB: 2, maxWork: 1e10 } as const;
const GIB = 2 ** 30;

export interface Budget {
  bytes: number;
  work: number;
}

export function parseBudget(o: { maxMemory?: string; maxWork?: string }): Budget {
  const gib =
    o.maxMemory === undefined
      ? BUDGET_DEFAULTS.maxMemoryGiB
      : parseNumberOption('--max-memory', o.maxMemory, { min: 0, max: Infinity, open: true });
  const work =
    o.maxWork === undefined
      ? BUDGET_DEFAULTS.maxWork
      : parseNumberOption('--max-work', o.maxWork, { min: 0, max: Infinity, open: true });
  return { bytes: gib * GIB, work };
}

const gib = (bytes: number) => {
  const g = bytes / GIB;
  return `${g >= 100 ? Math.round(g) : Number(g.toPrecision(3))} GiB`;
};

/**
 * Refuse work above the budget before starting it, with the estimate, what dominates it, the
 * options that shrink it and the flag that raises the budget.
 */
export function checkBudget(
  job: string,
  need: { bytes: number; work?: number; why: string; workWhy?: string; lower: string },
  budget: Budget,
): void {
  if (need.bytes > budget.bytes)
    throw new CliError(
      `--max-memory: ${job} needs an estimated ${gib(need.bytes)} (${need.why}), over the budget of ${gib(budget.bytes)}; ` +
        `lower ${need.lower}, or raise --max-memory (GiB)`,
    );
  if (need.work !== undefined && need.work > budget.work)
    throw new CliError(
      `--max-work: ${job} needs an estimated ${need.work.toExponential(1)} operations (${need.workWhy ?? need.why}), over the budget of ${budget.work.toExponential(1)}; ` +
        `lower ${need.lower}, or raise --max-work`,
    );
}
