import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './errors';
import { checkWritableFile, writeFileAtomicWith } from './io';

/** The figure formats, by file extension. PDF is left out: no maintained npm library renders SVG to PDF faithfully. */
export const FIGURE_EXTENSIONS = ['.svg', '.png'] as const;
type Extension = (typeof FIGURE_EXTENSIONS)[number];

interface ResvgModule {
  Resvg: new (
    svg: string,
    opts: {
      background?: string;
      fitTo?: { mode: 'zoom'; value: number };
      font?: { loadSystemFonts: boolean };
    },
  ) => { render(): { asPng(): Buffer } };
}

/** @resvg/resvg-js is a native addon (a prebuilt binary per platform): load it only for a PNG. */
function loadResvg(option: string, file: string): ResvgModule {
  try {
    return require('@resvg/resvg-js') as ResvgModule;
  } catch (e) {
    throw new CliError(
      `${option}: cannot write PNG ${JSON.stringify(file)}: the renderer @resvg/resvg-js did not load ` +
        `(${(e as Error).message.split('\n')[0]}); write .svg instead`,
    );
  }
}

function extensionOf(option: string, file: string): Extension {
  const ext = path.extname(file).toLowerCase();
  if (!(FIGURE_EXTENSIONS as readonly string[]).includes(ext))
    throw new CliError(
      `${option}: expected a figure file ending in ${FIGURE_EXTENSIONS.join(' or ')}, got ${JSON.stringify(file)}` +
        (ext === '.pdf' ? ' (PDF is not supported: convert the SVG, e.g. rsvg-convert -f pdf)' : ''),
    );
  return ext as Extension;
}

/** Refuse a figure path before the work: a writable place, a known extension, a renderer that loads. */
export function checkFigurePath(option: string, file: string): void {
  checkWritableFile(option, file);
  const ext = extensionOf(option, file);
  if (ext === '.png') loadResvg(option, file);
}

/** Write the SVG as the extension asks: the SVG itself, or a PNG on white at twice its size. */
export function writeFigure(option: string, file: string, svg: string): void {
  const ext = extensionOf(option, file);
  const bytes =
    ext === '.svg'
      ? Buffer.from(svg)
      : new (loadResvg(option, file).Resvg)(svg, {
          background: 'white',
          fitTo: { mode: 'zoom', value: 2 },
          font: { loadSystemFonts: true },
        })
          .render()
          .asPng();
  writeFileAtomicWith(option, file, (fd) => fs.writeFileSync(fd, bytes));
}
