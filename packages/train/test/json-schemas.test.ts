/**
 * Every `--json` document validates against its schema in schemas/ (ajv, JSON Schema 2020-12,
 * strict mode, no extra keys), and the schemas bite: documents in the old layouts (flat or
 * triangular Hessians, `alpha` for the test level, `stepSize`, `relativeStd`) are rejected. The
 * matrices are checked against the exact oracle, so one layout really means the same numbers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTabularMdp, TINY_MDP_PATH } from '@metagrad/envs';
import { ESTIMATORS, exactDerivatives } from '@metagrad/estimators';
import Ajv2020 from 'ajv/dist/2020';
import { runCli as run } from './run-cli';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk and edit JSON documents by key
type Doc = any;

const SCHEMAS = path.resolve(__dirname, '..', '..', '..', 'schemas');
const ajv = new Ajv2020({ allErrors: true, strict: true });
for (const f of fs.readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json')))
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), 'utf8')));

function check(name: string, doc: unknown): string[] {
  const validate = ajv.getSchema(`urn:metagrad:schema:${name}:1`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

async function json(args: string[]) {
  const r = await run([...args, '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

const MDP_ARGS = [
  'study',
  '--mdp',
  TINY_MDP_PATH,
  '--repeats',
  '10',
  '--samples',
  '3',
  '--estimators',
  'sf,dice',
];
let docs: Record<string, Doc>;
beforeAll(async () => {
  docs = {
    'study-mdp': await json(MDP_ARGS),
    'study-meta': await json([
      'study',
      '--meta',
      '--repeats',
      '10',
      '--samples',
      '3',
      '--estimators',
      'dice,lvc',
    ]),
    'study-toy': await json(['study', '--toy', 'gaussian', '--n', '1,10', '--repeats', '20']),
    exact: await json(['exact', '--mdp', TINY_MDP_PATH, '--alpha', '0.3', '--terms']),
    estimators: await json(['estimators']),
  };
}, 120_000);

test('one schema file per document, each compiled in strict mode', () => {
  const files = fs.readdirSync(SCHEMAS).sort();
  expect(files).toEqual([
    'common.schema.json',
    'estimators.schema.json',
    'exact.schema.json',
    'study-mdp.schema.json',
    'study-meta.schema.json',
    'study-toy.schema.json',
  ]);
});

test.each(['study-mdp', 'study-meta', 'study-toy', 'exact', 'estimators'])(
  '%s --json validates against its schema',
  (name) => {
    expect(docs[name].schema).toBe(`urn:metagrad:schema:${name}:1`);
    expect(check(name, docs[name])).toEqual([]);
  },
);

test('the old layouts and names are rejected', () => {
  const mdp = structuredClone(docs['study-mdp']) as Doc;
  mdp.exact.hessian = mdp.exact.hessian.flat(); // the flat 16-vector
  expect(check('study-mdp', mdp).join('\n')).toMatch(/\/exact\/hessian\/0 must be array/);
  const tri = structuredClone(docs['study-mdp']) as Doc;
  tri.estimators[0].hessian.mean = [1, 2, 3]; // an upper triangle
  expect(check('study-mdp', tri).join('\n')).toMatch(/hessian\/mean\/0 must be array/);
  const meta = structuredClone(docs['study-meta']) as Doc;
  meta.stepSize = meta.alpha;
  expect(check('study-meta', meta).join('\n')).toMatch(/must NOT have additional properties/);
  const stats = structuredClone(docs['study-toy']) as Doc;
  stats.rows[0].stats.relativeStd = 1;
  expect(check('study-toy', stats).join('\n')).toMatch(
    /\/rows\/0\/stats must NOT have additional properties/,
  );
  const exact = structuredClone(docs.exact) as Doc;
  exact.grad = [exact.grad.slice(0, 2), exact.grad.slice(2)]; // the old [s][a] rows
  expect(check('exact', exact).join('\n')).toMatch(/\/grad\/0 must be/);
});

test('one matrix layout: the Hessians of study and exact are the same nested rows, equal to the oracle', () => {
  const d = exactDerivatives(loadTabularMdp(TINY_MDP_PATH));
  const P = d.grad.length;
  const oracle = Array.from({ length: P }, (_, i) => Array.from(d.hessian.slice(i * P, (i + 1) * P)));
  const mdp = docs['study-mdp'] as Doc;
  expect(docs.exact.hessian).toEqual(oracle);
  expect(mdp.exact.hessian).toEqual(oracle);
  for (const e of mdp.estimators) {
    expect(e.hessian.exact).toEqual(oracle);
    expect(e.hessian.mean).toHaveLength(P);
    for (let i = 0; i < P; i++)
      for (let j = 0; j < P; j++) expect(e.hessian.mean[i][j]).toBe(e.hessian.mean[j][i]);
    const [wi, wj] = e.hessian.worstEntry;
    expect(wi).toBeLessThanOrEqual(wj);
  }
  expect(mdp.exact.grad).toEqual(Array.from(d.grad));
  expect(docs.exact.grad).toEqual(Array.from(d.grad));
});

test('estimators --json lists the table the text shows', async () => {
  const names = (docs.estimators.estimators as { name: string }[]).map((e) => e.name);
  expect(names).toEqual(ESTIMATORS.map((e) => e.name));
  const text = await run(['estimators', '--wide']);
  for (const n of names) expect(text.out).toMatch(new RegExp(`^${n}\\s`, 'm'));
});
