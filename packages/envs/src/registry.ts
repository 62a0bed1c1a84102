import * as path from 'node:path';
import { BanditEnv, banditTasks } from './bandit';
import { CartpoleEnv, cartpoleTasks } from './cartpole';
import { configError, EnvConfigError } from './errors';
import { FourCornersEnv, fourCornersTasks } from './four-corners';
import { type GaussianToy, gaussianToy } from './gaussian-toy';
import { loadTabularMdp } from './mdp-json';
import { NAVIGATION2D_DEFAULTS, Navigation2dEnv, navigation2dTasks } from './navigation2d';
import { PointMassEnv, pointMassTasks } from './point-mass';
import { RANDOM_MDP_DEFAULTS, randomMdpTasks } from './random-mdp';
import { type SinusoidTask, sinusoidTasks } from './sinusoid';
import { TABULAR_MDP_DEFAULTS, TabularMdpEnv, tabularMdpTasks } from './tabular-env';
import type { TabularMdp } from './tabular-mdp';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import type { VecEnv } from './vec-env';

/** One option of a registered environment, described as data so a CLI can list and check it. */
export type OptionSpec =
  | { type: 'int'; default: number; min?: number; max?: number; doc: string }
  | { type: 'number'; default: number; min?: number; max?: number; doc: string }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string }
  | { type: 'string'; default: string; doc: string };

export type OptionValues = Record<string, number | string>;

/** What `makeEnv` returns: an RL environment with its tasks, or a non-RL problem. */
export type MadeEnv =
  | {
      kind: 'rl';
      name: string;
      options: OptionValues;
      env: VecEnv<unknown>;
      tasks: TaskDistribution<unknown>;
    }
  | { kind: 'regression'; name: string; options: OptionValues; tasks: TaskDistribution<SinusoidTask> }
  | { kind: 'toy'; name: string; options: OptionValues; toy: GaussianToy };

/** Each registered environment's kind, so `makeEnv('gaussian-toy')` is typed as the toy variant. */
export interface EnvKinds {
  'bernoulli-bandit': 'rl';
  'gaussian-bandit': 'rl';
  'tabular-mdp': 'rl';
  'random-mdp': 'rl';
  'mdp-file': 'rl';
  navigation2d: 'rl';
  'four-corners': 'rl';
  'point-mass': 'rl';
  cartpole: 'rl';
  sinusoid: 'regression';
  'gaussian-toy': 'toy';
}

export type EnvName = keyof EnvKinds;

/** What `makeEnv(name)` returns: the variant of `name`'s kind for a registered literal, else the union. */
export type MadeEnvOf<N extends string> = N extends EnvName
  ? Extract<MadeEnv, { kind: EnvKinds[N] }>
  : MadeEnv;

interface Entry<K extends MadeEnv['kind'] = MadeEnv['kind']> {
  readonly description: string;
  readonly kind: K;
  readonly options: Record<string, OptionSpec>;
  readonly make: (o: OptionValues) => Extract<MadeEnv, { kind: K }>;
}

/** The CLI's default problem file. */
export const TINY_MDP_PATH = path.join(__dirname, '..', 'examples', 'tiny-mdp.json');

const rl = (
  name: string,
  o: OptionValues,
  // biome-ignore lint/suspicious/noExplicitAny: the registry erases each environment's task type
  env: VecEnv<any>,
  // biome-ignore lint/suspicious/noExplicitAny: as above
  tasks: TaskDistribution<any>,
): Extract<MadeEnv, { kind: 'rl' }> => ({
  kind: 'rl',
  name,
  options: o,
  env,
  tasks,
});

const fixedTask = (name: string, mdp: TabularMdp) => taskDistribution(name, () => mdp);

