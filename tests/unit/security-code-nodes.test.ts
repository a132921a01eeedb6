import { afterAll, describe, expect, it } from 'vitest';
import { checkPythonCode, codeLines, PythonUnavailableError } from '../../src/definitions/python-check.ts';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

/** A workflow with one code node whose `code:` is the given YAML (block or flow scalar), then respond. */
const withCode = (codeYaml: string) => wfDiags(`nodes:\n  - id: c\n    type: code\n    inputs: { a: 1 }\n    code: ${codeYaml}\n  - { id: done, type: respond }\n`);

describe('finding 5: code node bodies are compiled by Python at validate time', () => {
  it('a form feed that would move lines out of the function is refused, positioned', () => {
    // Parses as Python, but `import os` and the `if` would run at module level (import time).
    const ds = withCode('"x = 1\\n\\fimport os\\n\\fif True:\\n\\f    os.system(\\"id\\")"');
    expectDiag(ds, /ends up outside the code node's function/, { path: 'nodes[0].code', line: 7 });
  });
  it('a form feed anywhere in the indentation is refused', () => {
    expectDiag(withCode('"\\fimport os\\nreturn {}"'), /^Python: /, { path: 'nodes[0].code' });
  });
  it('NUL byte, unbalanced bracket, unclosed triple quote, await outside async: positioned errors', () => {
    expectDiag(withCode('"a = 1\\nb = \\"\\0\\""'), /NUL byte/, { path: 'nodes[0].code' });
    const block = (body: string) => withCode(`|\n${body.split('\n').map((l) => `      ${l}`).join('\n')}`);
    // block literal: body line 2 is file line 9 (code: | is on line 7); column inside the file.
    expectDiag(block('x = 1\nreturn (a,\n'), /'\(' was never closed/, { line: 9, col: 14 });
    expectDiag(block("s = '''abc\nreturn 1\n"), /unterminated triple-quoted string/, { line: 8, col: 11 });
    expectDiag(block('y = await thing()\nreturn {}'), /'await' outside async function/, { line: 8 });
    expectDiag(block('if a:\nreturn 1'), /IndentationError/, { line: 9 });
    expectDiag(withCode('"return {\'a\': a"'), /was never closed|'\{'/, { path: 'nodes[0].code', line: 7, col: 19 });
  });
  it('valid bodies (nested defs, classes, comments, blank lines, tabs) still pass', () => {
    const r = loadFiles({
      'pp/project.yaml': PROJECT,
      'pp/workflows/w.yaml': 'catalyst: 1\nname: w\nnodes:\n  - id: c\n    type: code\n    inputs: { a: 1 }\n    outputs: [b]\n    code: |\n      # double it\n      def twice(x):\n      \treturn x * 2\n\n      class K:\n          pass\n      return {"b": twice(a)}\n  - { id: done, type: respond }\n',
    });
    expectValid(r);
  });
  it('checks many bodies with one interpreter run and caches results', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ params: ['a'], code: i % 2 ? `return {"v": a + ${i}}` : `return (${i}` }));
    const res = checkPythonCode(items);
    expect(res.filter(Boolean)).toHaveLength(100);
    expect(res[0]).toMatchObject({ line: 1, col: 8 });
  });
  it('no interpreter: every code node gets an error, nothing is silently skipped', () => {
    expect(() => checkPythonCode([{ params: [], code: 'return 99999' }], { CATALYST_PYTHON: '/nonexistent/python' })).toThrow(PythonUnavailableError);
  });
  it('codeLines is the single dedent used by codegen', async () => {
    const names = await import('../../src/codegen/names.ts');
    expect(names.dedent).toBe(codeLines);
  });
});
