/**
 * Finding 7: explicit limits instead of crashes, fuzzed per class. Every input either validates (and then
 * its generated Python compiles) or gets positioned diagnostics; nothing throws, nothing exits 70.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApp } from '../../src/codegen/index.ts';
import { MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH } from '../../src/expressions/parse.ts';
import { MAX_NODES } from '../../src/definitions/schema.ts';
import { MAX_YAML_DEPTH } from '../../src/definitions/yaml.ts';
import { MAX_N8N_DEPTH } from '../../src/n8n/export.ts';
import { cleanupTemp, run, tempDir } from '../helpers/cli-workspace.ts';
import { loadFiles, PROJECT } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

/** Seeded PRNG (mulberry32): the same cases on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const compiled: { label: string; source: string }[] = [];

/** Load a one-workflow project; → 'valid' (after generating) or the diagnostics, which must be positioned. */
function attempt(label: string, workflowYaml: string): 'valid' | string[] {
  const r = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': workflowYaml });
  if (r.workspace) {
    const p = r.workspace.projects[0];
    const app = generateApp(p, r.workspace, { catalystVersion: '0.0.0-test' });
    for (const [path, source] of app.files) if (path.startsWith('app/workflows/') && path.endsWith('.py')) compiled.push({ label: `${label}: ${path}`, source });
    return 'valid';
  }
  for (const d of r.diagnostics) expect(d.line, `${label}: ${d.message}`).toBeGreaterThan(0);
  return r.diagnostics.map((d) => d.message);
}

const wf = (nodes: string) => `catalyst: 1\nname: w\nnodes:\n${nodes}`;
const setNode = (value: string) => `  - id: t\n    type: transform\n    set:\n      v: ${value}\n  - { id: r, type: respond, body: "{{ nodes.t.v }}" }\n`;

