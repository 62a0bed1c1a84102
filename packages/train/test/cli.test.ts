import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getNumThreads, setNumThreads } from '@metagrad/autodiff';
import { loadTabularMdp, TINY_MDP_PATH } from '@metagrad/envs';
import {
  defaultStudyMdp,
  exactDerivatives,
  exactMetaGradient,
  type StudyResult,
  study,
} from '@metagrad/estimators';
import { plotSpec } from '../src/cli/plot';
import { runCli as run } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('study prints one row per estimator with a verdict', async () => {
  const r = await run(['study', '--repeats', '30', '--samples', '5', '--baseline', 'fitted']);
  expect(r.code).toBe(0);
  for (const name of ['sf', 'maml', 'dice', 'loaded-dice', 'tmaml', 'lvc'])
    expect(r.out).toMatch(new RegExp(`^${name}\\s`, 'm'));
  expect(r.out).toContain('Hessian verdict');
  expect(r.err).toBe(''); // no progress bar when stderr is not a TTY
});

test('study --json keeps infinite z-scores (biased entries with zero variance) as "Infinity", not null', async () => {
  const r = await run(['study', '--repeats', '20', '--samples', '4', '--estimators', 'sf', '--json']);
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.out) as {
    estimators: { hessian: { maxAbsZ: unknown; consistent: boolean } }[];
  };
  expect(parsed.estimators[0].hessian.maxAbsZ).toBe('Infinity');
  expect(parsed.estimators[0].hessian.consistent).toBe(false);
  expect(r.out).not.toContain('null');
});

test('study --json is deterministic and --out writes the same JSON atomically', async () => {
  const out = path.join(tmp, 'study.json');
  const args = [
    'study',
    '--repeats',
    '20',
    '--samples',
    '4',
    '--seed',
    '3',
    '--estimators',
    'dice,tmaml',
    '--json',
  ];
  const a = await run([...args, '--out', out]);
  const b = await run(args);
  expect(a.code).toBe(0);
  expect(a.out).toBe(b.out);
  expect(fs.readFileSync(out, 'utf8')).toBe(a.out);
  expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  const parsed = JSON.parse(a.out) as StudyResult;
  expect(parsed.kind).toBe('mdp');
  if (parsed.kind === 'mdp') expect(parsed.estimators.map((e) => e.name)).toEqual(['dice', 'tmaml']);
});

test('study --toy gaussian sweeps N', async () => {
  const r = await run([
    'study',
    '--toy',
    'gaussian',
    '--theta',
    '2',
    '--sigma',
    '1',
    '--n',
    '1,10',
    '--repeats',
    '50',
    '--json',
  ]);
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.out);
  expect(parsed.rows.map((x: { n: number; estimator: string }) => `${x.estimator}@${x.n}`)).toEqual([
    'n-sample-sf@1',
    'lsf@1',
    'n-sample-sf@10',
    'lsf@10',
  ]);
});

test('study --meta --alpha 0.1: meta-gradient table, JSON with the exact inner step and meta-gradient', async () => {
  const r = await run(['study', '--meta', '--alpha', '0.1', '--repeats', '20', '--samples', '5']);
  expect(r.code).toBe(0);
  expect(r.out).toContain('meta-gradient of V(θ) = J(θ + α∇J(θ)), α = 0.1');
  expect(r.out).toContain('verdict (exact inner step)');
  expect(r.out).toContain('composed');
  for (const name of ['maml', 'dice', 'tmaml', 'lvc']) expect(r.out).toMatch(new RegExp(`^${name}\\s`, 'm'));
  expect(r.err).toBe('');
  const args = ['study', '--meta', '--alpha', '0.5', '--level', '0.05', '--repeats', '10', '--samples', '3'];
  const j = await run([...args, '--estimators', 'dice,lvc', '--no-composed', '--json']);
  const parsed = JSON.parse(j.out);
  expect(parsed.kind).toBe('meta');
  // named as the options: --alpha is the inner step size, --level the test's level
  expect(parsed.alpha).toBe(0.5);
  expect(parsed.level).toBe(0.05);
  expect(parsed.exact.metaGradient).toEqual(Array.from(exactMetaGradient(defaultStudyMdp(), 0.5)));
  const rows = parsed.estimators as { name: string; claim: { metaGradient: boolean }; composed: unknown }[];
  expect(rows.map((e) => [e.name, e.claim.metaGradient, e.composed])).toEqual([
    ['dice', true, null],
    ['lvc', false, null],
  ]);
});

