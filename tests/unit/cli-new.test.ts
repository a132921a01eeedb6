import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { cleanupTemp, hashTree, listFiles, read, run, tempDir, tempRepo } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

const valid = (root: string) => {
  const r = loadWorkspace(root, { base: root });
  expect(r.diagnostics).toEqual([]);
  return r.workspace!;
};

describe('catalyst new project', () => {
  it('creates project.yaml (with the $schema line) and workflows/', async () => {
    const root = tempRepo();
    const r = await run(root, 'new', 'project', 'shop', '--description', 'Orders: carts & checkout');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('created projects/shop/project.yaml\ncreated projects/shop/workflows/.gitkeep\nnext: catalyst new workflow shop <workflow-name>\n');
    expect(read(root, 'projects/shop/project.yaml')).toBe(
      [
        '# yaml-language-server: $schema=../../schemas/project.schema.json',
        'catalyst: 1',
        'name: shop',
        'description: "Orders: carts & checkout"',
        'secrets: {}',
        'env: {}',
        'defaults:',
        '  visibility: internal',
        '  timeoutMs: 30000',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(root, 'projects/shop/workflows'))).toBe(true);
    const ws = valid(root);
    expect(ws.projects.find((p) => p.name === 'shop')).toMatchObject({ description: 'Orders: carts & checkout', workflows: [], defaults: { visibility: 'internal', timeoutMs: 30000 } });
  });

  it('--public makes public the default visibility; no --description gives an empty one', async () => {
    const root = tempRepo();
    expect((await run(root, 'new', 'project', 'api', '--public')).code).toBe(0);
    expect(read(root, 'projects/api/project.yaml')).toContain('description: ""\n');
    expect(read(root, 'projects/api/project.yaml')).toContain('  visibility: public\n');
    valid(root);
  });

  it('works from inside the repository, and in an empty directory', async () => {
    const root = tempRepo();
    expect((await run(join(root, 'projects/billing/workflows'), 'new', 'project', 'deep')).code).toBe(0);
    expect(existsSync(join(root, 'projects/deep/project.yaml'))).toBe(true);
    const empty = tempDir();
    expect((await run(empty, 'new', 'project', 'first')).code).toBe(0);
    expect(listFiles(empty)).toEqual(['projects/first/project.yaml', 'projects/first/workflows/.gitkeep']);
    valid(empty);
  });

  it('refuses invalid names, saying the rule, and changes nothing', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    for (const name of ['Shop', 'a', 'shop_', '-shop', 'shop-', '1shop', 'x'.repeat(41), 'sh op', 'shop/x']) {
      const r = await run(root, 'new', 'project', name);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toBe(`catalyst new: invalid project name ${JSON.stringify(name)}: project names are 2–40 characters: lower-case letters, digits and -, starting with a letter and not ending with -, e.g. support-bot\n`);
    }
    expect(hashTree(root)).toBe(before);
  });

  it('refuses an existing project (or directory)', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const r = await run(root, 'new', 'project', 'billing');
    expect(r).toMatchObject({ code: 1, stderr: 'catalyst new: project "billing" already exists (projects/billing); choose another name\n' });
    expect(hashTree(root)).toBe(before);
  });

  it('usage errors', async () => {
    const root = tempRepo();
    expect((await run(root, 'new')).stderr).toMatch(/say what to create: project or workflow/);
    expect((await run(root, 'new', 'thing')).stderr).toMatch(/cannot create "thing": project or workflow/);
    expect((await run(root, 'new', 'project')).code).toBe(2);
    expect((await run(root, 'new', 'project', 'a1', 'b2')).stderr).toMatch(/unexpected argument "b2"/);
    expect((await run(root, 'new', 'project', 'ab', '--descripton', 'x')).stderr).toMatch(/unknown option --descripton \(did you mean --description\?\)/);
    expect((await run(root, 'help', 'new')).stdout).toMatch(/^catalyst new project <name>/);
  });
});