describe('limits, each class fuzzed around its limit', () => {
  const random = rng(15);
  const sizes = (limit: number, n: number, far: number) => [1, limit - 1, limit, limit + 1, far, ...Array.from({ length: n }, () => 1 + Math.floor(random() * limit * 1.5))];

  it(`node count (limit ${MAX_NODES}); the 5,000-node chain that used to overflow the stack`, () => {
    for (const n of sizes(MAX_NODES, 6, 5000)) {
      const nodes = Array.from({ length: n }, (_, i) => `  - { id: n${i}, type: transform, set: { i: ${i} } }\n`).join('');
      const r = attempt(`${n} nodes`, wf(nodes));
      if (n <= MAX_NODES) expect(r, `${n} nodes`).toBe('valid');
      else expect((r as string[]).join('\n')).toMatch(new RegExp(`at most ${MAX_NODES} nodes`));
    }
  }, 120_000);

  it(`operator chains (depth limit ${MAX_EXPRESSION_DEPTH}); 300 and 100,000 terms`, () => {
    for (const terms of sizes(MAX_EXPRESSION_DEPTH, 10, 300).concat([100_000])) {
      const op = ['+', '*', '&&', '??', '=='][Math.floor(random() * 5)];
      const expr = Array.from({ length: terms }, () => (terms < 1000 ? 'input.a' : '1')).join(` ${op} `);
      const r = attempt(`${terms} terms of ${op}`, `input: { type: object, properties: { a: { type: number } } }\n${wf(setNode(JSON.stringify(`{{ ${expr} }}`)))}`);
      if (r !== 'valid') expect(r.join('\n'), `${terms} terms`).toMatch(/nests more than|characters long; the limit is/);
      if (terms >= 300) expect(r).not.toBe('valid');
    }
  }, 120_000);

  it(`bracket nesting in expressions (limit ${MAX_EXPRESSION_DEPTH}); 5,000 parentheses`, () => {
    for (const depth of sizes(MAX_EXPRESSION_DEPTH, 10, 5000)) {
      const open = ['(', '['][Math.floor(random() * 2)];
      const expr = open === '(' ? `${'('.repeat(depth)}1${')'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
      const r = attempt(`${depth} × ${open}`, wf(setNode(JSON.stringify(`{{ ${expr} }}`))));
      if (depth > MAX_EXPRESSION_DEPTH) expect((r as string[]).join('\n')).toMatch(/nest \d+ deep; the limit is|characters long|nests more than/);
    }
  }, 120_000);

  it(`expression length (limit ${MAX_EXPRESSION_CHARS} characters)`, () => {
    for (const len of [MAX_EXPRESSION_CHARS - 10, MAX_EXPRESSION_CHARS + 10, 200_000]) {
      const expr = `"${'x'.repeat(len - 2)}"`;
      const r = attempt(`${len} chars`, wf(setNode(JSON.stringify(`{{ ${expr} }}`))));
      if (len > MAX_EXPRESSION_CHARS) expect((r as string[]).join('\n')).toMatch(/characters long; the limit is/);
      else expect(r).toBe('valid');
    }
  });

  it(`nesting of YAML values (limit ${MAX_YAML_DEPTH}); 5,000 levels`, () => {
    for (const depth of sizes(MAX_YAML_DEPTH, 8, 5000)) {
      const kind = random() < 0.5;
      const value = kind ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{ a: '.repeat(depth)}1${' }'.repeat(depth)}`;
      const r = attempt(`${depth} levels`, wf(setNode(value)));
      // The value sits 4 levels down (nodes, node, set, v).
      if (depth + 4 > MAX_YAML_DEPTH) expect((r as string[]).join('\n')).toMatch(/nest \d+ levels deep here; the limit is|YAML/);
    }
  }, 120_000);

  it('every accepted case generated Python that compiles', () => {
    expect(compiled.length).toBeGreaterThan(20);
    const code = 'import json, sys\nout = []\nfor label, src in json.load(sys.stdin):\n    try:\n        compile(src, label, "exec")\n    except (SyntaxError, RecursionError, MemoryError, ValueError) as e:\n        out.append(label + ": " + repr(e))\nprint(json.dumps(out))';
    const r = spawnSync('python3', ['-c', code], { input: JSON.stringify(compiled.map((c) => [c.label, c.source])), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  }, 120_000);
});

describe('n8n imports that nest too deep are refused with the node named (no crash)', () => {
  /** The export's text, with the second node's parameters spliced in as JSON text (too deep to stringify here). */
  const exportWith = (parametersJson: string) =>
    JSON.stringify({ name: 'deep', nodes: [{ name: 'Hook', type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { path: 'x' } }, { name: 'Deep Node', type: 'n8n-nodes-base.set', typeVersion: 3, parameters: '@P@' }], connections: { Hook: { main: [[{ node: 'Deep Node', type: 'main', index: 0 }]] } } }).replace('"@P@"', parametersJson);
  const cases: [string, string][] = [
    ['a JSON parameter 5,000 levels deep', `{"jsonOutput": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
    ['an expression with 5,000 nested parentheses', JSON.stringify({ value: `={{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}` })],
    [`a parameter ${MAX_N8N_DEPTH + 1} levels deep`, `{"v": ${'['.repeat(MAX_N8N_DEPTH + 1)}1${']'.repeat(MAX_N8N_DEPTH + 1)}}`],
  ];
  for (const [what, parameters] of cases) {
    it(what, async () => {
      const root = tempDir();
      mkdirSync(join(root, 'exports'));
      writeFileSync(join(root, 'exports', 'deep.json'), exportWith(parameters));
      const r = await run(root, 'import', 'n8n', 'exports/deep.json', '--project', 'deep');
      expect(r.code, r.stderr).not.toBe(70);
      expect(r.code).toBeGreaterThan(0);
      expect(r.stderr).toMatch(/exports\/deep\.json: node "Deep Node": parameter .* (nests more than|has brackets nested more than) 64/);
    }, 60_000);
  }
});
