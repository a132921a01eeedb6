/**
 * Translated n8n expressions mean in the generated app what they mean in n8n: each n8n parameter is
 * translated (convertValue), put into a transform node, and the generated Python is run on an item
 * (tests/helpers/driver.py). Each expected value is what n8n's own expression evaluator
 * (n8n-workflow 2.41.0, Workflow.expression.getParameterValue) returned for the same parameter and
 * item when this table was written; the few cases n8n cannot answer say so.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { convertValue, type ExprScope } from '../../src/n8n/expr.ts';
import { unsupported } from '../../src/n8n/issues.ts';
import { baseView } from '../../src/n8n/views.ts';
import { cleanupTemps, generateInto, project, REPO, requirePython, testPython, workspaceFrom } from '../helpers/codegen.ts';

/** [n8n parameter, the item ($json), n8n's answer]. */
const CASES: [string, Record<string, unknown>, unknown][] = [
  // isNotEmpty / isEmpty: '' for text, no items, no keys, else falsy; never fails
  ['={{ $json.s.isNotEmpty() }}', { s: 'x' }, true],
  ['={{ $json.s.isNotEmpty() }}', { s: '' }, false],
  ['={{ $json.s.isNotEmpty() }}', { s: ' ' }, true],
  ['={{ $json.list.isNotEmpty() }}', { list: [] }, false],
  ['={{ $json.list.isNotEmpty() }}', { list: [null] }, true],
  ['={{ $json.obj.isNotEmpty() }}', { obj: {} }, false],
  ['={{ $json.obj.isNotEmpty() }}', { obj: { k: null } }, true],
  ['={{ $json.n.isNotEmpty() }}', { n: 0 }, false],
  ['={{ $json.n.isNotEmpty() }}', { n: 3 }, true],
  ['={{ $json.b.isNotEmpty() }}', { b: false }, false],
  ['={{ $json.b.isNotEmpty() }}', { b: true }, true],
  ['={{ $json.missing.isNotEmpty() }}', {}, false],
  ['={{ $json.missing.isEmpty() }}', {}, true],
  ['={{ $json.obj.isEmpty() }}', { obj: {} }, true],
  ['={{ $json.n.isEmpty() }}', { n: 0 }, true],
  ['={{ $json.s.isEmpty() }}', { s: '0' }, false],
  // replace with a string pattern: the first match only; $$ and $& in the replacement
  ["={{ $json.s.replace('-', '+') }}", { s: 'a-b-c' }, 'a+b-c'],
  ["={{ $json.s.replace('x', '+') }}", { s: 'a-b-c' }, 'a-b-c'],
  ["={{ $json.s.replace('-', '$$') }}", { s: 'a-b-c' }, 'a$b-c'],
  ["={{ $json.s.replace('-', '[$&]') }}", { s: 'a-b-c' }, 'a[-]b-c'],
  ["={{ $json.s.replace('-', '$1') }}", { s: 'a-b-c' }, 'a$1b-c'],
  ["={{ $json.s.replace('', '>') }}", { s: 'abc' }, '>abc'],
  ["={{ $json.s.replaceAll('-', '$$') }}", { s: 'a-b-c' }, 'a$b$c'],
  // substring: start > end swaps, negative is 0, fractions are truncated
  ['={{ $json.s.substring(4, 1) }}', { s: 'abcdef' }, 'bcd'],
  ['={{ $json.s.substring(-2, 3) }}', { s: 'abcdef' }, 'abc'],
  ['={{ $json.s.substring(3, -1) }}', { s: 'abcdef' }, 'abc'],
  ['={{ $json.s.substring(2) }}', { s: 'abcdef' }, 'cdef'],
  ['={{ $json.s.substring(-3) }}', { s: 'abcdef' }, 'abcdef'],
  ['={{ $json.s.substring(1.7, 99) }}', { s: 'abcdef' }, 'bcdef'],
  // a backslash before {{ : literal text, backslash kept
  ['=a \\{{ $json.s }} b', { s: 'x' }, 'a \\{{ $json.s }} b'],
  ['=\\{{ $json.s }} and {{ $json.s }}', { s: 'x' }, '\\{{ $json.s }} and x'],
  // lists interpolated into text: items joined by ","
  ["={{ `tags: ${$json.s.split('-')}` }}", { s: 'a-b-c' }, 'tags: a,b,c'],
  ["={{ `n: ${[1, 'two', null]}!` }}", {}, 'n: 1,two,!'],
  ["=tags: {{ $json.s.split('-') }}", { s: 'a-b-c' }, 'tags: a,b,c'],
  ['=keys: {{ Object.keys($json.obj) }}', { obj: { a: 2 } }, 'keys: a'],
  ['={{ `x${$json.s}y` }}', { s: 'mid' }, 'xmidy'],
  // Math.round rounds .5 up; n8n's .round() away from zero
  ['={{ Math.round($json.n) }}', { n: -2.5 }, -2],
  ['={{ Math.round($json.n) }}', { n: -3.5 }, -3],
  ['={{ Math.round($json.n) }}', { n: 2.5 }, 3],
  ['={{ Math.round($json.n) }}', { n: -2.4 }, -2],
  ['={{ Math.round($json.n) }}', { n: -0.5 }, 0],
  ['={{ $json.n.round() }}', { n: -2.5 }, -3],
  ['={{ $json.n.round(1) }}', { n: 1.25 }, 1.3],
  // $ifEmpty: undefined, null, '', [] and {} are empty; 0 is not
  ["={{ $ifEmpty($json.o, 'd') }}", { o: {} }, 'd'],
  ["={{ $ifEmpty($json.o, 'd') }}", { o: [] }, 'd'],
  ["={{ $ifEmpty($json.o, 'd') }}", { o: 0 }, 0],
  ["={{ $ifEmpty($json.o, 'd') }}", {}, 'd'],
  ["={{ $ifEmpty($json.o, 'd') }}", { o: { k: 1 } }, { k: 1 }],
];

