import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { definitionJsonSchemas } from '../../src/definitions/jsonschema.ts';
import { projectFile, workflowFile } from '../../src/definitions/schema.ts';
import { cleanupTemp, REPO, run, tempDir } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

/** Every example definition file, relative to the repository. */
function exampleFiles(): string[] {
  const out: string[] = [];
  for (const p of readdirSync(join(REPO, 'projects')).sort()) {
    out.push(`projects/${p}/project.yaml`);
    for (const w of readdirSync(join(REPO, 'projects', p, 'workflows')).sort()) if (/\.ya?ml$/.test(w)) out.push(`projects/${p}/workflows/${w}`);
  }
  return out;
}

function ajvFor(file: string) {
  // CommonJS modules: their default export is module.exports, whose `default` is the class / plugin.
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas', file), 'utf8')));
}

describe('committed JSON Schemas', () => {
  it('are in sync with the zod schemas (catalyst schemas --check)', async () => {
    const r = await run(REPO, 'schemas', '--check');
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: 'schemas are up to date\n' });
  });

  it('--check notices a stale or missing file; --write fixes it', async () => {
    const dir = tempDir();
    expect((await run(dir, 'schemas', '--check')).code).toBe(1);
    const w = await run(dir, 'schemas', '--write');
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('schemas/project.schema.json');
    expect((await run(dir, 'schemas', '--check')).code).toBe(0);
    writeFileSync(join(dir, 'schemas/workflow.schema.json'), '{}\n');
    const stale = await run(dir, 'schemas', '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/workflow.schema.json is out of date; run `npx catalyst schemas --write`/);
    expect(Object.keys(definitionJsonSchemas()).sort()).toEqual(['project.schema.json', 'workflow.schema.json']);
  });

  it("every example's $schema comment points at an existing schema of the right kind", () => {
    for (const f of exampleFiles()) {
      const first = readFileSync(join(REPO, f), 'utf8').split('\n')[0];
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, `${f} starts with the $schema comment`).not.toBeNull();
      const target = resolve(dirname(join(REPO, f)), m![1]);
      expect(target).toBe(join(REPO, 'schemas', f.endsWith('project.yaml') ? 'project.schema.json' : 'workflow.schema.json'));
      expect(() => readFileSync(target)).not.toThrow();
    }
  });

  it('every example validates against the committed JSON Schema (ajv, draft 2020-12)', () => {
    const project = ajvFor('project.schema.json');
    const workflow = ajvFor('workflow.schema.json');
    const files = exampleFiles();
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const data = parse(readFileSync(join(REPO, f), 'utf8'));
      const validate = f.endsWith('project.yaml') ? project : workflow;
      expect(validate(data), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the JSON Schema and the zod schema agree on accept/reject for mutated examples', () => {
    const project = ajvFor('project.schema.json');
    const workflow = ajvFor('workflow.schema.json');
    const mutations: [string, (d: Record<string, unknown>) => void][] = [
      ['unknown top-level key', (d) => (d.extra = 1)],
      ['wrong version', (d) => (d.catalyst = 2)],
      ['bad name', (d) => (d.name = 'Bad Name')],
      ['missing name', (d) => delete d.name],
      ['description not a string', (d) => (d.description = 5)],
      ['nodes empty', (d) => (d.nodes = [])],
      ['unknown node type', (d) => Array.isArray(d.nodes) && ((d.nodes[0] as Record<string, unknown>).type = 'nope')],
      ['unknown node key', (d) => Array.isArray(d.nodes) && ((d.nodes[0] as Record<string, unknown>).bogus = 1)],
      ['bad node id', (d) => Array.isArray(d.nodes) && ((d.nodes[0] as Record<string, unknown>).id = '1x')],
      ['bad trigger path', (d) => (d.trigger = { type: 'webhook', path: 'x' })],
      ['bad visibility', (d) => (d.visibility = 'secret')],
      ['timeout not an integer', (d) => (d.timeoutMs = 1.5)],
      ['secret name lower case', (d) => (d.secrets = { lower: 'x' })],
      ['defaults visibility bad', (d) => (d.defaults = { visibility: 'nope' })],
      ['input not an object', (d) => (d.input = { type: 'array' })],
      ['edge with unknown key', (d) => (d.edges = [{ from: 'a', to: 'b', label: 'x' }])],
      ['no change', () => {}],
    ];
    let compared = 0;
    for (const f of exampleFiles()) {
      const isProject = f.endsWith('project.yaml');
      for (const [name, mutate] of mutations) {
        const data = parse(readFileSync(join(REPO, f), 'utf8')) as Record<string, unknown>;
        mutate(data);
        const zodOk = (isProject ? projectFile : workflowFile).safeParse(data).success;
        const validate = isProject ? project : workflow;
        const ajvOk = validate(data) as boolean;
        expect(ajvOk, `${f} with ${name}: zod says ${zodOk}, JSON Schema says ${ajvOk} ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(zodOk);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('…and on 3000 seeded random value changes anywhere in the examples', () => {
    const project = ajvFor('project.schema.json');
    const workflow = ajvFor('workflow.schema.json');
    const files = exampleFiles();
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const values: unknown[] = [null, 0, -1, 1.5, 3_600_001, 'x', 'X_Y', '/p', 'a-b', '1a', '', true, [], {}, ['a'], { a: 1 }, 'GET', 'public', 'webhook', 'respond', 'default'];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const f = files[Math.floor(rnd() * files.length)];
      const data = parse(readFileSync(join(REPO, f), 'utf8')) as Record<string, unknown>;
      let obj: Record<string | number, unknown> = data;
      const path: (string | number)[] = [];
      for (let depth = 0; depth < 6; depth++) {
        const keys: (string | number)[] = Array.isArray(obj) ? obj.map((_, k) => k) : Object.keys(obj);
        if (!keys.length) break;
        const k = keys[Math.floor(rnd() * keys.length)];
        path.push(k);
        const child = obj[k];
        if (rnd() < 0.3 || child === null || typeof child !== 'object') {
          const v = values[Math.floor(rnd() * values.length)];
          const how = rnd();
          if (how < 0.15 && !Array.isArray(obj)) delete obj[k];
          else if (how < 0.25 && !Array.isArray(obj)) obj[`${String(k)}x`] = v;
          else obj[k] = v;
          break;
        }
        obj = child as Record<string | number, unknown>;
      }
      const isProject = f.endsWith('project.yaml');
      const zodOk = (isProject ? projectFile : workflowFile).safeParse(data).success;
      const validate = isProject ? project : workflow;
      const ajvOk = validate(data) as boolean;
      expect(ajvOk, `${f} at ${JSON.stringify(path)}: zod ${zodOk}, JSON Schema ${ajvOk} ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(zodOk);
      if (zodOk) accepted++;
    }
    // Both outcomes must be exercised for the agreement to mean something.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(2900);
  });
});
