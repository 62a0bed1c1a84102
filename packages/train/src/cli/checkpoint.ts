import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StudyChunk } from '@metagrad/estimators';
import { CliError } from './errors';
import { removeStaleTemporaries, writeFileAtomicWith } from './io';

/**
 * Checkpoints of `study --out FILE`: FILE.partial holds a fingerprint of every option that
 * affects the results and the raw estimates of the repeats finished so far, per series the
 * base64 of its little-endian Float64Array bytes, so they round-trip bit-exactly. The file is
 * JSON laid out one series per line (the header on the first), so that it is written and read
 * line by line, whatever its size, and it is replaced atomically (temporary file + rename): an
 * interrupted run always leaves the previous or the new checkpoint, whole. The last line holds
 * the sha256 of every byte before it, so a flipped character or injected bytes (which base64
 * decoding would skip or turn into other numbers) are refused instead of resumed.
 */
export const PARTIAL_FORMAT = 'metagrad-study-partial/2';

/**
 * However large the file, a checkpoint is written once this much work is unsaved, so every
 * restart keeps at least this much progress (throttling alone could stall frequent restarts).
 */
export const MAX_UNSAVED_MS = 30_000;

const trailer = (hex: string) => `},"sha256":"${hex}"}`;
const TRAILER = /^\},"sha256":"([0-9a-f]{64})"\}$/;

/** Write to fd and feed the same bytes to the hash. */
function put(fd: number, hash: Hash, data: string): void {
  hash.update(data);
  fs.writeFileSync(fd, data);
}

/** Options that affect the numbers, by the option name shown in messages; values are JSON. */
export type Fingerprint = Record<string, unknown>;

interface PartialHeader {
  format: string;
  fingerprint: Fingerprint;
  repeats: number;
  repeatsDone: number;
}

const littleEndian = os.endianness() === 'LE';
/** Bytes per base64 piece: a multiple of 3 (no padding inside a line) and of 8. */
const PIECE = 3 << 20;

/** Write `"name":"<base64 of the series>"` in pieces, never building the whole string. */
function writeSeries(fd: number, hash: Hash, name: string, parts: readonly Float64Array[]): void {
  const buf = Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  if (!littleEndian) buf.swap64();
  put(fd, hash, `${JSON.stringify(name)}:"`);
  for (let i = 0; i < buf.length; i += PIECE) put(fd, hash, buf.subarray(i, i + PIECE).toString('base64'));
  put(fd, hash, '"');
}

/** One series line `"name":"<base64>"[,]` back to its name and values. */
function readSeries(line: Buffer): [string, Float64Array] {
  const colon = line.indexOf('":"');
  let end = line.length;
  if (line[end - 1] === 0x2c) end--; // ','
  if (colon < 0 || line[end - 1] !== 0x22) throw new Error('malformed series line');
  const name = JSON.parse(line.subarray(0, colon + 1).toString('utf8'));
  const text = line.subarray(colon + 3, end - 1);
  const pieces: Buffer[] = [];
  const step = (PIECE / 3) * 4;
  for (let i = 0; i < text.length; i += step)
    pieces.push(Buffer.from(text.subarray(i, i + step).toString('latin1'), 'base64'));
  const buf = Buffer.concat(pieces);
  // base64 decoding skips bad characters: a whole, clean series decodes to exactly this length
  const pad = (text.at(-1) === 0x3d ? 1 : 0) + (text.at(-2) === 0x3d ? 1 : 0);
  if (text.length % 4 !== 0 || buf.length !== (text.length / 4) * 3 - pad || buf.length % 8 !== 0)
    throw new Error(`series ${name}: not base64 of float64 values`);
  if (!littleEndian) buf.swap64();
  const out = new Float64Array(buf.length / 8);
  new Uint8Array(out.buffer).set(buf);
  return [name, out];
}

/** The lines of a checkpoint whose trailer's sha256 matches the bytes before it (else throws). */
function checkedLines(buf: Buffer): Buffer[] {
  const end = buf.at(-1) === 0x0a ? buf.length - 1 : buf.length;
  const start = buf.lastIndexOf(0x0a, end - 1) + 1;
  const m = TRAILER.exec(buf.subarray(start, end).toString('latin1'));
  if (!m) throw new Error('truncated: no sha256 trailer line');
  const actual = createHash('sha256').update(buf.subarray(0, start)).digest('hex');
  if (actual !== m[1])
    throw new Error(
      `damaged: the content's sha256 ${actual.slice(0, 12)}… differs from the recorded ${m[1].slice(0, 12)}…`,
    );
  return splitLines(buf.subarray(0, start));
}

function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}

const show = (v: unknown) => JSON.stringify(v);

/** The checkpoint FILE.partial of one `study --out FILE` run. */
export class StudyCheckpoint {
  readonly file: string;
  private readonly chunks: StudyChunk[] = [];
  private done = 0;
  private written = 0;
  private lastWriteEnd = Date.now();
  private lastWriteMs = 0;