test('exact --mdp --json gives J, flat grad, nested Hessian w.r.t. the logits, and metaGradient with --alpha', async () => {
  const r = await run(['exact', '--mdp', TINY_MDP_PATH, '--alpha', '0.3', '--json']);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  const mdp = loadTabularMdp(TINY_MDP_PATH);
  const d = exactDerivatives(mdp);
  expect(j.J).toBe(d.J);
  expect(j.grad).toEqual(Array.from(d.grad));
  expect(j.hessian).toHaveLength(4);
  expect(j.hessian[1][2]).toBe(d.hessian[1 * 4 + 2]);
  const meta = exactMetaGradient(mdp, 0.3);
  expect(j.alpha).toBe(0.3);
  expect(j.metaGradient).toEqual(Array.from(meta));
  const plain = await run(['exact', '--mdp', TINY_MDP_PATH, '--terms']);
  expect(plain.out).toContain('J = ');
  expect(plain.out).toContain('causalCrossTime:');
  const terms = JSON.parse((await run(['exact', '--mdp', TINY_MDP_PATH, '--terms', '--json'])).out).terms;
  expect(Object.keys(terms)).toContain('outerCross');
  const flat = (m: number[][]) => m.flat();
  for (const [i, x] of flat(terms.total).entries()) expect(x).toBeCloseTo(flat(j.hessian)[i], 10);
});

