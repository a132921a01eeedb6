import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { cleanupTemp, REPO, tempRepo } from '../helpers/cli-workspace.ts';

/**
 * Fuzz the loader: seeded random mutations of the example files must give either a valid workspace or
 * a non-empty list of positioned diagnostics, never an exception.
 */

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GARBAGE = ['{', '}', '[', ']', ':', ': :', '- ', '&a', '*a', '*zz', '!!binary', '!tag', '"', "'", '|', '>', '#', '%YAML 1.2', '---', '...', '\t', '\u0000', '\uFEFF', '\u00e9', '\u{1F600}', '{{', '}}', '{{ nodes. }}', '{{ input.x + }}', '? ', '<<: *a', 'null', '~', '.inf', '-1', '1e999', '0x1F', 'true', '""', '\\', '%', '@', '`'];
const KEYS = ['catalyst', 'name', 'type', 'nodes', 'edges', 'trigger', 'visibility', 'input', 'workflow', 'secrets', 'env', 'branch', 'from', 'to', 'id', 'if', 'cases', 'defaults'];

type Mutation = (lines: string[], r: () => number) => string[];
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)];
const at = (lines: string[], r: () => number) => Math.floor(r() * Math.max(1, lines.length));

const MUTATIONS: Record<string, Mutation> = {
  deleteLine: (l, r) => l.filter((_, i) => i !== at(l, r)),
  duplicateLine: (l, r) => {
    const i = at(l, r);
    return [...l.slice(0, i + 1), l[i] ?? '', ...l.slice(i + 1)];
  },
  flipChar: (l, r) => {
    const i = at(l, r);
    const s = l[i] ?? '';
    const j = Math.floor(r() * Math.max(1, s.length));
    const c = String.fromCharCode(32 + Math.floor(r() * 95));
    return l.map((x, k) => (k === i ? s.slice(0, j) + c + s.slice(j + 1) : x));
  },
  indent: (l, r) => {
    const i = at(l, r);
    const delta = pick([-4, -2, -1, 1, 2, 4], r);
    return l.map((x, k) => (k !== i ? x : delta > 0 ? ' '.repeat(delta) + x : x.replace(new RegExp(`^ {0,${-delta}}`), '')));
  },
  insertGarbage: (l, r) => {
    const i = at(l, r);
    const s = l[i] ?? '';
    const j = Math.floor(r() * (s.length + 1));
    return l.map((x, k) => (k === i ? s.slice(0, j) + pick(GARBAGE, r) + s.slice(j) : x));
  },
  insertLine: (l, r) => {
    const i = at(l, r);
    return [...l.slice(0, i), `${' '.repeat(Math.floor(r() * 6))}${pick(KEYS, r)}: ${pick(GARBAGE, r)}`, ...l.slice(i)];
  },
  truncate: (l, r) => l.slice(0, at(l, r)),
  truncateMidLine: (l, r) => {
    const i = at(l, r);
    return [...l.slice(0, i), (l[i] ?? '').slice(0, Math.floor(r() * (l[i] ?? '').length))];
  },
  swapValues: (l, r) => {
    const i = at(l, r);
    const j = at(l, r);
    const vi = /^(\s*(?:- )?[\w$]+:\s)(.*)$/.exec(l[i] ?? '');
    const vj = /^(\s*(?:- )?[\w$]+:\s)(.*)$/.exec(l[j] ?? '');
    if (!vi || !vj) return l;
    return l.map((x, k) => (k === i ? vi[1] + vj[2] : k === j ? vj[1] + vi[2] : x));
  },
  swapLines: (l, r) => {
    const i = at(l, r);
    const j = at(l, r);
    return l.map((x, k) => (k === i ? l[j] : k === j ? l[i] : x));
  },
  renameKey: (l, r) => {
    const i = at(l, r);
    return l.map((x, k) => (k === i ? x.replace(/^(\s*(?:- )?)([\w$]+):/, (_, p) => `${p}${pick(KEYS, r)}:`) : x));
  },
};

function exampleFiles(): string[] {
  const out: string[] = [];
  for (const p of readdirSync(join(REPO, 'projects')).sort()) {
    out.push(join('projects', p, 'project.yaml'));
    for (const w of readdirSync(join(REPO, 'projects', p, 'workflows')).sort()) out.push(join('projects', p, 'workflows', w));
  }
  return out;
}

describe('loader fuzz', () => {
  afterAll(cleanupTemp);
  const files = exampleFiles();
  const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 500);

  it(`${ROUNDS} seeded mutations of the examples: success or positioned diagnostics, never a throw`, () => {
    const root = tempRepo();
    const originals = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
    const started = Date.now();
    const outcomes = { ok: 0, diagnostics: 0 };
    const seen = new Set<string>();
    for (let seed = 1; seed <= ROUNDS; seed++) {
      const r = prng(seed);
      const file = pick(files, r);
      let lines = originals.get(file)!.split('\n');
      const names: string[] = [];
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) {
        const name = pick(Object.keys(MUTATIONS), r);
        names.push(name);
        lines = MUTATIONS[name](lines, r);
      }
      const text = lines.join('\n');
      writeFileSync(join(root, file), text);
      let result: ReturnType<typeof loadWorkspace>;
      try {
        result = loadWorkspace(root, { base: root });
      } catch (err) {
        throw new Error(`seed ${seed} (${names.join(', ')} on ${file}) threw: ${(err as Error).stack}\n--- input ---\n${text}`);
      }
      if (result.workspace) {
        expect(result.diagnostics).toEqual([]);
        outcomes.ok++;
      } else {
        expect(result.diagnostics.length, `seed ${seed}`).toBeGreaterThan(0);
        for (const d of result.diagnostics) {
          expect(typeof d.file, `seed ${seed}`).toBe('string');
          expect(d.file.length, `seed ${seed}`).toBeGreaterThan(0);
          expect(Number.isInteger(d.line) && d.line >= 0, `seed ${seed}: line ${d.line}`).toBe(true);
          expect(Number.isInteger(d.col) && d.col >= 0, `seed ${seed}: col ${d.col}`).toBe(true);
          expect(typeof d.message === 'string' && d.message.length > 0, `seed ${seed}`).toBe(true);
          expect(d.message, `seed ${seed}`).not.toMatch(/undefined undefined|\[object Object\]/);
          if (d.line > 0) expect(d.line, `seed ${seed}: ${d.file}`).toBeLessThanOrEqual(text.split('\n').length + 1 + (d.file === file ? 0 : 10_000));
          seen.add(d.message.replace(/".*?"/g, '""').slice(0, 40));
        }
        outcomes.diagnostics++;
      }
      writeFileSync(join(root, file), originals.get(file)!);
    }
    // The mutations must actually exercise the error paths, and the whole run stay bounded.
    expect(outcomes.diagnostics).toBeGreaterThan(ROUNDS / 2);
    expect(seen.size).toBeGreaterThan(20);
    // Bounded: on average well under 150 ms per mutation (a few ms without coverage instrumentation).
    expect((Date.now() - started) / ROUNDS).toBeLessThan(150);
    rmSync(root, { recursive: true, force: true });
  }, 180_000);
});