  constructor(
    out: string,
    private readonly fingerprint: Fingerprint,
    private readonly repeats: number,
  ) {
    this.file = `${out}.partial`;
  }

  /**
   * The finished chunk of an earlier run when FILE.partial exists and matches (null when there
   * is none, or with `restart`). A different fingerprint is an error naming the first differing option.
   */
  load(restart: boolean): StudyChunk | null {
    if (restart || !fs.existsSync(this.file)) return null;
    const bad = (why: string) =>
      new CliError(
        `--out: ${this.file} is not a valid study checkpoint (${why}); delete it or pass --restart to start over`,
      );
    let p: PartialHeader;
    let lines: Buffer[];
    try {
      const buf = fs.readFileSync(this.file);
      const head = splitLines(buf.subarray(0, Math.min(buf.length, 1 << 20)))[0]?.toString('utf8') ?? '';
      if (!head.endsWith(',"series":{')) throw new Error('expected the header line first');
      p = JSON.parse(`${head.slice(0, -',"series":{'.length)}}`);
      if (p === null || typeof p !== 'object' || p.format !== PARTIAL_FORMAT)
        throw new Error(`expected format ${PARTIAL_FORMAT}, got ${show(p?.format)}`);
      lines = checkedLines(buf);
    } catch (e) {
      throw bad((e as Error).message);
    }
    const keys = [...new Set([...Object.keys(this.fingerprint), ...Object.keys(p.fingerprint ?? {})])];
    for (const k of keys) {
      const was = show(p.fingerprint?.[k]);
      const now = show(this.fingerprint[k]);
      if (was !== now)
        throw new CliError(
          `--out: ${this.file} was written by a study with a different ${k} (checkpoint: ${was ?? 'unset'}, now: ${now ?? 'unset'}); ` +
            'delete it or pass --restart to start over',
        );
    }
    const n = p.repeatsDone;
    if (!(Number.isInteger(n) && n >= 0 && n <= this.repeats)) throw bad(`repeatsDone ${show(n)}`);
    if (n === 0) return null;
    const values: Record<string, Float64Array> = {};
    try {
      for (const line of lines.slice(1)) {
        const [name, v] = readSeries(line);
        values[name] = v;
      }
    } catch (e) {
      throw bad((e as Error).message);
    }
    const chunk = { first: 0, count: n, values };
    this.chunks.push(chunk);
    this.done = n;
    return chunk;
  }

  /** Repeats already finished (loaded or added). */
  get repeatsDone(): number {
    return this.done;
  }

  /**
   * Record a finished chunk and rewrite the checkpoint. When the file has grown so large that
   * writing it takes a noticeable share of the run, it is rewritten only once at least ten times
   * the last write's duration has passed (so checkpoints cost at most ~10% of the time), but
   * never with more than MAX_UNSAVED_MS of work unsaved; `force` writes regardless. Returns
   * whether it wrote.
   */
  add(chunk: StudyChunk, force = false, now = Date.now()): boolean {
    this.chunks.push(chunk);
    this.done = chunk.first + chunk.count;
    const unsaved = now - this.lastWriteEnd;
    if (!force && this.written > 0 && unsaved < Math.min(10 * this.lastWriteMs, MAX_UNSAVED_MS)) return false;
    this.write();
    return true;
  }

  /** Write every finished repeat to FILE.partial atomically. */
  write(): void {
    const start = Date.now();
    const header: PartialHeader = {
      format: PARTIAL_FORMAT,
      fingerprint: this.fingerprint,
      repeats: this.repeats,
      repeatsDone: this.done,
    };
    const names = Object.keys(this.chunks[0]?.values ?? {});
    writeFileAtomicWith('--out', this.file, (fd) => {
      const hash = createHash('sha256');
      put(fd, hash, `${JSON.stringify(header).slice(0, -1)},"series":{\n`);
      names.forEach((name, i) => {
        writeSeries(
          fd,
          hash,
          name,
          this.chunks.map((c) => c.values[name]),
        );
        put(fd, hash, i + 1 < names.length ? ',\n' : '\n');
      });
      fs.writeFileSync(fd, `${trailer(hash.digest('hex'))}\n`);
    });
    this.written++;
    this.lastWriteEnd = Date.now();
    this.lastWriteMs = this.lastWriteEnd - start;
  }

  /**
   * Delete temporary files `.FILE.partial.<pid>.tmp` (and `.FILE.<pid>.tmp`) that a killed run
   * left behind; those of a process still running are left alone.
   */
  removeStaleTemporaries(out: string): void {
    const base = path.basename(out);
    removeStaleTemporaries(path.dirname(path.resolve(out)), [base, `${base}.partial`]);
  }

  /** The run finished and FILE is written: the checkpoint is no longer needed. */
  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}
