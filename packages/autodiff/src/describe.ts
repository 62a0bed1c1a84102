/* Internal (not exported from the package): how error messages show a value they got. */

/** A value as an error message shows it: strings quoted, arrays and objects as JSON (short). */
export function describe(v: unknown): string {
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `the array ${short(v)}`;
  const name = (v as object).constructor?.name;
  return !name || name === 'Object' ? `the object ${short(v)}` : `a ${name}`;
}

function short(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
