/** A user error on the command line: printed as one line, exit code 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const show = (v: string) => JSON.stringify(v);

export function parseIntOption(option: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new CliError(`${option}: expected an integer >= ${min}, got ${show(value)}`);
  return n;
}

export function parseNumberOption(
  option: string,
  value: string,
  check?: { min?: number; max?: number; open?: boolean },
): number {
  const n = Number(value);
  const { min = -Infinity, max = Infinity, open = false } = check ?? {};
  const ok = value.trim() !== '' && Number.isFinite(n) && (open ? n > min && n < max : n >= min && n <= max);
  if (!ok) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : `a number in ${open ? '(' : '['}${min}, ${max}${open ? ')' : ']'}`;
    throw new CliError(`${option}: expected ${range}, got ${show(value)}`);
  }
  return n;
}

export function parseIntList(option: string, value: string, min: number): number[] {
  const parts = value.split(',');
  if (parts.some((p) => p.trim() === ''))
    throw new CliError(
      `${option}: expected a comma-separated list of integers >= ${min}, got ${show(value)}`,
    );
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < min)
      throw new CliError(
        `${option}: expected a comma-separated list of integers >= ${min}, got ${show(value)} (bad entry ${show(p)})`,
      );
    return n;
  });
}

export function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new CliError(`${option}: expected one of ${choices.join(', ')}, got ${show(value)}`);
  return value as T;
}
