/**
 * Using metagrad outside this repository: each package's `npm pack` tarball installs into a
 * fresh project with no network (`npm ci --offline`, see consumer-project.ts), and there ESM
 * `import`, CommonJS `require`, the `metagrad` command and the type declarations all work.
 * Values are checked against closed forms (∇ Σx² = 2x), so a broken build cannot pass.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, writeConsumerProject } from './consumer-project';

const USE = `
const g = grad((x: Tensor) => sum(square(x)))(tensor([1, 2, 3]));
const toy = makeEnv('gaussian-toy', { n: 4 }).toy;
const report = { grad: Array.from(g.data), toyN: toy.n, dice: typeof dice, policy: typeof TabularSoftmaxPolicy };
console.log(JSON.stringify(report));
// @ts-expect-error the types came with the packages: a gradient is a Tensor, not a number
export const wrong: number = grad((x: Tensor) => sum(square(x)))(tensor([1]));
`;
const IMPORTS = {
  esm: `import { grad, square, sum, type Tensor, tensor } from '@metagrad/autodiff';
import { makeEnv } from '@metagrad/envs';
import { dice } from '@metagrad/estimators';
import { TabularSoftmaxPolicy } from '@metagrad/train';`,
  cjs: `import autodiff = require('@metagrad/autodiff');
import envs = require('@metagrad/envs');
import estimators = require('@metagrad/estimators');
import train = require('@metagrad/train');
const { grad, square, sum, tensor } = autodiff;
type Tensor = autodiff.Tensor;
const { makeEnv } = envs;
const { dice } = estimators;
const { TabularSoftmaxPolicy } = train;`,
};
const EXPECTED = { grad: [2, 4, 6], toyN: 4, dice: 'function', policy: 'function' };

let dir = '';
let app = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-consumer-'));
  app = writeConsumerProject(dir);
  execFileSync(
    'npm',
    ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, npm_config_offline: 'true' },
    },
  );
  fs.writeFileSync(path.join(app, 'use.mts'), `${IMPORTS.esm}\n${USE}`);
  fs.writeFileSync(path.join(app, 'use.cts'), `${IMPORTS.cjs}\n${USE}`);
}, 300_000);
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const node = (file: string) =>
  JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' }));

test('the installed packages’ types resolve: a strict nodenext project compiles ESM and CommonJS users', () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node'];
  // @types/node is the user's own dev dependency; here it is borrowed from the monorepo
  args.push('--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'use.mts', 'use.cts');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: app, encoding: 'utf8' });
  } catch (e) {
    output = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(output).toBe('');
  expect(
    fs
      .readdirSync(app)
      .filter((f) => /^use\.(mjs|cjs)$/.test(f))
      .sort(),
  ).toEqual(['use.cjs', 'use.mjs']);
}, 120_000);

test('ESM import and CommonJS require of the installed packages compute ∇ Σx² = 2x', () => {
  expect(node('use.mjs')).toEqual(EXPECTED);
  expect(node('use.cjs')).toEqual(EXPECTED);
});

test('the installed metagrad command runs', () => {
  const version = execFileSync(path.join(app, 'node_modules', '.bin', 'metagrad'), ['--version'], {
    cwd: app,
    encoding: 'utf8',
  });
  const { version: expected } = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'packages/train/package.json'), 'utf8'),
  );
  expect(version.trim()).toBe(expected);
});
