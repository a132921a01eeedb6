/** The javascript node at validation time: acorn syntax errors at their place in the YAML, env rules; and the await rewrite. */
import { afterAll, describe, expect, it } from 'vitest';
import { syncAwait } from '../../src/codegen/javascript.ts';
import { parseFunctionBody } from '../../src/definitions/javascript.ts';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const wf = (node: string) => `nodes:\n${node}\n  - { id: done, type: respond }\n`;

describe('javascript node validation', () => {
  it('a syntax error in a block scalar is reported at its line and column in the file', () => {
    const ds = wfDiags(wf('  - id: js\n    type: javascript\n    code: |\n      const a = 1;\n      return a +* 2;\n'));
    expectDiag(ds, /^JavaScript syntax error: Unexpected token \(line 2 of the code\)$/, { line: 8, col: 17, path: 'nodes[0].code' });
  });
  it('a syntax error in a one-line plain string', () => {
    const ds = wfDiags(wf('  - { id: js, type: javascript, code: return ) }'));
    expectDiag(ds, /^JavaScript syntax error: Unexpected token \(line 1 of the code\)$/, { line: 4, col: 46 });
  });
  it('top-level return and await are allowed; valid code gives no problem', () => {
    expect(wfDiags(wf('  - id: js\n    type: javascript\n    code: |\n      const x = await 1;\n      return { x };\n'))).toEqual([]);
  });
  it('$env reads only declared, non-secret settings', () => {
    const ds = wfDiags(wf('  - { id: js, type: javascript, env: [BASE_URL, API_KEY, NOPE], code: "return {}" }'));
    expectDiag(ds, /"API_KEY" is a secret; JavaScript code cannot read secrets/, { path: 'nodes[0].env[1]' });
    expectDiag(ds, /env "NOPE" is not set by project "pp"/, { path: 'nodes[0].env[2]' });
    expect(ds).toHaveLength(2);
  });
  it('mode is allItems or eachItem', () => {
    expectDiag(wfDiags(wf('  - { id: js, type: javascript, mode: sometimes, code: "return {}" }')), /"sometimes" is not allowed/, { fix: 'one of: "allItems", "eachItem"' });
  });
});

describe('parseFunctionBody / syncAwait', () => {
  it('reports line and column of the first syntax error', () => {
    expect(parseFunctionBody('let a = 1;\nlet = ;')).toEqual({ ok: false, error: { message: 'Unexpected token', line: 2, column: 6 } });
  });
  it('rewrites each await, nested ones included, and leaves other code alone', () => {
    expect(syncAwait('const a = await f(await g(1));\nreturn a;')).toBe('const a = __catalyst.awaited(f(__catalyst.awaited(g(1))));\nreturn a;');
    expect(syncAwait('return { awaitable: 1 }')).toBe('return { awaitable: 1 }');
    expect(syncAwait("const s = 'await x'; return await s")).toBe("const s = 'await x'; return __catalyst.awaited(s)");
  });
});