describe('catalyst new workflow', () => {
  it('public: webhook POST /<name>, an input schema, a respond node echoing it', async () => {
    const root = tempRepo();
    const r = await run(root, 'new', 'workflow', 'billing', 'refund', '--public', '--description', 'Refund a charge');
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'created projects/billing/workflows/refund.yaml\npublic: POST /refund\nnote: auth: none was written: anyone may call it; to require a key, a token, a password or a signature, see docs/security.md\n' });
    expect(read(root, 'projects/billing/workflows/refund.yaml')).toBe(
      [
        '# yaml-language-server: $schema=../../../schemas/workflow.schema.json',
        'catalyst: 1',
        'name: refund',
        'description: Refund a charge',
        'visibility: public',
        'trigger:',
        '  type: webhook',
        '  method: POST',
        '  path: /refund',
        'auth: none',
        'input:',
        '  type: object',
        '  properties:',
        '    message: { type: string, description: any text; the workflow echoes it }',
        '  required:',
        '    - message',
        'nodes:',
        '  - id: reply',
        '    type: respond',
        '    body:',
        '      message: "{{ input.message }}"',
        '',
      ].join('\n'),
    );
    const wf = valid(root).projects[0].workflows.find((w) => w.name === 'refund')!;
    expect(wf).toMatchObject({ visibility: 'public', trigger: { type: 'webhook', method: 'POST', path: '/refund' } });
    expect(wf.input.required).toEqual(['message']);
    expect(wf.nodes.map((n) => n.type)).toEqual(['respond']);
  });

  it('internal by the project default: no trigger', async () => {
    const root = tempRepo();
    const r = await run(root, 'new', 'workflow', 'billing', 'helper');
    expect(r).toMatchObject({ code: 0, stdout: 'created projects/billing/workflows/helper.yaml\ninternal: call it from billing with `workflow: helper`\n' });
    const text = read(root, 'projects/billing/workflows/helper.yaml');
    expect(text).toContain('visibility: internal\n');
    expect(text).not.toContain('trigger');
    valid(root);
  });

  it('the visibility default follows the project; --internal overrides it', async () => {
    const root = tempRepo();
    await run(root, 'new', 'project', 'api', '--public');
    expect((await run(root, 'new', 'workflow', 'api', 'ping')).stdout).toContain('public: POST /ping');
    expect((await run(root, 'new', 'workflow', 'api', 'quiet', '--internal')).stdout).toContain('internal:');
    valid(root);
  });

  it('--path and --method (case-insensitive)', async () => {
    const root = tempRepo();
    const r = await run(root, 'new', 'workflow', 'billing', 'status', '--public', '--method', 'get', '--path', '/billing/status');
    expect(r.stdout).toContain('public: GET /billing/status');
    expect(valid(root).projects[0].workflows.find((w) => w.name === 'status')!.trigger).toEqual({ type: 'webhook', method: 'GET', path: '/billing/status' });
  });

  it('refusals name what is wrong and change nothing', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const cases: [string[], number, RegExp][] = [
      [['billing', 'Bad_Name'], 2, /invalid workflow name "Bad_Name": workflow names are 1–63 characters: lower-case letters, digits and -, starting with a letter/],
      [['billing', 'charge'], 1, /workflow "billing\/charge" already exists \(projects\/billing\/workflows\/charge.yaml\); choose another name/],
      [['biling', 'x'], 1, /no project "biling" in .*projects \(did you mean "billing"\?\); projects: billing, support-bot/],
      [['billing', 'x', '--public', '--path', '/charge'], 1, /route POST \/charge is already taken by workflow "billing\/charge" \(projects\/billing\/workflows\/charge.yaml\); choose another --path/],
      [['billing', 'charge2', '--public'], 0, /./],
      [['billing', 'x', '--public', '--path', '/health'], 2, /\/health is served by every Catalyst app itself/],
      [['billing', 'x', '--public', '--path', 'nope'], 2, /invalid path "nope": a route path like \/orders\/lookup/],
      [['billing', 'x', '--public', '--method', 'FETCH'], 2, /unknown method "FETCH": one of GET, POST, PUT, PATCH, DELETE/],
      [['billing', 'x', '--path', '/x'], 2, /--path and --method are for public workflows; "billing\/x" would be internal \(add --public\)/],
      [['billing', 'x', '--public', '--internal'], 2, /give --public or --internal, not both/],
      [['billing'], 2, /give the project and the workflow name/],
      [['billing', 'x', 'y'], 2, /unexpected argument "y"/],
    ];
    for (const [args, code, message] of cases) {
      if (code === 0) continue;
      const r = await run(root, 'new', 'workflow', ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(hashTree(root), args.join(' ')).toBe(before);
    }
  });

  it('a workflow that would not validate is rolled back (validation after writing)', async () => {
    const root = tempRepo();
    // other.yaml already claims the name "hello" (a problem of its own); a new hello.yaml would make
    // the name defined twice, a new problem, so nothing is written.
    writeFileSync(join(root, 'projects/billing/workflows/other.yaml'), 'catalyst: 1\nname: hello\nnodes: [{ id: r, type: respond }]\n');
    const before = hashTree(root);
    const r = await run(root, 'new', 'workflow', 'billing', 'hello');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^catalyst new: the change would leave invalid definitions, so nothing was changed:\n/);
    expect(r.stderr).toContain('workflow "hello" is defined twice');
    expect(hashTree(root)).toBe(before);
  });

  it('a broken workspace elsewhere does not block a new workflow', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/support-bot/workflows/ticket.yaml'), 'catalyst: 1\nname: ticket\nnodes: 5\n');
    expect((await run(root, 'new', 'workflow', 'billing', 'fine')).code).toBe(0);
    const ds = loadWorkspace(root, { base: root }).diagnostics;
    expect(ds.every((d) => d.file !== 'projects/billing/workflows/fine.yaml')).toBe(true);
  });
});
