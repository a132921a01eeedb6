/**
 * The import direction of src/ (docs/architecture.md): cli (and src/index.ts, the program's entry) →
 * {gitops, report, infra, codegen, n8n, pulumi} → definitions → expressions → contracts → shared.
 * A layer may skip levels downward. Inside the middle level only infra → codegen, report → pulumi and
 * gitops → pulumi are allowed; nothing imports cli. Type-only and dynamic imports count the same.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

const LEVEL: Record<string, number> = { cli: 5, index: 5, gitops: 4, report: 4, infra: 4, codegen: 4, n8n: 4, pulumi: 4, definitions: 3, expressions: 2, contracts: 1, shared: 0 };
/** Imports allowed between folders of the same (middle) level. */
const SIDEWAYS = new Set(['infra→codegen', 'report→pulumi', 'gitops→pulumi']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The folder of src/ a file belongs to (`index` for src/index.ts). */
function layerOf(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
}

/** Every relative module specifier of a file: import/export … from, import(), side-effect imports, new URL('./x.ts', import.meta.url). */
export function specifiers(text: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"](\.{1,2}\/[^'"]+\.ts)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) out.push({ spec: m[1], line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

export function violation(from: string, to: string): string | null {
  if (from === to) return null;
  if (!(from in LEVEL) || !(to in LEVEL)) return `unknown folder (${!(from in LEVEL) ? from : to}): add it to the layer table`;
  if (to === 'cli' || to === 'index') return 'nothing imports cli';
  if (LEVEL[to] > LEVEL[from]) return `${from} may not import ${to} (imports run downward)`;
  if (LEVEL[to] === LEVEL[from] && !SIDEWAYS.has(`${from}→${to}`)) return `${from} may not import ${to} (same level; allowed: ${[...SIDEWAYS].join(', ')})`;
  return null;
}

describe('import direction of src/', () => {
  it('the rules themselves', () => {
    expect(violation('cli', 'infra')).toBeNull();
    expect(violation('infra', 'codegen')).toBeNull();
    expect(violation('infra', 'gitops')).toMatch(/same level/);
    expect(violation('report', 'pulumi')).toBeNull();
    expect(violation('n8n', 'codegen')).toMatch(/same level/);
    expect(violation('definitions', 'cli')).toBe('nothing imports cli');
    expect(violation('shared', 'contracts')).toMatch(/downward/);
    expect(violation('expressions', 'shared')).toBeNull();
    expect(specifiers("import type { A } from '../x.ts';\nexport { b } from './y.ts';\nconst m = await import('../z.ts');\nimport './side.ts';\nnew URL('./p.ts', import.meta.url)").map((s) => [s.spec, s.line])).toEqual([
      ['../x.ts', 1],
      ['./y.ts', 2],
      ['./side.ts', 4],
      ['../z.ts', 3],
      ['./p.ts', 5],
    ]);
  });

  it('every import in src/ follows them', () => {
    const problems: string[] = [];
    const files = walk(SRC);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const from = layerOf(file);
      for (const { spec, line } of specifiers(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC + '/')) {
          problems.push(`${relative(ROOT, file)}:${line}: imports ${spec}, outside src/`);
          continue;
        }
        const why = violation(from, layerOf(target));
        if (why) problems.push(`${relative(ROOT, file)}:${line}: imports ${spec}: ${why}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
