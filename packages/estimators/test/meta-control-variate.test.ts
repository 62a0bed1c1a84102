import { Rng } from '@metagrad/autodiff';
import {
  type Batch,
  concatBatches,
  rollout,
  stateValues,
  type TabularMdp,
  TabularMdpEnv,
  tabularMdpTasks,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';
import {
  dice,
  exactDerivatives,
  MetaControlVariate,
  type RepeatData,
  repeatEstimates,
  stateActionIndices,
  tmaml,
  upperTriangles,
  ValueMlp,
  vectorStats,
} from '../src';

/**
 * TMAML's meta control variate on the study's task distribution (random 3-state × 2-action MDPs,
 * horizon 4, γ = 0.95, reward noise 0.5), each task with its own softmax logits θ ∼ N(0, 0.5²).
 * Meta-trained with first-order MAML on training tasks; every check runs on held-out test tasks
 * against the exact oracle, with fixed seeds.
 */
const S = 3;
const A = 2;
const T = 4;
const dist = tabularMdpTasks({ states: S, actions: A, horizon: T, discount: 0.95, rewardStd: 0.5 });
const env = new TabularMdpEnv(S, A, T, 0.95);
const logitsFor = (stream: number, i: number) =>
  new Rng(11).derive(stream, i).fillNormal(new Float64Array(S * A), 0, 0.5);
const FIT_EPISODES = 10;

/** Episodes `first…first+n−1` of random stream `stream` of task (mdp, θ). */
function draw(
  mdp: TabularMdp,
  theta: Float64Array,
  n: number,
  stream: number,
  first: number,
  seed: number,
): Batch {
  return rollout(env, mdp, tabularSoftmaxPolicy(theta, S, A), {
    episodes: n,
    episodeOffset: first,
    seed,
    taskIndices: [stream],
  });
}

const trainTasks = dist.trainTasks(400, 1);
const trainLogits = trainTasks.map((_, i) => logitsFor(0, i));
const init = new MetaControlVariate({ states: S, actions: A, horizon: T, discount: 0.95, seed: 4 });
const trained = init.clone();
const TASKS_PER_ITERATION = 8;
const losses = trained.metaTrain(
  (it) =>
    Array.from({ length: TASKS_PER_ITERATION }, (_, j) => {
      const k = (it * TASKS_PER_ITERATION + j) % trainTasks.length;
      return {
        support: draw(trainTasks[k], trainLogits[k], FIT_EPISODES, 0, it, k),
        query: draw(trainTasks[k], trainLogits[k], FIT_EPISODES, 1, it, k),
      };
    }),
  { iterations: 200, outerLr: 0.01 },
);

const testTasks = dist.testTasks(3, 1);
const testLogits = testTasks.map((_, i) => logitsFor(1, i));

/** Exact V_t(s_t) for every step of a batch (0 on padding). */
function exactStepValues(mdp: TabularMdp, theta: Float64Array, batch: Batch): Float64Array {
  const v = stateValues(mdp, theta, T);
  const sa = stateActionIndices(batch.observations, batch.actions, batch.mask, S, A);
  return Float64Array.from(sa, (x, i) => batch.mask[i] * v[(i % T) * S + Math.floor(x / A)]);
}

test('the value MLP: loss is the mean squared error of predict, gradient matches central differences', () => {
  const net = new ValueMlp(4, 3);
  const p = net.init(new Rng(1));
  const x = new Rng(2).fillNormal(new Float64Array(5 * 4));
  const y = new Rng(3).fillNormal(new Float64Array(5));
  const { loss, grad } = net.lossAndGrad(p, x, y);
  const pred = net.predict(p, x);
  expect(loss).toBeCloseTo(pred.reduce((s, f, r) => s + (f - y[r]) ** 2, 0) / 5, 12);
  const h = 1e-6;
  for (let i = 0; i < p.length; i++) {
    const up = Float64Array.from(p);
    const down = Float64Array.from(p);
    up[i] += h;
    down[i] -= h;
    const fd = (net.lossAndGrad(up, x, y).loss - net.lossAndGrad(down, x, y).loss) / (2 * h);
    expect(Math.abs(grad[i] - fd)).toBeLessThan(1e-8);
  }
  const none = net.lossAndGrad(p, new Float64Array(0), new Float64Array(0));
  expect(none.loss).toBe(0);
  expect(Array.from(none.grad)).toEqual(new Array(net.size).fill(0));
});

test('(a) meta-training lowers the held-out squared error of the adapted control variate', () => {
  let before = 0;
  let after = 0;
  let n = 0;
  testTasks.forEach((mdp, m) => {
    for (let k = 0; k < 20; k++) {
      const fit = draw(mdp, testLogits[m], FIT_EPISODES, 2, k * FIT_EPISODES, 50 + m);
      const evalBatch = draw(mdp, testLogits[m], 20, 3, k * 20, 50 + m);
      const target = exactStepValues(mdp, testLogits[m], evalBatch);
      before += init.adapt(fit).squaredError(evalBatch, target);
      after += trained.adapt(fit).squaredError(evalBatch, target);
      n++;
    }
  });
  before /= n;
  after /= n;
  console.log(
    `held-out MSE vs the exact V_t(s): ${before.toFixed(3)} from the initial φ, ${after.toFixed(3)} meta-trained (×${(before / after).toFixed(1)} lower); query loss ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)} over ${losses.length} outer steps`,
  );
  expect(after).toBeLessThan(0.5 * before);
});

test('deterministic and explicit about independence', () => {
  const again = init.clone();
  again.metaTrain(
    () => [
      {
        support: draw(trainTasks[0], trainLogits[0], 5, 0, 0, 0),
        query: draw(trainTasks[0], trainLogits[0], 5, 1, 0, 0),
      },
    ],
    { iterations: 3 },
  );
  const twice = init.clone();
  twice.metaTrain(
    () => [
      {
        support: draw(trainTasks[0], trainLogits[0], 5, 0, 0, 0),
        query: draw(trainTasks[0], trainLogits[0], 5, 1, 0, 0),
      },
    ],
    { iterations: 3 },
  );
  expect(Array.from(twice.params)).toEqual(Array.from(again.params));
  const fit = draw(testTasks[0], testLogits[0], 5, 2, 0, 9);
  const adapted = trained.adapt(fit);
  expect(() => adapted.valuesFor(fit)).toThrow(/independent of the fitting batch/);
  expect(() => adapted.valuesFor(draw(testTasks[0], testLogits[0], 5, 2, 0, 9))).toThrow(/independent/);
  expect(adapted.valuesFor(draw(testTasks[0], testLogits[0], 5, 3, 0, 9)).length).toBe(5 * T);
});

/**
 * Per held-out task, R estimates from B trajectories each; estimate r's control variate is adapted
 * on its own fitting batch (stream 4), drawn independently of the estimate's batch (stream 5).
 */
describe('TMAML with the meta control variate on held-out tasks', () => {
  const R = 300;
  const CHUNK = 50;
  const B = 10;
  const level = 0.001;
  const results = testTasks.map((mdp, m) => {
    const theta = testLogits[m];
    const ests: Batch[] = [];
    const values: Float64Array[] = [];
    const exactV: Float64Array[] = [];
    for (let r = 0; r < R; r++) {
      const fit = draw(mdp, theta, FIT_EPISODES, 4, r * FIT_EPISODES, 70 + m);
      const est = draw(mdp, theta, B, 5, r * B, 70 + m);
      ests.push(est);
      values.push(trained.adapt(fit).valuesFor(est));
      exactV.push(exactStepValues(mdp, theta, est));
    }
    const exactUpper = upperTriangles(exactDerivatives(mdp, theta).hessian, S * A);
    // Hessians in chunks of 50 estimates (one engine call each; the cost grows with chunk²)
    const hess = (build: Parameters<typeof repeatEstimates>[2], v: Float64Array[]) => {
      const out = new Float64Array(R * S * A * S * A);
      for (let first = 0; first < R; first += CHUNK) {
        const all = concatBatches(ests.slice(first, first + CHUNK));
        const data: RepeatData = {
          repeats: CHUNK,
          sa: stateActionIndices(all.observations, all.actions, all.mask, S, A),
          rewards: all.rewards,
          mask: all.mask,
          values: Float64Array.from(v.slice(first, first + CHUNK).flatMap((x) => Array.from(x))),
        };
        const thetas = new Float64Array(CHUNK * S * A).map((_, i) => theta[i % (S * A)]);
        out.set(repeatEstimates(mdp, thetas, build, data, B).hessian!, first * S * A * S * A);
      }
      return vectorStats(upperTriangles(out, S * A), exactUpper, level / testTasks.length);
    };
    return {
      dice: hess((t) => dice(t), values),
      meta: hess((t, v) => tmaml(t, { values: v }), values),
      oracle: hess((t, v) => tmaml(t, { values: v }), exactV),
    };
  });

  test.each(results.map((r, m) => [m, r] as const))(
    '(b) task %i: TMAML + meta control variate stays unbiased for the Hessian',
    (m, r) => {
      const h = r.meta;
      console.log(
        `held-out task ${m}: TMAML(meta CV) Hessian max|z| ${h.maxAbsZ.toFixed(2)} (passes, margin ${h.margin.toFixed(2)} below threshold ${h.zThreshold.toFixed(2)}; Bonferroni over 21 entries × 3 tasks at α = ${level}); DiCE max|z| ${r.dice.maxAbsZ.toFixed(2)}`,
      );
      expect(h.consistent).toBe(true);
      expect(r.dice.consistent).toBe(true);
    },
  );

  test('(c) its Hessian variance is lower than DiCE’s on every held-out task', () => {
    for (const [m, r] of results.entries()) {
      console.log(
        `held-out task ${m}: Hessian variance trace DiCE ${r.dice.varianceTrace.toFixed(3)}, TMAML + meta CV ${r.meta.varianceTrace.toFixed(3)} (×${(r.dice.varianceTrace / r.meta.varianceTrace).toFixed(2)} lower), TMAML + exact values ${r.oracle.varianceTrace.toFixed(3)}`,
      );
      expect(r.meta.varianceTrace).toBeLessThan(0.9 * r.dice.varianceTrace);
    }
  });
});

test('bad settings are errors naming the option and the value (no silent NaN later)', () => {
  const base = { states: S, actions: A, horizon: T };
  expect(() => new MetaControlVariate({ ...base, innerLr: Number.NaN })).toThrow(
    'innerLr: expected a finite number > 0, got NaN',
  );
  expect(() => new MetaControlVariate({ ...base, innerLr: -0.1 })).toThrow(
    'innerLr: expected a finite number > 0',
  );
  expect(() => new MetaControlVariate({ ...base, discount: 1.5 })).toThrow(
    'discount: expected a number in [0, 1], got 1.5',
  );
});
