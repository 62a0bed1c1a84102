import { EnvConfigError } from './errors';
import { type TabularMdp, validateTabularMdp } from './tabular-mdp';

/**
 * The JSON format for a user's own tabular MDP:
 * `{ states, actions, transitions: P[s][a][s'], rewards: R[s][a], rewardStd?, initial: [S],
 *    horizon, discount?, logits?: θ[s][a] }`.
 * Every problem is reported with the field and index; nothing is renormalised.
 */
export interface TabularMdpJson {
  states: number;
  actions: number;
  transitions: number[][][];
  rewards: number[][];
  rewardStd?: number;
  initial: number[];
  horizon: number;
  discount?: number;
  logits?: number[][];
}

const KNOWN = [
  'states',
  'actions',
  'transitions',
  'rewards',
  'rewardStd',
  'initial',
  'horizon',
  'discount',
  'logits',
];

function fail(field: string, expected: string, got: unknown): never {
  let shown: string;
  try {
    shown = typeof got === 'number' ? String(got) : (JSON.stringify(got) ?? String(got));
  } catch {
    shown = String(got);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  throw new EnvConfigError(`${field}: expected ${expected}, got ${shown}`);
}

/**
 * Flatten a nested array of the given shape, checking every level's length and every number
 * before allocating: the size comes from `states`/`actions`, which a file may set to 10⁶ while
 * holding three rows (S·A·S = 2·10¹² entries would be allocated before the mismatch is found).
 */
function flatten(field: string, x: unknown, shape: readonly number[]): Float64Array {
  const walk = (v: unknown, path: string, depth: number, visit: (n: number) => void): void => {
    if (depth === shape.length) {
      // JSON has no NaN, but a JS caller may pass one: reject it and non-numbers alike
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'a finite number', v);
      visit(v);
      return;
    }
    if (!Array.isArray(v)) fail(path, `an array of length ${shape[depth]}`, v);
    if (v.length !== shape[depth]) fail(path, `an array of length ${shape[depth]}`, `length ${v.length}`);
    v.forEach((e, i) => {
      walk(e, `${path}[${i}]`, depth + 1, visit);
    });
  };
  walk(x, field, 0, () => {});
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let k = 0;
  walk(x, field, 0, (n) => {
    out[k++] = n;
  });
  return out;
}

function int(field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, `an integer >= ${min}`, v);
  // above 2^53 the parsed double is not the integer written (…993 reads as …992)
  if (!Number.isSafeInteger(v))
    throw new EnvConfigError(`${field}: expected an integer >= ${min} and at most 2^53 - 1, got ${v}`);
  return v;
}

/** Parse and validate an already-decoded JSON object. */
export function tabularMdpFromJson(json: unknown): TabularMdp {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('mdp', 'a JSON object', json);
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) fail(key, `no such field (known fields: ${KNOWN.join(', ')})`, o[key]);
  }
  for (const key of ['states', 'actions', 'transitions', 'rewards', 'initial', 'horizon']) {
    if (!(key in o)) fail(key, 'a value (the field is required)', undefined);
  }
  const S = int('states', o.states, 1);
  const A = int('actions', o.actions, 1);
  const rewardStd = o.rewardStd ?? 0;
  if (typeof rewardStd !== 'number' || !Number.isFinite(rewardStd) || rewardStd < 0) {
    fail('rewardStd', 'a finite number >= 0', rewardStd);
  }
  const discount = o.discount ?? 1;
  if (typeof discount !== 'number' || !(discount >= 0 && discount <= 1))
    fail('discount', 'a number in [0, 1]', discount);
  return validateTabularMdp({
    states: S,
    actions: A,
    transitions: flatten('transitions', o.transitions, [S, A, S]),
    rewards: flatten('rewards', o.rewards, [S, A]),
    rewardStd,
    initial: flatten('initial', o.initial, [S]),
    horizon: int('horizon', o.horizon, 1),
    discount,
    logits: o.logits === undefined ? undefined : flatten('logits', o.logits, [S, A]),
  });
}

/**
 * The first key that occurs twice in one object of valid JSON text, with its path, or null.
 * JSON.parse keeps the last of duplicate keys silently (a second `horizon` would win).
 */
export function duplicateJsonKey(text: string): string | null {
  // one frame per open object (its keys so far, its path) or array (keys null)
  const frames: { keys: Set<string> | null; path: string; key: string | null; index: number }[] = [];
  const here = () => {
    const f = frames.at(-1);
    if (!f) return '';
    return f.keys === null ? `${f.path}[${f.index}]` : f.path === '' ? (f.key ?? '') : `${f.path}.${f.key}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[')
      frames.push({ keys: c === '{' ? new Set() : null, path: here(), key: null, index: 0 });
    else if (c === '}' || c === ']') frames.pop();
    else if (c === ',' && frames.at(-1)?.keys === null) frames[frames.length - 1].index++;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const f = frames.at(-1);
      let k = j + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      if (f?.keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        f.key = key;
        if (f.keys.has(key)) return here();
        f.keys.add(key);
      }
      i = j;
    }
  }
  return null;
}

/** Parse JSON text (syntax errors and duplicate keys are reported as EnvConfigError too). */
export function parseTabularMdp(text: string): TabularMdp {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EnvConfigError(`mdp: expected valid JSON, got a parse error: ${(e as Error).message}`);
  }
  const twice = duplicateJsonKey(text);
  if (twice !== null)
    throw new EnvConfigError(
      `${twice}: expected each key once, got the key twice (a JSON parser keeps only one)`,
    );
  return tabularMdpFromJson(json);
}

/** The nested-array JSON form of an MDP (round-trips through `tabularMdpFromJson`). */
export function tabularMdpToJson(m: TabularMdp): TabularMdpJson {
  const { states: S, actions: A } = m;
  const rows = (x: Float64Array, n: number, w: number) =>
    Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * w, (i + 1) * w)));
  const json: TabularMdpJson = {
    states: S,
    actions: A,
    transitions: Array.from({ length: S }, (_, s) =>
      rows(m.transitions.subarray(s * A * S, (s + 1) * A * S), A, S),
    ),
    rewards: rows(m.rewards, S, A),
    rewardStd: m.rewardStd,
    initial: Array.from(m.initial),
    horizon: m.horizon,
    discount: m.discount,
  };
  if (m.logits) json.logits = rows(m.logits, S, A);
  return json;
}

/** Read and validate an MDP JSON file. */
export function loadTabularMdp(path: string): TabularMdp {
  // required lazily so that browsers bundling the package never touch fs
  const fs = require('node:fs') as typeof import('node:fs');
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new EnvConfigError(
      `mdp file: expected a readable file, got ${JSON.stringify(path)} (${(e as Error).message})`,
    );
  }
  return parseTabularMdp(text);
}