const ENTRIES: { readonly [N in EnvName]: Entry<EnvKinds[N]> } = {
  'bernoulli-bandit': {
    description: 'k-armed Bernoulli bandit, p_a ∼ U[0,1], one pull per episode',
    kind: 'rl',
    options: {
      arms: { type: 'int', default: 5, min: 1, doc: 'number of arms k (5, 10, 50 in RL²/MAML-RL)' },
      horizon: { type: 'int', default: 1, min: 1, doc: 'pulls per episode' },
    },
    make: (o) =>
      rl(
        'bernoulli-bandit',
        o,
        new BanditEnv(o.arms as number, 'bernoulli', o.horizon as number),
        banditTasks({ arms: o.arms as number }),
      ),
  },
  'gaussian-bandit': {
    description: 'k-armed Gaussian bandit, reward ∼ N(μ_a, 1), μ_a ∼ U[0,1] (or N(0,1))',
    kind: 'rl',
    options: {
      arms: { type: 'int', default: 5, min: 1, doc: 'number of arms k' },
      horizon: { type: 'int', default: 1, min: 1, doc: 'pulls per episode' },
      means: { type: 'enum', default: 'uniform', values: ['uniform', 'normal'], doc: 'law of the arm means' },
    },
    make: (o) =>
      rl(
        'gaussian-bandit',
        o,
        new BanditEnv(o.arms as number, 'gaussian', o.horizon as number),
        banditTasks({ arms: o.arms as number, kind: 'gaussian', means: o.means as 'uniform' | 'normal' }),
      ),
  },
  'tabular-mdp': {
    description: 'random tabular MDP: Dirichlet(1) transitions, R ∼ N(1,1), one-hot states, start 0',
    kind: 'rl',
    options: {
      states: { type: 'int', default: TABULAR_MDP_DEFAULTS.states, min: 1, doc: 'number of states' },
      actions: { type: 'int', default: TABULAR_MDP_DEFAULTS.actions, min: 1, doc: 'number of actions' },
      horizon: { type: 'int', default: TABULAR_MDP_DEFAULTS.horizon, min: 1, doc: 'episode length' },
      discount: { type: 'number', default: TABULAR_MDP_DEFAULTS.discount, min: 0, max: 1, doc: 'γ' },
    },
    make: (o) =>
      rl(
        'tabular-mdp',
        o,
        new TabularMdpEnv(o.states as number, o.actions as number, o.horizon as number, o.discount as number),
        tabularMdpTasks(o as Record<string, number>),
      ),
  },
  'random-mdp': {
    description: 'Loaded-DiCE random MDP: 5×4, R = (N(0,1)+5)·10, γ = 0.95, exact infinite-horizon value',
    kind: 'rl',
    options: {
      states: { type: 'int', default: RANDOM_MDP_DEFAULTS.states, min: 1, doc: 'number of states' },
      actions: { type: 'int', default: RANDOM_MDP_DEFAULTS.actions, min: 1, doc: 'number of actions' },
      discount: { type: 'number', default: RANDOM_MDP_DEFAULTS.discount, min: 0, max: 1, doc: 'γ' },
      horizon: {
        type: 'int',
        default: RANDOM_MDP_DEFAULTS.horizon,
        min: 1,
        doc: 'truncation of sampled episodes',
      },
    },
    make: (o) =>
      rl(
        'random-mdp',
        o,
        new TabularMdpEnv(o.states as number, o.actions as number, o.horizon as number, o.discount as number),
        randomMdpTasks(o as Record<string, number>),
      ),
  },
  'mdp-file': {
    description: "a user's tabular MDP from a JSON file (one fixed task)",
    kind: 'rl',
    options: {
      path: {
        type: 'string',
        default: TINY_MDP_PATH,
        doc: 'JSON file (see docs: states, actions, transitions, ...)',
      },
    },
    make: (o) => {
      const mdp = loadTabularMdp(o.path as string);
      return rl('mdp-file', o, TabularMdpEnv.forMdp(mdp), fixedTask('mdp-file', mdp));
    },
  },
  navigation2d: {
    description: '2D point navigation to a goal ∼ U[−0.5,0.5]² (original MAML code behaviour)',
    kind: 'rl',
    options: {
      horizon: { type: 'int', default: NAVIGATION2D_DEFAULTS.horizon, min: 1, doc: 'episode length' },
      actionBound: { type: 'number', default: NAVIGATION2D_DEFAULTS.actionBound, min: 0, doc: 'action clip' },
      goalBound: { type: 'number', default: NAVIGATION2D_DEFAULTS.goalBound, min: 0, doc: 'goal range' },
      reward: {
        type: 'enum',
        default: NAVIGATION2D_DEFAULTS.reward,
        values: ['distance', 'squared'],
        doc: '−‖s−g‖ or −‖s−g‖²',
      },
      doneTolerance: {
        type: 'number',
        default: NAVIGATION2D_DEFAULTS.doneTolerance,
        min: 0,
        doc: 'per-axis distance that ends the episode',
      },
    },
    make: (o) =>
      rl(
        'navigation2d',
        o,
        new Navigation2dEnv(o as never),
        navigation2dTasks({ goalBound: o.goalBound as number }),
      ),
  },
  'four-corners': {
    description: 'sparse four-corners navigation (ES-MAML or ProMP variant)',
    kind: 'rl',
    options: {
      variant: {
        type: 'enum',
        default: 'es-maml',
        values: ['es-maml', 'promp'],
        doc: 'which public version',
      },
      horizon: { type: 'int', default: 100, min: 1, doc: 'episode length' },
    },
    make: (o) => rl('four-corners', o, new FourCornersEnv(o as never), fourCornersTasks()),
  },
  'point-mass': {
    description:
      '2-D point mass with velocity or direction targets (a stand-in for the MuJoCo locomotion tasks)',
    kind: 'rl',
    options: {
      kind: { type: 'enum', default: 'velocity', values: ['velocity', 'direction'], doc: 'task family' },
      horizon: { type: 'int', default: 100, min: 1, doc: 'episode length' },
      controlCost: { type: 'number', default: 0.05, min: 0, doc: 'weight of ‖a‖² in the reward' },
    },
    make: (o) =>
      rl(
        'point-mass',
        o,
        new PointMassEnv(o as never),
        pointMassTasks({ kind: o.kind as 'velocity' | 'direction' }),
      ),
  },
  cartpole: {
    description: 'cart-pole with a biased pole-angle sensor (NoRML / ES-MAML)',
    kind: 'rl',
    options: { horizon: { type: 'int', default: 500, min: 1, doc: 'episode length' } },
    make: (o) => rl('cartpole', o, new CartpoleEnv({ horizon: o.horizon as number }), cartpoleTasks()),
  },
  sinusoid: {
    description: 'sinusoid regression (K-shot supervised): A ∼ U[0.1,5], φ ∼ U[0,π], x ∼ U[−5,5]',
    kind: 'regression',
    options: {},
    make: (o) => ({ kind: 'regression', name: 'sinusoid', options: o, tasks: sinusoidTasks() }),
  },
  'gaussian-toy': {
    description: '1-D Gaussian N-sample toy: X_i ∼ N(θ, σ²), objective E[−(X̄_N − 1)²]',
    kind: 'toy',
    options: {
      n: { type: 'int', default: 10, min: 1, doc: 'samples N' },
      sigma: { type: 'number', default: 1, min: 0, doc: 'σ' },
    },
    make: (o) => ({
      kind: 'toy',
      name: 'gaussian-toy',
      options: o,
      toy: gaussianToy(o as Record<string, number>),
    }),
  },
};

