/**
 * The stack outputs contract (src/contracts/outputs.ts) against its documentation (docs/contracts.md §1)
 * and its two helpers: contractOutputs (what src/index.ts exports) and readOutputFields (what the
 * report reads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractOutputs, OUTPUT_KEYS, readOutputFields, stackOutputsSchema } from '../../src/contracts/outputs.ts';
import { TARGET_NAMES } from '../../src/contracts/targets.ts';
import { REPO } from '../helpers/codegen.ts';

interface DocRow {
  key: string;
  type: string;
}

/** The rows of the table in docs/contracts.md §1 (`| \`key\` | type | meaning |`). */
function documentedOutputs(): DocRow[] {
  const text = readFileSync(join(REPO, 'docs', 'contracts.md'), 'utf8');
  const start = text.indexOf('## 1. Stack outputs');
  const end = text.indexOf('\n## ', start + 1);
  expect(start, 'docs/contracts.md has a "## 1. Stack outputs" section').toBeGreaterThan(-1);
  const rows: DocRow[] = [];
  for (const line of text.slice(start, end).split('\n')) {
    const m = /^\| `([A-Za-z]+)` \| (.+?) \| .+\|$/.exec(line);
    if (m) rows.push({ key: m[1], type: m[2].replace(/\\\|/g, '|') });
  }
  return rows;
}

/** The type text outside `{ … }`, where the top-level `| null` is. */
const topLevel = (type: string) => type.replace(/\{[^}]*\}/g, '{}');
/** The field names inside the first `{ … }` of a type text. */
const innerKeys = (type: string) => [...(/\{([^}]*)\}/.exec(type)?.[1] ?? '').matchAll(/([A-Za-z]+):/g)].map((m) => m[1]);

describe('docs/contracts.md §1 is the contract', () => {
  const rows = documentedOutputs();
  const shape = stackOutputsSchema.shape;

  it('documents every output key, in the contract order, and no other', () => {
    expect(rows.map((r) => r.key)).toEqual(OUTPUT_KEYS);
  });

  it('says "null" exactly where the contract allows null', () => {
    for (const r of rows) {
      const nullable = shape[r.key as keyof typeof shape].safeParse(null).success;
      expect(/\bnull\b/.test(topLevel(r.type)), `${r.key}: documented as "${r.type}"`).toBe(nullable);
    }
  });

  it('lists the target names and the fields of the nested objects', () => {
    const target = rows.find((r) => r.key === 'target')!;
    expect([...target.type.matchAll(/"([a-z]+)"/g)].map((m) => m[1]).sort()).toEqual([...TARGET_NAMES].sort());
    expect(innerKeys(rows.find((r) => r.key === 'version')!.type)).toEqual(Object.keys(shape.version.shape));
    expect(innerKeys(rows.find((r) => r.key === 'rolledBackFrom')!.type)).toEqual(Object.keys(shape.rolledBackFrom.unwrap().shape));
    expect(innerKeys(rows.find((r) => r.key === 'publicRoutes')!.type)).toEqual(Object.keys(shape.publicRoutes.element.shape));
    expect(innerKeys(rows.find((r) => r.key === 'workflows')!.type)).toEqual(Object.keys(shape.workflows.element.shape));
  });
});

describe('contractOutputs', () => {
  it('keeps exactly the contract keys, in order, and refuses a missing one', () => {
    const values = Object.fromEntries([...OUTPUT_KEYS].reverse().map((k) => [k, k]));
    expect(Object.keys(contractOutputs({ ...values, extra: 1 } as never))).toEqual(OUTPUT_KEYS);
    const { url: _url, ...partial } = values;
    expect(() => contractOutputs(partial as never)).toThrow(/stack outputs miss url/);
  });
});

describe('readOutputFields', () => {
  it('reads valid values, nulls invalid ones, drops bad list entries, never reads unknown keys', () => {
    const planted = 'planted-secret-value';
    const f = readOutputFields({
      project: 'billing',
      env: 'prod',
      target: 'fly',
      region: `fra ${planted}`,
      url: 'https://billing.example.com',
      healthUrl: 'https://billing.example.com/health',
      publicRoutes: [{ workflow: 'b', method: 'POST', path: '/b' }, { workflow: 'a', method: 'GET', path: '/a', token: planted }, { workflow: 'a', method: 'GET', path: '/a' }],
      workflows: [{ name: 'b', visibility: 'internal' }, { name: 'a', visibility: 'public' }, { name: planted, visibility: 'secret' }],
      imageRef: 'registry.fly.io/billing@sha256:' + 'a'.repeat(64),
      imageDigest: 'sha256:' + 'a'.repeat(64),
      contentHash: 'b'.repeat(64),
      version: { commit: 'c'.repeat(40), branch: 'main', dirty: 'no', token: planted },
      uptimeCheckId: null,
      consoleUrl: `https://user:${planted}@fly.io/apps/billing`,
      logsUrl: 'javascript:alert(1)',
      password: planted,
    });
    expect(JSON.stringify(f)).not.toContain(planted);
    expect(f).toEqual({
      project: 'billing',
      env: 'prod',
      target: 'fly',
      region: null,
      url: 'https://billing.example.com',
      healthUrl: 'https://billing.example.com/health',
      publicRoutes: [
        { workflow: 'a', method: 'GET', path: '/a' },
        { workflow: 'b', method: 'POST', path: '/b' },
      ],
      workflows: [
        { name: 'a', visibility: 'public' },
        { name: 'b', visibility: 'internal' },
      ],
      imageRef: 'registry.fly.io/billing@sha256:' + 'a'.repeat(64),
      imageDigest: 'sha256:' + 'a'.repeat(64),
      contentHash: 'b'.repeat(64),
      version: { commit: 'c'.repeat(40), branch: 'main', dirty: null },
      uptimeCheckId: null,
      consoleUrl: null,
      logsUrl: null,
    });
  });
});