test.each([
  [['study', '--repeats', 'abc'], '--repeats: expected an integer >= 2, got "abc"'],
  [['study', '--samples', '0'], '--samples: expected an integer >= 1, got "0"'],
  [['study', '--level', '2'], '--level: expected a number in [1e-9, 0.5], got "2"'],
  [['study', '--level', '1e-300'], '--level: expected a number in [1e-9, 0.5], got "1e-300"'],
  [['study', '--seed', '1e30'], '--seed: expected an integer >= 0, got "1e30" (integers above 2^53 - 1'],
  [
    ['study', '--seed', '9007199254740993'],
    '--seed: expected an integer >= 0, got "9007199254740993" (integers above 2^53 - 1',
  ],
  [
    ['study', '--repeats', '0x10'],
    '--repeats: expected an integer >= 2, got "0x10" (write numbers in decimal)',
  ],
  [
    ['study', '--repeats', '0b11'],
    '--repeats: expected an integer >= 2, got "0b11" (write numbers in decimal)',
  ],
  [['study', '--repeats', '0o17'], '--repeats: expected an integer >= 2, got "0o17"'],
  [['study', '--repeats', ' 12'], '--repeats: expected an integer >= 2, got " 12"'],
  [['study', '--meta', '--alpha', '0x1'], '--alpha: expected a number in (0, Infinity), got "0x1"'],
  [['study', '--toy', 'gaussian', '--n', '1,0x10'], '--n: expected a comma-separated list of integers >= 1'],
  [
    ['study', '--repeats', '10', '--repeats', '20'],
    '--repeats: expected the option once, got it twice (--repeats "10", then --repeats "20")',
  ],
  [['study', '--json', '--json'], '--json: expected the option once, got it twice'],
  [['exact', '--mdp', TINY_MDP_PATH, '--mdp', TINY_MDP_PATH], '--mdp: expected the option once'],
  [['--threads', '2', '--threads', '3', 'estimators'], '--threads: expected the option once'],
  [['train', '--out', 'a', '--out', 'b'], '--out: expected the option once'],
  [['evaluate', 'x', '--tasks', '3', '--tasks', '4'], '--tasks: expected the option once'],
  [['plot', 'x', '--out', 'a.svg', '--out', 'b.svg'], '--out: expected the option once'],
  [['demo', '--json', '--json'], '--json: expected the option once'],
  [
    ['study', '--estimators', 'dice,dice'],
    '--estimators: expected each name once, got "dice" twice in "dice,dice"',
  ],
  [['study', '--alpha', '0.1'], '--alpha: the inner step size is used only with --meta, got 0.1'],
  [['study', '--estimators', 'dice,nope'], '--estimators: expected one of sf, maml, maml-reference, dice'],
  [['study', '--toy', 'cube'], '--toy: expected one of gaussian, got "cube"'],
  [['study', '--toy', 'gaussian', '--n', '1,x'], '--n: expected a comma-separated list of integers >= 1'],
  [['study', '--toy', 'gaussian', '--sigma', '-1'], '--sigma: expected a number in (0, Infinity), got "-1"'],
  [['study', '--theta', '1'], '--theta: expected only with --toy gaussian'],
  [['study', '--baseline', 'oracle'], '--baseline: expected one of exact, fitted, none, got "oracle"'],
  [['study', '--toy', 'gaussian', '--baseline', 'none'], '--baseline: expected only with an MDP problem'],
  [['study', '--toy', 'gaussian', '--samples', '5'], '--samples: expected only with an MDP problem'],
  [
    ['study', '--mdp', '/nonexistent/mdp.json'],
    '--mdp: expected an existing MDP JSON file, got "/nonexistent/mdp.json"',
  ],
  [['study', '--meta', '--toy', 'gaussian'], '--meta: expected an MDP problem, got --toy gaussian'],
  [['study', '--meta', '--alpha', '0'], '--alpha: expected a number in (0, Infinity), got "0"'],
  [['study', '--meta', '--baseline', 'fitted'], '--baseline: expected one of exact, none, got "fitted"'],
  [['study', '--meta', '--level', '1.5'], '--level: expected a number in [1e-9, 0.5], got "1.5"'],
  [['study', '--no-composed'], '--no-composed: expected only with --meta'],
  // resource limits: refused from the sizes alone, before any allocation (each case runs in ms)
  [['study', '--samples', '1e7'], '--max-memory: this study needs an estimated 1907 GiB'],
  [['study', '--samples', '1e7'], 'lower --samples or --batch-size, or raise --max-memory'],
  [
    ['study', '--repeats', '1e9'],
    'most of it the stored estimates), over the budget of 2 GiB; lower --repeats',
  ],
  [['study', '--samples', '1e12'], '--max-memory: this study needs an estimated'],
  [['study', '--meta', '--samples', '1e6'], 'lower --samples or --batch-size'],
  [['study', '--toy', 'gaussian', '--n', '1e9'], 'lower --n or --batch-size, or raise --max-memory'],
  [['study', '--toy', 'gaussian', '--repeats', '1e9'], 'lower --repeats'],
  [['study', '--samples', '1e5', '--max-memory', '0.5'], 'over the budget of 0.5 GiB'],
  [['study', '--max-memory', '0'], '--max-memory: expected a number in (0, Infinity), got "0"'],
  [['study', '--max-work', 'lots'], '--max-work: expected a number in (0, Infinity), got "lots"'],
  [['exact', '--mdp', TINY_MDP_PATH, '--max-work', '10'], '--max-work: the exact oracle needs an estimated'],
  [['exact'], '--mdp: expected a path to an MDP JSON file'],
  [['exact', '--mdp', TINY_MDP_PATH, '--alpha', 'big'], '--alpha: expected a finite number, got "big"'],
])('bad input %j → exit 2 and an error naming the option', async (args, message) => {
  const r = await run(args);
  expect(r.code).toBe(2);
  expect(r.err).toContain(message);
  expect(r.out).toBe('');
});

