/**
 * The READMEs' TypeScript samples are programs: each ```ts block is compiled with `tsc --strict`
 * against the built packages (as a user's project would import them) and run; when a ```text
 * block follows it, the program must print exactly that. A sample that stops compiling or
 * prints something else fails here instead of misleading a reader.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const READMES = [
  'README.md',
  ...fs.readdirSync(path.join(ROOT, 'packages')).map((p) => `packages/${p}/README.md`),
].filter((f) => fs.existsSync(path.join(ROOT, f)));
/** Inside the repository's node_modules, so `@metagrad/*` resolve to the workspace packages. */
const WORK = path.join(ROOT, 'node_modules', '.cache', 'metagrad-readme-samples');

interface Sample {
  name: string;
  code: string;
  expected: string | null;
}

/** ```ts blocks, each with the ```text block right after it (only prose and blank lines between). */
function samples(readme: string): Sample[] {
  const text = fs.readFileSync(path.join(ROOT, readme), 'utf8');
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  const blocks = Array.from(text.matchAll(fence), (m) => ({ lang: m[1], body: m[2], at: m.index ?? 0 }));
  const out: Sample[] = [];
  blocks.forEach((b, i) => {
    if (b.lang !== 'ts') return;
    const next = blocks[i + 1];
    const expected = next?.lang === 'text' ? next.body : null;
    out.push({ name: `${readme.replace(/[/.]/g, '_')}_${out.length}`, code: b.body, expected });
  });
  return out;
}

const all = READMES.flatMap(samples);

test('the READMEs have TypeScript samples, and the engine sample says what it prints', () => {
  expect(all.length).toBeGreaterThanOrEqual(2);
  expect(all.some((s) => s.code.includes('@metagrad/autodiff') && s.expected !== null)).toBe(true);
});

test('every README TypeScript sample compiles under tsc --strict and prints what the README shows', () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const files = all.map((s) => {
    const file = path.join(WORK, `${s.name}.ts`);
    fs.writeFileSync(file, s.code);
    return file;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ['node'],
    outDir: WORK,
  };
  const program = ts.createProgram(files, options);
  const emitted = program.emit();
  const problems = ts
    .getPreEmitDiagnostics(program)
    .concat(emitted.diagnostics)
    .map(
      (d) =>
        `${path.basename(d.file?.fileName ?? '')}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
  expect(problems).toEqual([]);
  for (const s of all) {
    const stdout = execFileSync(process.execPath, [path.join(WORK, `${s.name}.js`)], {
      cwd: WORK,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (s.expected !== null)
      expect({ sample: s.name, stdout }).toEqual({ sample: s.name, stdout: s.expected });
  }
}, 120_000);
