import * as fs from 'node:fs';
import * as os from 'node:os';
import type { StudyChunk } from '@metagrad/estimators';
import { CliError } from './errors';
import { writeFileAtomicWith } from './io';

/**
 * Checkpoints of `study --out FILE`: FILE.partial holds a fingerprint of every option that
 * affects the results and the raw estimates of the repeats finished so far, per series the
 * base64 of its little-endian Float64Array bytes, so they round-trip bit-exactly. The file is
 * JSON laid out one series per line (the header on the first), so that it is written and read
 * line by line, whatever its size, and it is replaced atomically (temporary file + rename): an
 * interrupted run always leaves the previous or the new checkpoint, whole.
 */
export const PARTIAL_FORMAT = 'metagrad-study-partial/1';

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
function writeSeries(fd: number, name: string, parts: readonly Float64Array[]): void {
  const buf = Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  if (!littleEndian) buf.swap64();
  fs.writeFileSync(fd, `${JSON.stringify(name)}:"`);
  for (let i = 0; i < buf.length; i += PIECE)
    fs.writeFileSync(fd, buf.subarray(i, i + PIECE).toString('base64'));
  fs.writeFileSync(fd, '"');
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
  private lastWriteEnd = 0;
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
      lines = splitLines(fs.readFileSync(this.file));
      const head = lines[0]?.toString('utf8') ?? '';
      if (!head.endsWith(',"series":{')) throw new Error('expected the header line first');
      p = JSON.parse(`${head.slice(0, -',"series":{'.length)}}`);
      if (lines.at(-1)?.toString('utf8') !== '}}') throw new Error('truncated');
      if (p === null || typeof p !== 'object' || p.format !== PARTIAL_FORMAT)
        throw new Error(`expected format ${PARTIAL_FORMAT}`);
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
      for (const line of lines.slice(1, -1)) {
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
   * the last write's duration has passed (so checkpoints cost at most ~10% of the time); `force`
   * writes regardless. Returns whether it wrote.
   */
  add(chunk: StudyChunk, force = false): boolean {
    this.chunks.push(chunk);
    this.done = chunk.first + chunk.count;
    if (!force && this.written > 0 && Date.now() - this.lastWriteEnd < 10 * this.lastWriteMs) return false;
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
      fs.writeFileSync(fd, `${JSON.stringify(header).slice(0, -1)},"series":{\n`);
      names.forEach((name, i) => {
        writeSeries(
          fd,
          name,
          this.chunks.map((c) => c.values[name]),
        );
        fs.writeFileSync(fd, i + 1 < names.length ? ',\n' : '\n');
      });
      fs.writeFileSync(fd, '}}\n');
    });
    this.written++;
    this.lastWriteEnd = Date.now();
    this.lastWriteMs = this.lastWriteEnd - start;
  }

  /** The run finished and FILE is written: the checkpoint is no longer needed. */
  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}
