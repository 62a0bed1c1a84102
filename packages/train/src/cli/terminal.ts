/**
 * Whether a progress bar may be drawn on `stream`: cli-progress moves the cursor with escape codes,
 * which only a terminal reads (a pipe or file would get them raw; TERM=dumb understands none).
 * The CLI prints no colour, so NO_COLOR is already honoured and FORCE_COLOR has nothing to force.
 */
export const isInteractive = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.TERM !== 'dumb';
