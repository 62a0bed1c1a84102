import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { add, div, mul, type PyTree, sub, sum, type Tensor, tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import {
  constantStepTensor,
  cumLogProbs,
  discountPerStep,
  magicBox,
  prepare,
  stepInput,
  tmaml,
} from '@metagrad/estimators';
import { trackAt } from '../src/compare/tracker';
import type { MetaParams } from '../src/meta/adaptation';
import { resolveConfig } from '../src/meta/config';
import { FIT_EPISODE_BASE } from '../src/meta/control-variate';
import { controlVariatePairs } from '../src/meta/control-variate-iteration';
import { initMetaParams } from '../src/meta/init';
import { makeProblem, type Problem } from '../src/meta/problem';
import { sampleTasks } from '../src/meta/sampling';
import { trainRun } from '../src/run/train-run';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-tmaml-meta-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The compare tracker's tabular setup where DiCE is unbiased and MAML is flagged (compare-tracker.test.ts). */
const problemWith = (fields: Record<string, unknown> = {}) =>
  makeProblem(
    resolveConfig({
      env: 'tabular-mdp',
      envOptions: { states: 3, actions: 2, horizon: 3 },
      estimator: 'tmaml-meta',
      discount: null,
      normalizeAdvantages: false,
      baseline: 'none',
      metaBatch: 1,
      alpha: 3,
      fastBatch: 40,
      seed: 5,
      ...fields,
    }),
  ) as Problem<PyTree>;

const meta: MetaParams = {
  policy: tensor(Float64Array.from({ length: 6 }, (_, i) => Math.sin(1.7 * i + 0.3))),
};

/**
 * The deliberately wrong variant: TMAML whose correction term multiplies by 1 − □(C_t) instead
 * of 1 − □(C_{<t}) (the log-probability sum not shifted along time). Its Hessian gains
 * 2·c_t ∇lp_t ∇lp_tᵀ, whose mean c_t·F is not zero: biased for any non-zero control variate.
 */
function unshiftedTmaml(traj: Parameters<typeof tmaml>[0], values: Float64Array): Tensor {
  const p = prepare(traj);
  const c = discountPerStep(p, stepInput(p, values, 'values')).map((x) => -x);
  const dice = tmaml(traj, { controlVariate: new Float64Array(c.length) });
  const now = sub(1, magicBox(p.lp));
  const through = sub(1, magicBox(cumLogProbs(p, false)));
  return add(dice, div(sum(mul(mul(through, now), constantStepTensor(p, c))), p.B));
}

function withUnshiftedCorrection(p: Problem<PyTree>): Problem<PyTree> {
  return {
    ...p,
    inner: (params, _task, batch, values) => {
      const traj = {
        logProbs: p.model.logProbs(params, batch),
        rewards: batch.rewards,
        mask: batch.mask,
        discount: p.discount,
      };
      return div(unshiftedTmaml(traj, values as Float64Array), batch.horizon);
    },
    innerSurrogate: () => undefined,
  };
}

describe('tmaml-meta (TMAML with the meta-learned control variate) in training', () => {
  test('each inner batch gets values from a control variate fitted on other episodes of its task', () => {
    const p = problemWith({ fastBatch: 4, metaBatch: 2 });
    const { tasks, indices } = { tasks: p.tasks.trainTasks(2, 5, 0), indices: [0, 1] };
    const [s] = sampleTasks(p, meta, tasks, indices, 1, 4);
    const fit = s.fitBatches as readonly Batch[];
    expect(fit).toHaveLength(1);
    // the fitting batch is the task's episodes FIT_EPISODE_BASE.., drawn with the same policy
    const [again] = p.sample([tasks[0]], [meta.policy], [indices[0]], 4, FIT_EPISODE_BASE);
    expect(Array.from(fit[0].actions)).toEqual(Array.from(again.actions));
    expect(Array.from(fit[0].actions)).not.toEqual(Array.from(s.batches[0].actions));
    // and its values are the control variate adapted on it, predicting for the inner batch
    const cv = p.controlVariate?.cv;
    const a = cv?.adapt(fit[0]);
    expect(Array.from(s.innerValues[0] as Float64Array)).toEqual(
      Array.from(
        cv?.predictWith(a?.params as Float64Array, a?.embedding as Float64Array, s.batches[0]) ?? [],
      ),
    );
  });

  test('at a fixed θ its meta-gradient is unbiased against the exact one; the unshifted correction is flagged BIASED', () => {
    const o = { repeats: 100, level: 0.01, evalTasks: 1, evalEpisodes: 1 };
    const right = trackAt(problemWith(), meta, 0, o).row;
    // (its bias is large: 30 estimates show it)
    const wrong = trackAt(withUnshiftedCorrection(problemWith()), meta, 0, { ...o, repeats: 30 }).row;
    expect(right.reference).toBe('exact');
    expect(right.unbiased).toBe(true);
    expect(right.cosineOfMean).toBeGreaterThan(0.99);
    // max |z| 11.7 against a threshold of 3.47, its mean pointing away from the truth (cosine −0.96)
    expect(wrong.unbiased).toBe(false);
  });

  test('stopped and resumed, a run is byte-identical to one never stopped (φ and its Adam moments are in the checkpoint)', async () => {
    const config = resolveConfig({
      env: 'tabular-mdp',
      estimator: 'tmaml-meta',
      iterations: 4,
      metaBatch: 2,
      fastBatch: 4,
      outer: 'vpg',
      checkpointEvery: 1,
    });
    const whole = path.join(tmp, 'whole');
    const cut = path.join(tmp, 'cut');
    await trainRun({ dir: whole, config });
    let calls = 0;
    expect((await trainRun({ dir: cut, config, shouldStop: () => ++calls === 2 })).finished).toBe(false);
    const checkpoint = JSON.parse(fs.readFileSync(path.join(cut, 'checkpoint.json'), 'utf8'));
    expect(checkpoint.iterations).toBe(2);
    expect(typeof checkpoint.controlVariate.params).toBe('string');
    expect(checkpoint.controlVariate.adam.steps).toBe(2);
    expect((await trainRun({ dir: cut, resume: true })).finished).toBe(true);
    for (const f of ['progress.jsonl', 'policy.json', 'checkpoint.json'])
      expect(fs.readFileSync(path.join(cut, f), 'utf8')).toBe(fs.readFileSync(path.join(whole, f), 'utf8'));
    // φ moved: a resume that forgot it would train on with the initial φ and differ
    const fresh = makeProblem(config).controlVariate?.state().params;
    expect(checkpoint.controlVariate.params).not.toBe(fresh);
  }, 60_000);

  test('--workers > 1 is refused with the reason; a damaged control-variate state is named', async () => {
    const r = await runCli([
      'train',
      '--env',
      'tabular-mdp',
      '--estimator',
      'tmaml-meta',
      '--iterations',
      '1',
      '--workers',
      '2',
      '--out',
      path.join(tmp, 'w'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /--workers: estimator 'tmaml-meta' trains in-process .* expected --workers 1, got 2/,
    );
    const cv = problemWith().controlVariate;
    expect(() => cv?.restore({ params: 'AAAA', adam: {} })).toThrow(/checkpoint.controlVariate.params/);
    expect(() => cv?.restore(undefined)).toThrow(/checkpoint.controlVariate: expected \{params, adam\}/);
  }, 60_000);

  test('on point-mass (continuous observations) φ learns: its meta-training loss falls, its values stay finite', () => {
    const p = makeProblem(
      resolveConfig({ env: 'point-mass', estimator: 'tmaml-meta', hidden: [8], metaBatch: 2, fastBatch: 4 }),
    ) as Problem<PyTree>;
    const cv = p.controlVariate as NonNullable<typeof p.controlVariate>;
    const samples = sampleTasks(p, initMetaParams(p), p.tasks.trainTasks(2, 0, 0), [0, 1], 1, 4);
    for (const s of samples)
      expect(Array.from(s.innerValues[0] as Float64Array).every(Number.isFinite)).toBe(true);
    const pairs = controlVariatePairs(samples);
    const losses = Array.from({ length: 10 }, () => cv.metaStep(pairs));
    // (slowly: 1631 → 1601 in 10 steps, the residual from the fitting batch's return profile)
    expect(losses[9]).toBeLessThan(losses[0]);
  }, 30_000);
});
