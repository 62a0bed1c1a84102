import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TINY_MDP_PATH } from '@metagrad/envs';
import { runCli } from './run-cli';

// the built CLI, with stdout and stderr piped (not terminals), as a script or CI sees it
const bin = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
const env = { ...process.env };
delete env.FORCE_COLOR;
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-cli-output-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const QUICK = ['--repeats', '20'];

test('--version prints the version of package.json', () => {
  const p = cli(['--version']);
  expect(p.status).toBe(0);
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  expect(p.stdout.trim()).toBe(pkg.version);
});

test.each([
  [['study', ...QUICK]],
  [['exact', '--mdp', TINY_MDP_PATH]],
  [['estimators']],
  [['train', '--help']],
])('%p piped: no escape codes on stdout or stderr', (args) => {
  const p = cli(args);
  expect(p.status).toBe(0);
  expect(p.stdout).not.toContain('\x1b');
  expect(p.stderr).not.toContain('\x1b');
});

const widest = (s: string) => Math.max(...s.split('\n').map((l) => [...l].length));
/** The words of an output, without the table rules: wrapping may move and repeat them, not change them. */
const words = (s: string) => new Set(s.split(/\s+/).filter((w) => w !== '' && !/^-+$/.test(w)));

describe.each([
  [['study', ...QUICK]],
  [['study', '--meta', ...QUICK]],
  [['study', '--toy', 'gaussian', ...QUICK]],
  [['estimators']],
  [['exact', '--mdp', TINY_MDP_PATH]],
  [['train', '--help']],
])('%p', (args) => {
  test('fits 100 columns; --wide prints the same words unwrapped', async () => {
    const r = await runCli(args);
    expect(r.code).toBe(0);
    expect(widest(r.out)).toBeLessThanOrEqual(100);
    if (args[0] === 'train') return;
    const wide = await runCli([...args, '--wide']);
    expect(wide.code).toBe(0);
    expect(words(r.out)).toEqual(words(wide.out));
  });
});

test('study --wide keeps the full-width table', async () => {
  const r = await runCli(['study', ...QUICK, '--wide']);
  expect(r.out).toMatch(/^estimator .* Hessian verdict$/m);
});

describe('--plot and plot --out: the format follows the extension, checked before the work', () => {
  test.each([
    [['study', '--plot', 'fig.gif'], '--plot: expected a figure file ending in .svg or .png, got "fig.gif"'],
    [['study', '--plot', 'fig.pdf'], 'PDF is not supported'],
    [
      ['study', '--plot', '/nonexistent/x.svg'],
      '--plot: expected a writable file path, got "/nonexistent/x.svg"',
    ],
    [['plot', 'nowhere', '--out', 'fig.jpg'], '--out: expected a figure file ending in .svg or .png'],
  ])('%p exits 2 at once', async (args, message) => {
    // 50000 repeats would take minutes: the refusal comes before any of them
    const r = await runCli(args[0] === 'study' ? [...args, '--repeats', '50000'] : args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });

  test('study --plot x.png prints the table, then writes a PNG', () => {
    const png = path.join(tmp, 'study.png');
    const p = cli(['study', ...QUICK, '--plot', png]);
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('Hessian verdict');
    expect(fs.readFileSync(png).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
  });

  test('study --plot x.svg writes SVG', () => {
    const svg = path.join(tmp, 'study.svg');
    const p = cli(['study', '--toy', 'gaussian', ...QUICK, '--plot', svg]);
    expect(p.status).toBe(0);
    expect(fs.readFileSync(svg, 'utf8').startsWith('<svg')).toBe(true);
  });
});
