/**
 * Generated code is Python that lints and compiles, and means what the definitions say: ruff and
 * py_compile on every generated app, the generated pytest smoke tests, a property test that any Unicode
 * string survives definition → generated Python → runtime value, and the expression semantics table.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanupTemps, fixtureWorkspace, generateInto, loadExample, project, REPO, requirePython, runAsync, testPython, workspaceFrom } from '../helpers/codegen.ts';

const DRIVER = join(REPO, 'tests', 'helpers', 'driver.py');
let python: string;

beforeAll(async () => {
  requirePython();
  python = await testPython();
});
afterAll(() => cleanupTemps());

/** Run workflows in-process through tests/helpers/driver.py. */
async function drive(dir: string, cases: [string, unknown][], env: Record<string, string> = {}): Promise<any[]> {
  const input = JSON.stringify({ env, cases });
  return await new Promise((resolve, reject) => {
    const child = spawn(python, [DRIVER, dir], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`driver failed (${code}):\n${err}`));
      else resolve(JSON.parse(out));
    });
    child.stdin.end(input);
  });
}

describe('generated apps lint, compile and pass their own smoke tests', () => {
  it('ruff check, py_compile and pytest pass for the examples and the fixtures', { timeout: 180_000 }, async () => {
    const kitchen = fixtureWorkspace();
    const targets = [loadExample('billing'), loadExample('support-bot'), { project: project(kitchen, 'kitchen'), workspace: kitchen }, { project: project(kitchen, 'peer'), workspace: kitchen }];
    // Two at a time (this machine has two cores).
    const check = async ({ project: p, workspace }: (typeof targets)[number]) => {
      const { app, dir } = generateInto(p, workspace);
      const ruff = await runAsync(python, ['-m', 'ruff', 'check', '--no-cache', '.'], { cwd: dir });
      expect(ruff.out, `ruff on ${p.name}`).toContain('All checks passed');
      expect(ruff.code).toBe(0);
      const pyFiles = [...app.files.keys()].filter((f) => f.endsWith('.py'));
      expect(pyFiles.length).toBeGreaterThan(15);
      const compile = await runAsync(python, ['-m', 'py_compile', ...pyFiles], { cwd: dir });
      expect(compile.code, compile.out).toBe(0);
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PYTHONDONTWRITEBYTECODE: '1' };
      const pytest = await runAsync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: dir, env });
      expect(pytest.out, `pytest on ${p.name}`).toMatch(/\d+ passed/);
      expect(pytest.code, pytest.out).toBe(0);
    };
    await Promise.all([check(targets[0]), check(targets[1])]);
    await Promise.all([check(targets[2]), check(targets[3])]);
  });
});

// ---------------------------------------------------------------- strings survive, for any Unicode