/** Names of every registered environment, sorted. */
export function envNames(): string[] {
  return Object.keys(ENTRIES).sort();
}

/** Description and option specs of one environment (for `--help` and listings). */
export function describeEnv(name: string): {
  name: string;
  kind: MadeEnv['kind'];
  description: string;
  options: Record<string, OptionSpec>;
} {
  const e = entry(name);
  return { name, kind: e.kind, description: e.description, options: e.options };
}

function entry(name: string): Entry<'rl'> | Entry<'regression'> | Entry<'toy'> {
  const e: Entry<'rl'> | Entry<'regression'> | Entry<'toy'> | undefined = Object.hasOwn(ENTRIES, name)
    ? ENTRIES[name as EnvName]
    : undefined;
  if (!e) throw configError('environment name', name, `one of ${envNames().join(', ')}`);
  return e;
}

/** Check option values against the specs (strings from a command line are parsed), fill defaults. */
export function resolveOptions(name: string, given: Record<string, unknown> = {}): OptionValues {
  const specs = entry(name).options;
  const out: OptionValues = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(specs, key)) {
      const known = Object.keys(specs);
      throw new EnvConfigError(
        `${name}: unknown option ${JSON.stringify(key)}; ${known.length ? `known options: ${known.join(', ')}` : 'it takes no options'}`,
      );
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    const param = `${name}: option ${key}`;
    let v = given[key] ?? spec.default;
    if ((spec.type === 'int' || spec.type === 'number') && typeof v === 'string' && v.trim() !== '')
      v = Number(v);
    if (spec.type === 'int' || spec.type === 'number') {
      const lo = spec.min ?? -Infinity;
      const hi = spec.max ?? Infinity;
      const okType =
        typeof v === 'number' && Number.isFinite(v) && (spec.type === 'number' || Number.isInteger(v));
      if (!okType || (v as number) < lo || (v as number) > hi) {
        const what = spec.type === 'int' ? 'an integer' : 'a finite number';
        const range =
          lo > -Infinity && hi < Infinity ? ` in [${lo}, ${hi}]` : lo > -Infinity ? ` >= ${lo}` : '';
        throw configError(param, given[key], `${what}${range}`);
      }
    } else if (spec.type === 'enum') {
      if (typeof v !== 'string' || !spec.values.includes(v)) {
        throw configError(param, v, `one of ${spec.values.map((s) => JSON.stringify(s)).join(', ')}`);
      }
    } else if (typeof v !== 'string' || v === '') {
      throw configError(param, v, 'a non-empty string');
    }
    out[key] = v as number | string;
  }
  return out;
}

/**
 * Make a registered environment by name: `makeEnv('navigation2d', { reward: 'squared' })`. A
 * literal name gives its variant (`makeEnv('gaussian-toy').toy` needs no check of `kind`); a
 * name only known at run time gives the union, which narrows on `kind`.
 */
export function makeEnv<N extends string>(name: N, options: Record<string, unknown> = {}): MadeEnvOf<N> {
  return entry(name).make(resolveOptions(name, options)) as MadeEnvOf<N>;
}
