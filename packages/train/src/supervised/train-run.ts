import { type PyTree, treeLeaves } from '@metagrad/autodiff';
import { ConfigError } from '../meta/config';
import { NonFiniteError } from '../non-finite';
import {
  appendIterations,
  type CsvFormat,
  openRunDir,
  RunDirError,
  readCheckpoint,
  readRunConfigFields,
  writeCheckpoint,
  writePolicy,
} from '../run/run-dir';
import { treeFromJson, treeToJson } from '../run/serialize';
import { resolveSupervisedConfig, type SupervisedConfig } from './config';
import { trainBatch } from './data';
import { metaDirection } from './meta-step';
import { makeSupervisedOuter } from './outer';
import { initParams, type SupervisedParams } from './params';

/** One row of progress.jsonl: deterministic (no clock), so a resumed run writes the same bytes. */
export interface SupervisedRecord {
  iteration: number;
  /** Mean query MSE of the meta-batch before and after the inner loop. */
  lossBefore: number;
  lossAfter: number;
  gradNorm: number;
  paramNorm: number;
}

export interface SupervisedTimes {
  total: number;
}

export const SUPERVISED_CSV: CsvFormat<SupervisedRecord, SupervisedTimes> = {
  header: () => 'iteration,loss_before,loss_after,grad_norm,param_norm,seconds_total\n',
  row: (r, t) =>
    `${[r.iteration, r.lossBefore, r.lossAfter, r.gradNorm, r.paramNorm, t?.total ?? ''].join(',')}\n`,
};

export interface SupervisedRunOptions {
  dir: string;
  config?: SupervisedConfig;
  resume?: boolean;
  force?: boolean;
  onIteration?: (r: SupervisedRecord, c: SupervisedConfig) => void;
  onResume?: (done: number, c: SupervisedConfig) => void;
  shouldStop?: () => boolean;
}

export interface SupervisedRunResult {
  config: SupervisedConfig;
  iterations: number;
  finished: boolean;
  params: SupervisedParams;
}

function norm(tree: unknown): number {
  let s = 0;
  for (const t of treeLeaves(tree)) for (let i = 0; i < t.size; i++) s += t.data[i] * t.data[i];
  return Math.sqrt(s);
}

/** The resolved config of a supervised run directory. */
export function readSupervisedConfig(dir: string): SupervisedConfig {
  try {
    return resolveSupervisedConfig(readRunConfigFields(dir), `${dir}/config.json`);
  } catch (e) {
    if (e instanceof ConfigError) throw new RunDirError(e.message);
    throw e;
  }
}

/**
 * Train or resume a supervised meta-learner in a run directory, on the same files as the RL
 * `trainRun` (config.json, progress.jsonl/csv, timing.jsonl, sealed atomic checkpoint.json and
 * policy.json). State between iterations is (parameters, Adam state, iteration); the data of
 * iteration i come from (seed, i) alone, so a resumed run is bit-identical.
 */
export async function supervisedTrainRun(o: SupervisedRunOptions): Promise<SupervisedRunResult> {
  const config = o.resume ? readSupervisedConfig(o.dir) : o.config;
  if (config === undefined) throw new RangeError('supervisedTrainRun: config: expected a resolved config');
  let params = initParams(config);
  const outer = makeSupervisedOuter(config, params);
  let start = 0;
  const c = openRunDir(o.dir, { resume: o.resume, force: o.force, config, csv: SUPERVISED_CSV });
  if (c !== null) {
    params = treeFromJson(c.meta, 'checkpoint.meta') as unknown as SupervisedParams;
    outer.restore(c.outerState);
    start = c.iterations;
  }
  if (o.resume) o.onResume?.(start, config);
  // rows wait in memory and are flushed just before the checkpoint that covers them: a killed
  // run loses only rows after its last checkpoint, which a resume recomputes anyway
  const pending: { records: SupervisedRecord[]; times: SupervisedTimes[] } = { records: [], times: [] };
  const flush = () => {
    appendIterations(o.dir, pending.records, pending.times, SUPERVISED_CSV);
    pending.records = [];
    pending.times = [];
  };
  const save = (done: number) => {
    flush();
    writeCheckpoint(o.dir, {
      iterations: done,
      meta: treeToJson(params as unknown as PyTree),
      outerState: outer.state(),
    });
  };
  let it = start;
  for (; it < config.iterations; it++) {
    const t0 = performance.now();
    const batch = trainBatch(config.seed, it, config.metaBatch, config.shots);
    const d = metaDirection(config, params, batch);
    params = outer.step(params, d.direction, it);
    const record: SupervisedRecord = {
      iteration: it,
      lossBefore: d.lossBefore,
      lossAfter: d.lossAfter,
      gradNorm: norm(d.direction),
      paramNorm: norm(params),
    };
    if (![record.lossAfter, record.gradNorm, record.paramNorm].every(Number.isFinite)) {
      flush(); // the good rows before it (a resume drops those after the checkpoint)
      throw new NonFiniteError(
        `iteration ${it}: non-finite loss or parameters (loss ${record.lossAfter}, |grad| ${record.gradNorm}); lower --outer-lr or --alpha`,
      );
    }
    pending.records.push(record);
    pending.times.push({ total: (performance.now() - t0) / 1000 });
    o.onIteration?.(record, config);
    const done = it + 1;
    await new Promise((resolve) => setImmediate(resolve));
    const stop = o.shouldStop?.() ?? false;
    if (done % config.checkpointEvery === 0 || done === config.iterations || stop) save(done);
    if (stop) return { config, iterations: done, finished: false, params };
  }
  if (start === config.iterations && readCheckpoint(o.dir) === null) save(it);
  writePolicy(o.dir, treeToJson(params as unknown as PyTree), it);
  return { config, iterations: it, finished: true, params };
}