/** A small seeded PRNG (mulberry32): the property test is reproducible from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOLS: (string | [number, number])[] = [
  ` "'\\\n\r\t{}$%<>&|#:-?!\`~`,
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0x7f, 0xff],
  '\u2028\u2029\ufeff\u0085\u00a0\u200b',
  [0x100, 0xd7ff],
  [0xe000, 0xfffd],
  [0x10000, 0x10ffff],
  '🎉𝄞😀\u{10ffff}',
];

function randomString(rnd: () => number, maxLen = 24): string {
  const len = Math.floor(rnd() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < len; i++) {
    const pool = POOLS[Math.floor(rnd() * POOLS.length)];
    if (typeof pool === 'string') {
      const chars = [...pool];
      s += chars[Math.floor(rnd() * chars.length)];
    } else s += String.fromCodePoint(pool[0] + Math.floor(rnd() * (pool[1] - pool[0] + 1)));
  }
  return s;
}

/** How a literal string is written in a definition so that `{{` stays text. */
function asDefinitionText(s: string): string {
  return s.replace(/\{\{/g, '\\{{');
}

describe('string literals survive definition → generated Python → runtime', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: literals, templates, env values, keys and input values`, { timeout: 60_000 }, async () => {
      const rnd = prng(seed);
      const generated = Array.from({ length: 30 }, () => randomString(rnd));
      const strings = [...new Set([...generated, '', '{{', '\\{{', '}}', '"""', "'''", '\\', '\\\\n', '\0', '\u{1f600}\u{1f600}'])];
      const x = randomString(rnd);
      const env = Object.fromEntries(strings.map((s, i) => [`S${i}`, s]));
      const set: Record<string, string> = {};
      strings.forEach((s, i) => {
        set[`k${i}`] = asDefinitionText(s);
        // A backslash right before {{ escapes it (a template cannot say "backslash, then an expression"),
        // so such a prefix is left out.
        set[`t${i}`] = `${s.endsWith('\\') ? '' : asDefinitionText(s)}{{ input.x }}${asDefinitionText(s)}`;
        set[`e${i}`] = `{{ env.S${i} }}`;
        set[`key:${s}`] = String(i);
      });
      const { workspace } = workspaceFrom({
        'strings/project.yaml': stringify({ catalyst: 1, name: 'strings', env }),
        'strings/workflows/echo.yaml': stringify({
          catalyst: 1,
          name: 'echo',
          visibility: 'public',
          auth: 'none',
          trigger: { type: 'webhook', method: 'POST', path: '/echo' },
          input: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] },
          nodes: [{ id: 'out', type: 'transform', set }],
        }),
      });
      const { dir } = generateInto(project(workspace, 'strings'), workspace);
      const [r] = await drive(dir, [['echo', { x }]]);
      expect(r.status).toBe(200);
      strings.forEach((s, i) => {
        expect(r.body[`k${i}`], `literal ${JSON.stringify(s)}`).toBe(s);
        expect(r.body[`t${i}`], `template ${JSON.stringify(s)}`).toBe(`${s.endsWith('\\') ? '' : s}${x}${s}`);
        expect(r.body[`e${i}`], `env ${JSON.stringify(s)}`).toBe(s);
        expect(r.body[`key:${s}`], `key ${JSON.stringify(s)}`).toBe(String(i));
      });
    });
  }
});

// ---------------------------------------------------------------- expression semantics

const SEMANTICS: [string, string, unknown][] = [
  ['arith', '{{ 1 + 2 * 3 }}', 7],
  ['concat_plus', "{{ input.s + ' ' + input.n }}", 'Hello 7'],
  ['div', '{{ input.n / 2 }}', 3.5],
  ['div_exact', '{{ 6 / 3 }}', 2],
  ['mod_sign', '{{ -7 % 3 }}', -1],
  ['float_mul', '{{ input.f * 2 }}', 5],
  ['coalesce_op', "{{ input.missing ?? 'dflt' }}", 'dflt'],
  ['index', '{{ input.list[0] }}', 3],
  ['index_out', '{{ input.list[9] }}', null],
  ['nested', '{{ input.obj.a }}', 1],
  ['deep_missing', '{{ input.obj.x.y.z }}', null],
  ['or_falsy_zero', "{{ input.z || 'zero is falsy' }}", 'zero is falsy'],
  ['and_empty', "{{ input.empty && 'x' }}", ''],
  ['not_list', '{{ !input.list }}', false],
  ['not_empty_obj', '{{ !input.eobj }}', true],
  ['ternary', "{{ input.n > 5 ? 'big' : 'small' }}", 'big'],
  ['eq_num', '{{ 1 == 1.5 - 0.5 }}', true],
  ['eq_bool_num', '{{ true == 1 }}', false],
  ['lt_str', "{{ 'a' < 'b' }}", true],
  ['lt_null', '{{ input.missing < 1 }}', false],
  ['abs', '{{ abs(-2) }}', 2],
  ['bool', "{{ bool('') }}", false],
  ['coalesce', '{{ coalesce(input.missing, null, 3) }}', 3],
  ['concat_str', "{{ concat('a', 1, input.missing, true) }}", 'a1true'],
  ['concat_list', '{{ concat(input.list, [4]) }}', [3, 1, 2, 4]],
  ['contains_str', "{{ contains('abc', 'b') }}", true],
  ['contains_list', '{{ contains(input.list, 2) }}', true],
  ['contains_obj', "{{ contains(input.obj, 'a') }}", true],
  ['default', '{{ default(input.missing, 5) }}', 5],
  ['endsWith', "{{ endsWith('abc', 'c') }}", true],
  ['float', "{{ float('2.5') }}", 2.5],
  ['int_str', "{{ int('42') }}", 42],
  ['int_trunc', '{{ int(-3.9) }}', -3],
  ['join', "{{ join(input.list, '-') }}", '3-1-2'],
  ['join_default', '{{ join(input.list) }}', '3,1,2'],
  ['json', '{{ json(input.obj) }}', '{"b":2,"a":1}'],
  ['keys', '{{ keys(input.obj) }}', ['a', 'b']],
  ['len_str', "{{ len('héllo🎉') }}", 6],
  ['len_null', '{{ len(input.missing) }}', 0],
  ['lower', "{{ lower('ÀB') }}", 'àb'],
  ['max', '{{ max(1, 5, 3) }}', 5],
  ['min_list', '{{ min(input.list) }}', 1],
  ['parseJson', '{{ parseJson(\'{"x": [1]}\') }}', { x: [1] }],
  ['replace', "{{ replace('a-b-c', '-', '+') }}", 'a+b+c'],
  ['round_half', '{{ round(2.5) }}', 3],
  ['round_neg_half', '{{ round(-2.5) }}', -3],
  ['round_money', '{{ round(1.005, 2) }}', 1.01],
  ['slice_str', "{{ slice('hello', 1, 3) }}", 'el'],
  ['slice_neg', '{{ slice(input.list, -2) }}', [1, 2]],
  ['split', "{{ split('a,b', ',') }}", ['a', 'b']],
  ['startsWith', "{{ startsWith('abc', 'ab') }}", true],
  ['str_null', '{{ str(input.missing) }}', ''],
  ['str_float', '{{ str(input.f * 2) }}', '5'],
  ['str_bool', '{{ str(true) }}', 'true'],
  ['trim', "{{ trim('  x ') }}", 'x'],
  ['upper', "{{ upper('abc') }}", 'ABC'],
  ['values', '{{ values(input.obj) }}', [1, 2]],
  ['template', 'n={{ input.n }} f={{ input.f }} obj={{ input.obj }} t={{ true }} nul={{ input.missing }}', 'n=7 f=2.5 obj={"b":2,"a":1} t=true nul='],
];

describe('expression semantics (docs/workflows.md)', () => {
  it('every operator and function evaluates as documented', { timeout: 60_000 }, async () => {
    const set = Object.fromEntries(SEMANTICS.map(([k, e]) => [k, e]));
    set.now = '{{ now() }}';
    set.uuid = '{{ uuid() }}';
    const { workspace } = workspaceFrom({
      'sem/project.yaml': stringify({ catalyst: 1, name: 'sem' }),
      'sem/workflows/eval.yaml': stringify({
        catalyst: 1,
        name: 'eval',
        input: { type: 'object', additionalProperties: true },
        nodes: [{ id: 'out', type: 'transform', set }],
      }),
      'sem/workflows/bad.yaml': stringify({
        catalyst: 1,
        name: 'bad',
        input: { type: 'object', additionalProperties: true },
        nodes: [{ id: 'oops', type: 'transform', set: { v: '{{ input.s - 1 }}' } }],
      }),
    });
    const { dir } = generateInto(project(workspace, 'sem'), workspace);
    const input = { s: 'Hello', n: 7, f: 2.5, z: 0, empty: '', list: [3, 1, 2], obj: { b: 2, a: 1 }, eobj: {} };
    const [ok, bad] = await drive(dir, [
      ['eval', input],
      ['bad', input],
    ]);
    expect(ok.status).toBe(200);
    for (const [k, , want] of SEMANTICS) expect(ok.body[k], k).toEqual(want);
    expect(ok.body.now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(ok.body.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bad).toMatchObject({ error: 'ExpressionError', code: 'expression_error' });
    expect(bad.message).toContain('cannot apply - to string and number');
  });
});

