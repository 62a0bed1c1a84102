/**
 * Keeps library noise out of the report: while a run is in progress, console.* (the TF.js
 * "Hi, looks like you are running TensorFlow.js in Node.js" banner goes through console.warn
 * at first use, backends log through console too) and the runner's own diagnostics go to a log
 * file. Native code writing straight to file descriptor 2 (Dawn's adapter warnings) bypasses
 * JavaScript and still reaches the terminal: redirect it with `2>file` if it matters.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

/** A sink appending to `path` synchronously, so nothing is lost when a suite crashes. */
export function fileSink(path: string): (line: string) => void {
  mkdirSync(dirname(path), { recursive: true });
  return (line) => appendFileSync(path, line);
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Sends console.* lines to `sink` instead of the terminal; returns the function that undoes it. */
export function redirectConsole(sink: (line: string) => void): () => void {
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const m of METHODS) console[m] = (...args: unknown[]) => sink(`[${m}] ${format(...args)}\n`);
  return () => {
    for (const [m, fn] of saved) console[m] = fn;
  };
}