const DRIVER = join(REPO, 'tests', 'helpers', 'driver.py');
let python: string;

beforeAll(async () => {
  requirePython();
  python = await testPython();
});
afterAll(() => cleanupTemps());

function scope(base: string): ExprScope {
  return {
    input: baseView('the item', base),
    workflow: { name: 'Expressions', ownName: 'eval' },
    params: () => undefined,
    env: (name) => `env.${name}`,
    node: (name) => unsupported('node-ref', `there is no node named "${name}"`),
  };
}

/** Run one workflow of a generated app in-process through tests/helpers/driver.py. */
async function drive(dir: string, workflow: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(python, [DRIVER, dir], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code !== 0 ? reject(new Error(`driver failed (${code}):\n${err}`)) : resolve(JSON.parse(out)[0])));
    child.stdin.end(JSON.stringify({ env: {}, cases: [[workflow, input]] }));
  });
}

describe('translated n8n expressions give n8n answers in the generated app', () => {
  it('every case of the table, run by the generated Python', { timeout: 120_000 }, async () => {
    const set: Record<string, unknown> = {};
    const input: Record<string, unknown> = {};
    CASES.forEach(([param, item], i) => {
      set[`c${i}`] = convertValue(param, scope(`input.c${i}`));
      input[`c${i}`] = item;
    });
    set.workflowId = convertValue('=id: {{ $workflow.id }}', scope('input')); // n8n: the saved workflow's id; an export without one: our name
    const { workspace } = workspaceFrom({
      'n8nx/project.yaml': stringify({ catalyst: 1, name: 'n8nx' }),
      'n8nx/workflows/eval.yaml': stringify({
        catalyst: 1,
        name: 'eval',
        input: { type: 'object', additionalProperties: true },
        nodes: [{ id: 'out', type: 'transform', set }],
      }),
    });
    const { dir } = generateInto(project(workspace, 'n8nx'), workspace);
    const r = await drive(dir, 'eval', input);
    expect(r.status, JSON.stringify(r)).toBe(200);
    const wrong = CASES.flatMap(([param, item, want], i) => {
      const got = r.body[`c${i}`];
      return JSON.stringify(got) === JSON.stringify(want) ? [] : [`${param} on ${JSON.stringify(item)}: n8n ${JSON.stringify(want)}, app ${JSON.stringify(got)} (translated ${JSON.stringify(set[`c${i}`])})`];
    });
    expect(wrong).toEqual([]);
    expect(r.body.workflowId).toBe('id: eval');
  });
});
