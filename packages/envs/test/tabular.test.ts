import { Rng } from '@metagrad/autodiff';
import {
  duplicateJsonKey,
  EnvConfigError,
  episodeReturns,
  expectedReturn,
  loadTabularMdp,
  optimalReturn,
  parseTabularMdp,
  randomMdpTasks,
  rollout,
  TabularMdpEnv,
  type TabularMdpJson,
  TINY_MDP_PATH,
  tabularMdpFromJson,
  tabularMdpTasks,
  tabularMdpToJson,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';

const tiny = (): TabularMdpJson => ({
  states: 2,
  actions: 2,
  transitions: [
    [
      [0.9, 0.1],
      [0.2, 0.8],
    ],
    [
      [0.5, 0.5],
      [0, 1],
    ],
  ],
  rewards: [
    [0, 1],
    [2, -1],
  ],
  initial: [1, 0],
  horizon: 3,
});

describe('tabular MDP JSON format', () => {
  test('the example file loads, with its optional fields', () => {
    const m = loadTabularMdp(TINY_MDP_PATH);
    expect(m.states).toBe(2);
    expect(m.horizon).toBe(3);
    expect(m.discount).toBe(0.9);
    expect(m.rewardStd).toBe(0.5);
    expect(Array.from(m.logits!)).toEqual([0, 0, 0.5, -0.5]);
  });

  test('defaults: discount 1, rewardStd 0; round trip', () => {
    const m = tabularMdpFromJson(tiny());
    expect(m.discount).toBe(1);
    expect(m.rewardStd).toBe(0);
    expect(tabularMdpFromJson(tabularMdpToJson(m))).toEqual(m);
  });

  const bad: [string, (j: TabularMdpJson) => void, RegExp][] = [
    [
      'row sum',
      (j) => (j.transitions[1][0] = [0.5, 0.49]),
      /transitions\[1\]\[0\]: probabilities sum to 0\.99/,
    ],
    [
      'row sum 1e-8 off',
      (j) => (j.transitions[0][1] = [0.2, 0.8 + 1e-8]),
      /transitions\[0\]\[1\]: probabilities sum/,
    ],
    [
      'negative',
      (j) => (j.transitions[0][0] = [1.1, -0.1]),
      /transitions\[0\]\[0\]\[1\]: expected a probability >= 0, got -0\.1/,
    ],
    ['NaN', (j) => (j.rewards[1][0] = Number.NaN), /rewards\[1\]\[0\]: expected a finite number, got NaN/],
    ['dims', (j) => j.transitions[1].pop(), /transitions\[1\]: expected an array of length 2/],
    ['dims of a row', (j) => (j.rewards[0] = [1, 2, 3]), /rewards\[0\]: expected an array of length 2/],
    ['initial', (j) => (j.initial = [0.5, 0.4]), /initial: probabilities sum to 0\.9/],
    ['horizon', (j) => (j.horizon = -2), /horizon: expected an integer >= 1, got -2/],
    ['discount', (j) => (j.discount = 1.5), /discount: expected a number in \[0, 1\], got 1\.5/],
    ['rewardStd', (j) => (j.rewardStd = -1), /rewardStd: expected a finite number >= 0, got -1/],
    ['logits', (j) => (j.logits = [[0, 0]]), /logits: expected an array of length 2/],
    [
      'unknown field',
      (j) => ((j as unknown as Record<string, unknown>).gamma = 0.9),
      /gamma: expected no such field/,
    ],
    ['missing field', (j) => delete (j as Partial<TabularMdpJson>).initial, /initial: expected a value/],
  ];
  test.each(bad)('rejects %s naming the field and index', (_name, mutate, message) => {
    const j = tiny();
    mutate(j);
    expect(() => tabularMdpFromJson(j)).toThrow(EnvConfigError);
    expect(() => tabularMdpFromJson(j)).toThrow(message);
  });

  test('accepts sums within 1e-9 and never renormalises', () => {
    const j = tiny();
    j.transitions[0][0] = [0.9 + 5e-10, 0.1];
    expect(tabularMdpFromJson(j).transitions[0]).toBe(0.9 + 5e-10);
  });

  test('syntax errors are config errors', () => {
    expect(() => parseTabularMdp('{"states": 2,')).toThrow(/mdp: expected valid JSON/);
  });

  test.each([
    ['a top-level key', (t: string) => t.replace('{', '{"horizon": 7, '), 'horizon: expected each key once'],
    [
      'with spaces before the colon',
      (t: string) => t.replace('{', '{"states"  :  2,'),
      'states: expected each key once',
    ],
    [
      'an escaped key',
      (t: string) => t.replace('{', '{"hori\\u007aon": 7, '),
      'horizon: expected each key once',
    ],
  ])('a duplicate key (%s) is an error naming it, not the last value winning', (_name, edit, message) => {
    const text = edit(JSON.stringify(tiny()));
    expect(() => parseTabularMdp(text)).toThrow(EnvConfigError);
    expect(() => parseTabularMdp(text)).toThrow(message);
  });

  test('duplicate keys are found in nested objects, strings with quotes and colons are not keys', () => {
    expect(duplicateJsonKey('{"a": {"b": 1, "b": 2}}')).toBe('a.b');
    expect(duplicateJsonKey('{"a": [{"b": 1}, {"b": 2, "c": 3, "c": 4}]}')).toBe('a[1].c');
    expect(duplicateJsonKey('{"a": "x\\":y", "b": ["a", "a"], "c": {"a": 1}}')).toBeNull();
    expect(duplicateJsonKey(JSON.stringify(tiny()))).toBeNull();
  });

  test('an integer field beyond 2^53 is refused (the double read is not the integer written)', () => {
    expect(() =>
      parseTabularMdp(JSON.stringify(tiny()).replace(/"horizon":\d+/, '"horizon":9007199254740993')),
    ).toThrow('horizon: expected an integer >= 1 and at most 2^53 - 1, got 9007199254740992');
  });

  test('array lengths are checked against states/actions before anything is allocated', () => {
    // S·A·S = 2·10¹² entries: allocating first would throw "Invalid typed array length" or exhaust memory
    const j = { ...tiny(), states: 1_000_000 };
    expect(() => tabularMdpFromJson(j)).toThrow(
      'transitions: expected an array of length 1000000, got "length 2"',
    );
  });
});

describe('tabular MDP environment', () => {
  test('deterministic MDP: hand-computed trajectory, one-hot observations', () => {
    // action 0 stays, action 1 moves to the other state; reward = R[s][a]
    const m = tabularMdpFromJson({
      states: 2,
      actions: 2,
      transitions: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [0, 1],
          [1, 0],
        ],
      ],
      rewards: [
        [1, 2],
        [3, 4],
      ],
      initial: [1, 0],
      horizon: 3,
    });
    const env = TabularMdpEnv.forMdp(m);
    const actionsSeq = [1, 0, 1];
    const batch = rollout(env, m, (_o, t, out) => out.fill(actionsSeq[t]));
    expect(Array.from(batch.observations)).toEqual([1, 0, 0, 1, 0, 1]);
    expect(Array.from(batch.rewards)).toEqual([2, 3, 4]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1]);
  });

  test('random tasks: published defaults (10×5, horizon 10, start state 0, Dirichlet rows)', () => {
    const [m] = tabularMdpTasks().trainTasks(1, 0);
    expect([m.states, m.actions, m.horizon, m.rewardStd]).toEqual([10, 5, 10, 1]);
    expect(m.initial[0]).toBe(1);
    for (let sa = 0; sa < 50; sa++) {
      const row = m.transitions.subarray(sa * 10, sa * 10 + 10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  test('Loaded-DiCE random MDP constants: 5×4, γ = 0.95, rewards (N(0,1)+5)·10', () => {
    const tasks = randomMdpTasks().trainTasks(50, 1);
    const r = tasks.flatMap((m) => Array.from(m.rewards));
    expect([tasks[0].states, tasks[0].actions, tasks[0].discount]).toEqual([5, 4, 0.95]);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    expect(Math.abs(mean - 50)).toBeLessThan(4 * (10 / Math.sqrt(r.length)));
    expect(Math.abs(sd - 10)).toBeLessThan(1.5);
  });

  test('Monte-Carlo mean return matches the exact J within a z-bound', () => {
    const m = loadTabularMdp(TINY_MDP_PATH);
    const env = TabularMdpEnv.forMdp(m);
    const n = 20000;
    const batch = rollout(env, m, tabularSoftmaxPolicy(m.logits!, 2, 2), { episodes: n, seed: 5 });
    const g = episodeReturns(batch, m.discount);
    const mean = g.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const exact = expectedReturn(m, m.logits!);
    expect(Math.abs(mean - exact) / (sd / Math.sqrt(n))).toBeLessThan(4);
  });

  test('tabularSoftmaxPolicy with lanesPerPolicy: lane b uses vector ⌊b / L⌋, bit for bit as one rollout per vector', () => {
    const m = loadTabularMdp(TINY_MDP_PATH);
    const env = TabularMdpEnv.forMdp(m);
    const thetas = [
      [0, 0, 0.5, -0.5],
      [2, -1, -3, 1],
      [-2, 2, 0, 0],
    ];
    const L = 4;
    const all = rollout(env, m, tabularSoftmaxPolicy(thetas.flat(), 2, 2, { lanesPerPolicy: L }), {
      episodes: thetas.length * L,
      seed: 7,
    });
    for (const [k, th] of thetas.entries()) {
      const one = rollout(env, m, tabularSoftmaxPolicy(th, 2, 2), {
        episodes: L,
        episodeOffset: k * L,
        seed: 7,
      });
      const T = one.horizon;
      expect(all.actions.subarray(k * L * T, (k + 1) * L * T)).toEqual(one.actions);
      expect(all.rewards.subarray(k * L * T, (k + 1) * L * T)).toEqual(one.rewards);
    }
  });

  test('tabularSoftmaxPolicy rejects bad shapes, lanes beyond the vectors and non-one-hot observations', () => {
    const m = loadTabularMdp(TINY_MDP_PATH);
    const env = TabularMdpEnv.forMdp(m);
    expect(() => tabularSoftmaxPolicy([0, 0, 0], 2, 2)).toThrow(/logits: expected length 4/);
    expect(() => tabularSoftmaxPolicy([0, 0, 0, 0, 0], 2, 2, { lanesPerPolicy: 1 })).toThrow(
      /logits: expected a positive multiple of 4/,
    );
    expect(() => tabularSoftmaxPolicy([], 2, 2, { lanesPerPolicy: 1 })).toThrow(EnvConfigError);
    expect(() => tabularSoftmaxPolicy([0, 0, 0, 0], 2, 2, { lanesPerPolicy: 0 })).toThrow(
      /lanesPerPolicy: expected an integer >= 1, got 0/,
    );
    expect(() => tabularSoftmaxPolicy([0, 0, 0, 0], 2, 2, { lanesPerPolicy: 1.5 })).toThrow(EnvConfigError);
    const twoLanes = tabularSoftmaxPolicy(new Float64Array(8), 2, 2, { lanesPerPolicy: 1 });
    expect(() => rollout(env, m, twoLanes, { episodes: 3, seed: 0 })).toThrow(
      /lane 2: expected at most 2 lanes/,
    );
    const policy = tabularSoftmaxPolicy(new Float64Array(4), 2, 2, { lanesPerPolicy: 2 });
    const ctx = {
      size: 1,
      rngs: [new Rng(0)],
      active: Uint8Array.of(1),
      taskIndex: new Int32Array(1),
      episodeIndex: new Int32Array(1),
    };
    expect(() => policy(Float64Array.of(0.5, 0.5), 0, new Float64Array(1), ctx)).toThrow(
      /obs\[0\]: expected a one-hot state vector/,
    );
  });

  test('optimal return by backward induction (hand-computed two-step case)', () => {
    const m = tabularMdpFromJson({ ...tiny(), horizon: 2 });
    // t=1: V1(0) = max(0, 1) = 1, V1(1) = max(2, -1) = 2
    // t=0 from state 0: Q(0,0) = 0 + 0.9·1 + 0.1·2 = 1.1; Q(0,1) = 1 + 0.2·1 + 0.8·2 = 2.8
    const opt = optimalReturn(m);
    expect(opt.value).toBeCloseTo(2.8, 14);
    expect(Array.from(opt.policy)).toEqual([1, 0, 1, 0]);
    // no softmax policy beats it
    const rng = new Rng(1);
    for (let i = 0; i < 50; i++)
      expect(expectedReturn(m, rng.fillNormal(new Float64Array(4), 0, 3))).toBeLessThanOrEqual(2.8);
  });

  test('infinite-horizon optimum by value iteration needs γ < 1', () => {
    const m = loadTabularMdp(TINY_MDP_PATH);
    const opt = optimalReturn(m, { horizon: 'infinite' });
    const long = optimalReturn(m, { horizon: 2000 });
    expect(opt.value).toBeCloseTo(long.value, 9);
    expect(() => optimalReturn(tabularMdpFromJson(tiny()), { horizon: 'infinite' })).toThrow(
      /discount: expected < 1/,
    );
  });

  test('out-of-range discrete actions are rejected', () => {
    const m = tabularMdpFromJson(tiny());
    const env = TabularMdpEnv.forMdp(m);
    expect(() => rollout(env, m, (_o, _t, out) => out.fill(2))).toThrow(
      /actions\[0\]: expected an integer in \[0, 1\], got 2/,
    );
    expect(() => rollout(env, m, (_o, _t, out) => out.fill(0.5))).toThrow(/got 0\.5/);
    expect(() => new TabularMdpEnv(0, 2, 3)).toThrow(/states: expected an integer >= 1, got 0/);
  });
});