test('an invalid MDP file is reported with its field', async () => {
  const bad = path.join(tmp, 'bad.json');
  const json = JSON.parse(fs.readFileSync(TINY_MDP_PATH, 'utf8'));
  json.transitions[0][1] = [0.5, 0.6];
  fs.writeFileSync(bad, JSON.stringify(json));
  const r = await run(['exact', '--mdp', bad, '--json']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('transitions[0][1]');
});

test.each([
  ['a duplicate key', (t: string) => t.replace('{', '{"horizon": 50, '), 'horizon: expected each key once'],
  [
    'states far above the arrays',
    (t: string) => t.replace(/"states":\s*\d+/, '"states": 1000000'),
    'transitions: expected an array of length 1000000',
  ],
])('an MDP file with %s is refused (exit 2) before any work', async (_name, edit, message) => {
  const bad = path.join(tmp, 'edited.json');
  fs.writeFileSync(bad, edit(fs.readFileSync(TINY_MDP_PATH, 'utf8')));
  for (const cmd of ['exact', 'study']) {
    const r = await run([cmd, '--mdp', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  }
});

describe('non-finite statistics get no verdict: exit 3, "invalid (non-finite: …)", JSON strings', () => {
  test.each([
    [
      ['study', '--meta', '--alpha', '1e308', '--repeats', '10', '--samples', '3', '--estimators', 'dice,sf'],
      /^dice .*invalid \(non-finite: exact \|bias\|\)/m, // was "unbiased ok" beside a NaN exact bias
    ],
    [
      ['study', '--toy', 'gaussian', '--theta', '1e308', '--n', '1,2', '--repeats', '10'],
      /^lsf .*invalid \(non-finite: exact\[0\]\)$/m, // was "BIASED"
    ],
    [
      ['study', '--toy', 'gaussian', '--sigma', '1e-320', '--n', '1,2', '--repeats', '10'],
      /^n-sample-sf .*invalid \(non-finite: mean\[0\]\)$/m,
    ],
  ])('%j', async (args, row) => {
    const r = await run(args);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(row);
    expect(r.out).not.toMatch(/BIASED \(|BIASED$/m); // no row's verdict (the footnote names the word)
    expect(r.err).toContain('non-finite statistics, no verdict for ');
    const j = await run([...args, '--json']);
    expect(j.code).toBe(3);
    expect(j.out).toContain('"NaN"'); // never null, which also means "absent" in these files
    expect(j.out).toMatch(/"invalid": "[^"]+"/);
  });

  test('exact --json writes NaN as the string "NaN" (as study does), and exits 3 naming the quantity', async () => {
    const huge = path.join(tmp, 'huge.json');
    const json = JSON.parse(fs.readFileSync(TINY_MDP_PATH, 'utf8'));
    json.rewards = json.rewards.map((row: number[]) => row.map(() => 1e308));
    fs.writeFileSync(huge, JSON.stringify(json));
    const r = await run(['exact', '--mdp', huge, '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out).J).toBe('NaN');
    expect(r.out).not.toContain('null');
    expect(r.err).toContain('non-finite result (J)');
  });
});

test.each([
  [
    { horizon: 1_000_000 },
    [],
    {
      exact: '--max-memory: the exact oracle needs an estimated 15.7 GiB (horizon 1000000',
      study: '--max-memory: this study needs an estimated 969 GiB (most of it one batch of estimates)',
    },
  ],
  [
    { horizon: 1_000_000 },
    ['--max-memory', '64'],
    {
      exact: '--max-work: the exact oracle needs an estimated 1.0e+10',
      study: 'lower --samples or --batch-size',
    },
  ],
  [{ states: 1000 }, [], { exact: '--max-work: the exact oracle needs an estimated 4.0e+10 operations' }],
])(
  'an exact oracle over budget (%j %j) is refused at once (exit 2), naming the flag',
  async (change, flags, messages) => {
    const file = path.join(tmp, 'big.json');
    const json = JSON.parse(fs.readFileSync(TINY_MDP_PATH, 'utf8'));
    if ('horizon' in change) json.horizon = change.horizon;
    if ('states' in change) {
      // a dense 1000-state MDP: minutes of work with no output before
      const S = change.states;
      json.states = S;
      json.transitions = Array.from({ length: S }, () =>
        Array.from({ length: 2 }, () => Array(S).fill(1 / S)),
      );
      json.rewards = Array.from({ length: S }, () => [1, 0]);
      json.initial = Array(S).fill(1 / S);
      json.logits = Array.from({ length: S }, () => [0, 0]);
      json.horizon = 10;
    }
    fs.writeFileSync(file, JSON.stringify(json));
    // refused before any work: the error alone, no result printed (speed is the bench's business)
    for (const [cmd, message] of Object.entries(messages)) {
      const r = await run([cmd, '--mdp', file, ...flags]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.out).toBe('');
    }
  },
);

test('estimators lists the table', async () => {
  const r = await run(['estimators']);
  expect(r.code).toBe(0);
  for (const name of ['dice', 'tmaml', 'lvc', 'lsf', 'sf-meta', 'es']) expect(r.out).toContain(name);
});

test('--plot: the figure spec renders to SVG with vega (headless, in a child process since vega is ESM)', () => {
  const results: StudyResult[] = [
    study({
      problem: { kind: 'mdp', mdp: loadTabularMdp(TINY_MDP_PATH) },
      samples: 4,
      repeats: 10,
      estimators: ['dice', 'lvc'],
    }),
    study({ problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [1, 10] }, repeats: 20 }),
    study({
      problem: { kind: 'mdp', mdp: loadTabularMdp(TINY_MDP_PATH) },
      samples: 4,
      repeats: 10,
      estimators: ['dice', 'lvc'],
      meta: { stepSize: 0.1 },
    }),
  ];
  const script = `
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
      const spec = JSON.parse(Buffer.concat(chunks).toString());
      const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
      process.stdout.write(await view.toSVG());
    });`;
  for (const r of results) {
    const p = spawnSync(process.execPath, ['-e', script], {
      input: JSON.stringify(plotSpec(r)),
      cwd: __dirname,
      encoding: 'utf8',
    });
    expect(p.stderr).toBe('');
    expect(p.stdout.startsWith('<svg')).toBe(true);
    // panels, axis titles and the legends are in the figure
    const texts =
      r.kind === 'mdp'
        ? [
            'gradient',
            'Hessian',
            '‖mean ĝ − ∇J‖ (log scale)',
            '‖mean Ĥ − ∇²J‖ (log scale)',
            'verdict',
            'quantity',
          ]
        : r.kind === 'meta'
          ? [
              'meta-gradient, exact inner step',
              'composed (own inner step), not tested',
              'verdict',
              'quantity',
            ]
          : ['variance vs N', '|bias| vs N', 'N (samples per estimate)', 'verdict (vs exact)', 'estimator'];
    for (const t of texts) expect(p.stdout).toContain(`>${t.replace(/&/g, '&amp;')}</text>`);
    // every sampled point has its ±1 s.e. bar around it and a noise floor beside it
    const rows = (plotSpec(r).data as { values: Record<string, number | string>[] }).values;
    const sampled = rows.filter((x) => String(x.kind ?? x.source).startsWith('sampled'));
    expect(sampled.length).toBe(r.kind === 'mdp' ? 2 * 2 : r.kind === 'meta' ? 2 * 2 : 2 * 2 * 2);
    for (const x of sampled) {
      expect(Number(x.lo)).toBeLessThanOrEqual(Number(x.value));
      expect(Number(x.hi)).toBeGreaterThanOrEqual(Number(x.value));
    }
    const floors = rows.filter((x) => String(x.kind ?? x.source).startsWith('noise floor'));
    expect(floors.length).toBe(4);
    if (r.kind === 'mdp') {
      const dice = r.estimators[0];
      const floor = floors.find((x) => x.estimator === 'dice' && x.panel === 'Hessian');
      expect(floor?.value).toBe(Math.max(dice.hessian.standardError, 1e-16));
      // colour by verdict: the rows carry the verdict the table prints
      const h = sampled.find((x) => x.estimator === 'dice' && x.panel === 'Hessian');
      expect(h?.verdict).toBe(dice.hessian.consistent ? 'unbiased ok' : 'BIASED');
    }
  }
});

describe('--threads (matrix-product threads, like torch.set_num_threads)', () => {
  const before = getNumThreads();
  afterEach(() => setNumThreads(before));

  test('sets the engine’s thread count for the command', async () => {
    setNumThreads(2);
    const r = await run(['--threads', '1', 'estimators']);
    expect(r.code).toBe(0);
    expect(getNumThreads()).toBe(1);
  });

  test.each(['0', '1.5', 'two', '257'])('rejects %p with exit 2, naming the option', async (v) => {
    const r = await run(['--threads', v, 'estimators']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--threads: expected an integer/);
    expect(r.out).toBe('');
  });
});
