import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-es-plot-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// vega is ESM, which jest's CommonJS runtime cannot import: plot runs in the built CLI
const bin = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
const plot = (args: string[]) => spawnSync(process.execPath, [bin, 'plot', ...args], { encoding: 'utf8' });

test('plot --trajectories draws ES-MAML and PG-MAML exploration side by side, and refuses other envs', async () => {
  const es = path.join(tmp, 'es');
  const pg = path.join(tmp, 'pg');
  const common = [
    '--env',
    'four-corners',
    '--env-option',
    'horizon=30',
    '--meta-batch',
    '2',
    '--iterations',
    '1',
    '--quiet',
  ];
  expect((await runCli(['train', '--algo', 'es-maml', '--k', '3', ...common, '--out', es])).code).toBe(0);
  const pgArgs = ['--algo', 'maml', '--hidden', '4', '--fast-batch', '3', '--outer', 'vpg', ...common];
  expect((await runCli(['train', ...pgArgs, '--out', pg])).code).toBe(0);
  const svg = path.join(tmp, 'paths.svg');
  const p = plot(['--trajectories', es, pg, '--tasks', '2', '--out', svg]);
  expect(p.stderr).toBe('');
  expect(p.status).toBe(0);
  const text = fs.readFileSync(svg, 'utf8');
  for (const label of [
    'ES-MAML (hill-climb, linear, K=3)',
    'PG-MAML (maml, vpg, K=3)',
    'exploration',
    'adapted',
    'test task',
  ])
    expect(text).toContain(label);
  const cart = path.join(tmp, 'cart');
  expect(
    (
      await runCli([
        'train',
        '--algo',
        'es-maml',
        '--env',
        'cartpole',
        '--iterations',
        '0',
        '--quiet',
        '--out',
        cart,
      ])
    ).code,
  ).toBe(0);
  const bad = plot(['--trajectories', cart, '--out', svg]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(
    /--trajectories: expected runs on four-corners or navigation2d .*got env "cartpole"/,
  );
});
