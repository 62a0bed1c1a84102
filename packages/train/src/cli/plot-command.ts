import { isCompareDir } from '../compare/compare-dir';
import { RunDirError } from '../run/run-dir';
import { CliError, parseIntOption } from './errors';
import { checkFigurePath, writeFigure } from './figure';
import { renderSpecSvg } from './plot';
import { compareSpec } from './plot-compare';
import { runsSpec } from './plot-runs';
import { trajectoriesSpec } from './plot-trajectories';

export async function runPlotCommand(dirs: readonly string[], o: Record<string, unknown>): Promise<number> {
  const out = String(o.out);
  checkFigurePath('--out', out);
  let spec: Record<string, unknown>;
  try {
    // one compare directory: the poster's four panels; --trajectories: exploration paths; otherwise run directories' curves
    if (o.trajectories)
      spec = trajectoriesSpec(
        dirs,
        o.tasks === undefined ? 3 : parseIntOption('--tasks', String(o.tasks), 1),
      );
    else spec = dirs.length === 1 && isCompareDir(dirs[0]) ? compareSpec(dirs[0]) : runsSpec(dirs);
  } catch (e) {
    if (e instanceof RunDirError) throw new CliError(e.message);
    throw e;
  }
  writeFigure('--out', out, await renderSpecSvg(spec));
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}
