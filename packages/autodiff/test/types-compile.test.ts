/**
 * Runs the type-level test (transform-types.test.ts) through the compiler inside the test suite,
 * not only in `npm run typecheck`: jest's swc transform strips types without checking them, so
 * its `@ts-expect-error` lines would otherwise prove nothing here. An unused `@ts-expect-error`
 * is a compile error, so zero diagnostics means every line meant to fail does fail.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

test('the transforms’ type-level assertions compile, and the lines meant to fail do fail', () => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(__dirname, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('test/tsconfig.json did not parse');
  const file = path.join(__dirname, 'transform-types.test.ts');
  const program = ts.createProgram({ rootNames: [file], options: config.options });
  const messages = ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(messages).toEqual([]);
  const expectErrors = (ts.sys.readFile(file) ?? '').match(/@ts-expect-error/g) ?? [];
  expect(expectErrors.length).toBeGreaterThanOrEqual(10);
}, 120_000);
