import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { node, webhookChain, workflow } from '../fixtures/n8n/builder.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sandbox(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-n8n-cli-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

async function cli(cwd: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { cwd, stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, isTTY: false });
  return { code, out, err };
}

const clean = webhookChain([node('Set', 'set', 3.4, { assignments: { assignments: [{ name: 'hello', value: '={{ $json.body.name }}' }] } }), node('Respond', 'respondToWebhook', 1.1, { respondWith: 'json', responseBody: '={"greeting": "Hello {{ $json.hello }}"}' })]);
const withJs = webhookChain([node('JS', 'code', 2, { jsCode: "const fs = require('fs'); return items" }), node('Respond', 'respondToWebhook', 1.1, { respondWith: 'text', responseBody: 'ok' })], 'responseNode', 'POST', 'other');

describe('catalyst import n8n', () => {
  it('imports a clean export: writes a valid project and exits 0', async () => {
    const dir = sandbox({ 'exports/hello.json': { ...clean, name: 'Hello Flow' } });
    const r = await cli(dir, 'import', 'n8n', 'exports/hello.json', '--project', 'hello', '--report', 'out/report.json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('clean    exports/hello.json → hello-flow');
    expect(r.out).toContain('wrote projects/hello (1 workflow(s))');
    expect(readdirSync(join(dir, 'projects', 'hello', 'workflows'))).toEqual(['hello-flow.yaml']);
    expect(loadWorkspace(join(dir, 'projects'), { base: dir }).diagnostics).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report).toMatchObject({ report: 'catalyst-n8n-import', project: 'hello', written: true, summary: { files: 1, clean: 1, partial: 0, refused: 0, workflows: 1, errors: 0 } });
    // validate agrees
    const v = await cli(dir, 'validate', 'projects/hello');
    expect(v.code).toBe(0);
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    const dir = sandbox({ 'in/a.json': clean, 'in/b.json': withJs });
    await cli(dir, 'import', 'n8n', 'in', '--project', 'one', '--allow-partial', '--report', 'one.json');
    await cli(dir, 'import', 'n8n', 'in', '--project', 'one', '--allow-partial', '--into', 'again', '--report', 'two.json');
    const read = (root: string) => readdirSync(join(dir, root, 'one', 'workflows')).map((f) => readFileSync(join(dir, root, 'one', 'workflows', f), 'utf8')).join('\n---\n') + readFileSync(join(dir, root, 'one', 'project.yaml'), 'utf8');
    expect(read('again')).toBe(read('projects'));
    const strip = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(strip('one.json')).toBe(strip('two.json'));
  });

  it('refuses to write anything when there are errors (exit 1), unless --allow-partial (exit 3)', async () => {
    const dir = sandbox({ 'exports/a.json': clean, 'exports/b.json': withJs });
    const r = await cli(dir, 'import', 'n8n', 'exports', '--project', 'mixed');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/1 error\(s\); nothing written \(fix them, or pass --allow-partial/);
    expect(r.out).toContain('error: node "JS", parameter jsCode: the JavaScript code loads the module "fs"');
    expect(existsSync(join(dir, 'projects'))).toBe(false);
    const p = await cli(dir, 'import', 'n8n', 'exports', '--project', 'mixed', '--allow-partial');
    expect(p.code).toBe(3);
    expect(p.out).toContain('error (stubbed): node "JS"');
    expect(p.out).toMatch(/2 export\(s\): 1 clean, 1 partial, 0 refused/);
    expect(loadWorkspace(join(dir, 'projects'), { base: dir }).diagnostics).toEqual([]);
  });

  it('leaves an existing project untouched unless --force; --force replaces it', async () => {
    const dir = sandbox({ 'a.json': clean, 'projects/keep/project.yaml': 'catalyst: 1\nname: keep\n' });
    const r = await cli(dir, 'import', 'n8n', 'a.json', '--project', 'keep');
    expect(r.code).toBe(1);
    expect(r.err).toContain('already exists; choose another --project name, or pass --force');
    expect(readFileSync(join(dir, 'projects', 'keep', 'project.yaml'), 'utf8')).toBe('catalyst: 1\nname: keep\n');
    const f = await cli(dir, 'import', 'n8n', 'a.json', '--project', 'keep', '--force');
    expect(f.code).toBe(0);
    expect(readFileSync(join(dir, 'projects', 'keep', 'project.yaml'), 'utf8')).toContain('Imported from n8n');
    expect(readdirSync(join(dir, 'projects')).filter((x) => x.startsWith('.'))).toEqual([]);
  });

  it('--json prints the report; --dry-run writes nothing; a text report file', async () => {
    const dir = sandbox({ 'a.json': clean });
    const r = await cli(dir, 'import', 'n8n', 'a.json', '--project', 'dry', '--dry-run', '--json', '--report', 'r.txt');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ written: false, summary: { clean: 1 } });
    expect(existsSync(join(dir, 'projects'))).toBe(false);
    expect(readFileSync(join(dir, 'r.txt'), 'utf8')).toContain('1 export(s): 1 clean');
  });

  it('nothing importable: exit 1', async () => {
    const dir = sandbox({ 'a.json': workflow([node('Set', 'set', 3.4, {})], []) });
    const r = await cli(dir, 'import', 'n8n', 'a.json', '--project', 'none', '--allow-partial');
    expect(r.code).toBe(1);
    expect(r.err).toContain('nothing could be imported');
  });

  it('--rewrite-url replaces URL prefixes', async () => {
    const dir = sandbox({ 'a.json': webhookChain([node('Call', 'httpRequest', 4.2, { url: 'https://api.example.com/v1/items' })], 'lastNode') });
    const r = await cli(dir, 'import', 'n8n', 'a.json', '--project', 'rw', '--rewrite-url', 'https://api.example.com=http://127.0.0.1:1234');
    expect(r.code).toBe(0);
    const wf = readdirSync(join(dir, 'projects', 'rw', 'workflows'))[0];
    expect(readFileSync(join(dir, 'projects', 'rw', 'workflows', wf), 'utf8')).toContain('url: http://127.0.0.1:1234/v1/items');
  });

  it.each([
    [[], 'give the format and the files'],
    [['zapier', 'a.json', '--project', 'x'], 'unknown import format "zapier"'],
    [['n8n', '--project', 'x'], 'at least one n8n export'],
    [['n8n', 'a.json'], '--project <name> is required'],
    [['n8n', 'a.json', '--project', 'Bad_Name'], 'project name "Bad_Name" is invalid'],
    [['n8n', 'a.json', '--project', 'xy', '--rewrite-url', 'nonsense'], '--rewrite-url takes <from>=<to>'],
    [['n8n', 'a.json', '--project', 'x', '--bogus'], 'unknown option --bogus'],
  ])('usage error %j', async (argv, message) => {
    const dir = sandbox({ 'a.json': clean });
    const r = await cli(dir, 'import', ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it.each([
    ['missing.json', 'no such file or directory'],
    ['bad.json', 'not JSON'],
    ['notwf.json', 'not an n8n workflow export'],
    ['empty', 'no *.json files'],
  ])('input error %s', async (file, message) => {
    const dir = sandbox({ 'bad.json': '{nope', 'notwf.json': { hello: 1 }, 'empty/readme.txt': 'x' });
    const r = await cli(dir, 'import', 'n8n', file, '--project', 'xy');
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it('unwraps exports wrapped in an array or under "workflow"', async () => {
    const dir = sandbox({ 'list.json': [clean], 'wrapped.json': { workflow: { ...withJs, nodes: (withJs.nodes as unknown[]).slice(0, 1) } } });
    const r = await cli(dir, 'import', 'n8n', 'list.json', 'wrapped.json', '--project', 'wrapped', '--dry-run');
    expect(r.out).toMatch(/2 export\(s\): 2 clean/);
  });

  it('has a usage text', async () => {
    const r = await cli(sandbox({}), 'help', 'import');
    expect(r.out).toContain('catalyst import n8n <file.json|dir>');
  });
});
