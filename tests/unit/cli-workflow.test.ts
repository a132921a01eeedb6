import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { cleanupTemp, hashTree, read, REPO, run, tempRepo, writeFiles } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

const valid = (root: string) => {
  const r = loadWorkspace(root, { base: root });
  expect(r.diagnostics.map((d) => `${d.file}:${d.line} ${d.message}`)).toEqual([]);
  return r.workspace!;
};
const original = (rel: string) => read(REPO, rel);
/** The lines of `after` that differ from `before` (same line count expected). */
const changedLines = (before: string, after: string) => {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.filter((l, i) => l !== a[i]);
};
const addEnv = (root: string, project: string, line: string) => {
  const f = join(root, 'projects', project, 'project.yaml');
  writeFileSync(f, read(root, `projects/${project}/project.yaml`).replace(/^env:\n/m, `env:\n  ${line}\n`));
};
const newProject = (root: string, name: string, env = '{}') =>
  writeFiles(root, { [`projects/${name}/project.yaml`]: `catalyst: 1\nname: ${name}\nsecrets:\n  BILLING_API_KEY: lookup's API key\nenv: ${env}\n` });
/** billing's lookup takes an API key: a project it moves to must declare that secret too. */
const addLookupSecret = (root: string, project: string) => {
  const f = join(root, 'projects', project, 'project.yaml');
  writeFileSync(f, read(root, `projects/${project}/project.yaml`).replace(/^secrets:.*\n/m, (m) => `${m}  BILLING_API_KEY: lookup's API key\n`));
};

describe('catalyst workflow move', () => {
  it('moves into the project that calls it: the caller now calls in-process; contents keep their bytes', async () => {
    const root = tempRepo();
    addEnv(root, 'support-bot', 'CURRENCY: EUR');
    addLookupSecret(root, 'support-bot');
    const r = await run(root, 'workflow', 'move', 'billing/lookup', 'support-bot');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'moved   projects/billing/workflows/lookup.yaml → projects/support-bot/workflows/lookup.yaml',
        'updated projects/support-bot/workflows/ask.yaml',
        'calls rewritten:',
        '  support-bot/ask (node plan): billing/lookup → lookup',
        'note: POST /lookup is now served by project "support-bot"; clients of billing\'s URL must switch (deploy support-bot before billing)',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(root, 'projects/billing/workflows/lookup.yaml'))).toBe(false);
    expect(read(root, 'projects/support-bot/workflows/lookup.yaml')).toBe(original('projects/billing/workflows/lookup.yaml'));
    expect(changedLines(original('projects/support-bot/workflows/ask.yaml'), read(root, 'projects/support-bot/workflows/ask.yaml'))).toEqual(['    workflow: lookup']);
    const ws = valid(root);
    expect(ws.projects.find((p) => p.name === 'support-bot')!.workflows.find((w) => w.name === 'ask')!.calls[0]).toEqual({ node: 'plan', project: 'support-bot', workflow: 'lookup', inProcess: true });
  });

  it('callers elsewhere (old/wf) now call other-project/wf', async () => {
    const root = tempRepo();
    newProject(root, 'core', '{ CURRENCY: EUR }');
    const r = await run(root, 'workflow', 'move', 'billing/lookup', 'core');
    expect(r.code).toBe(0);
    expect(changedLines(original('projects/support-bot/workflows/ask.yaml'), read(root, 'projects/support-bot/workflows/ask.yaml'))).toEqual(['    workflow: core/lookup']);
    valid(root);
  });

  it('callers in the old project (wf) call other-project/wf when it is public', async () => {
    const root = tempRepo();
    expect((await run(root, 'workflow', 'visibility', 'billing/tax', 'public')).code).toBe(0);
    newProject(root, 'taxes', '{ TAX_RATE: 0.2 }');
    const invoice = read(root, 'projects/billing/workflows/invoice.yaml');
    const r = await run(root, 'workflow', 'move', 'billing/tax', 'taxes');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(changedLines(invoice, read(root, 'projects/billing/workflows/invoice.yaml'))).toEqual(['    workflow: taxes/tax']);
    valid(root);
  });

  it("the workflow's own calls are rewritten, and its visibility pinned when the new default differs", async () => {
    const root = tempRepo();
    await run(root, 'workflow', 'visibility', 'billing/invoice', 'public');
    // shop defaults to public; tax (no explicit visibility, internal by billing's default) must stay internal.
    writeFiles(root, { 'projects/shop/project.yaml': 'catalyst: 1\nname: shop\nenv: { CURRENCY: USD }\ndefaults: { visibility: public }\n' });
    expect((await run(root, 'workflow', 'move', 'billing/charge', 'shop')).code).toBe(0);
    expect(changedLines(original('projects/billing/workflows/charge.yaml'), read(root, 'projects/shop/workflows/charge.yaml'))).toEqual(['    workflow: billing/invoice']);
    valid(root);
    // A workflow calling into the target project calls in-process after the move.
    writeFiles(root, {
      'projects/misc/project.yaml': 'catalyst: 1\nname: misc\n',
      'projects/misc/workflows/buy.yaml': 'catalyst: 1\nname: buy\nnodes:\n  - id: c\n    type: workflowCall\n    workflow: shop/charge # pay\n    input: { customerId: x, amount: 1 }\n  - id: r\n    type: respond\n',
    });
    valid(root);
    const r = await run(root, 'workflow', 'move', 'misc/buy', 'shop');
    expect(r.code).toBe(0);
    expect(read(root, 'projects/shop/workflows/buy.yaml')).toContain('    workflow: charge # pay\n');
    expect(read(root, 'projects/shop/workflows/buy.yaml')).toContain('\nvisibility: internal\n');
    expect(r.stdout).toContain('  shop/buy (node c): → charge');
    const ws = valid(root);
    expect(ws.projects.find((p) => p.name === 'shop')!.workflows.find((w) => w.name === 'buy')!.visibility).toBe('internal');
  });

  it('refuses an internal workflow called in-process, listing callers and internal targets', async () => {
    const root = tempRepo();
    addEnv(root, 'support-bot', 'CURRENCY: EUR');
    addLookupSecret(root, 'support-bot');
    addEnv(root, 'support-bot', 'TAX_RATE: 0.1');
    const before = hashTree(root);
    const r = await run(root, 'workflow', 'move', 'billing/invoice', 'support-bot');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        'catalyst workflow: cannot move billing/invoice to project "support-bot":',
        '- "billing/invoice" is internal and called in-process from project "billing"; after the move these would be calls to another project, which reach only public workflows:',
        '  billing/charge (node invoice, projects/billing/workflows/charge.yaml:24) calls invoice',
        '  billing/monthly-fee (node invoice, projects/billing/workflows/monthly-fee.yaml:20) calls invoice',
        '  (make it public first: catalyst workflow visibility billing/invoice public, or change those callers)',
        '- "invoice" calls internal workflows of project "billing" in-process; from project "support-bot" it could call only public ones:',
        '  billing/invoice (node tax, projects/billing/workflows/invoice.yaml:16) calls tax',
        '  (move them too, or make them public)',
        '',
      ].join('\n'),
    );
    expect(hashTree(root)).toBe(before);
  });

  it('refuses when the target lacks secrets or env settings the workflow uses (lists them)', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const r = await run(root, 'workflow', 'move', 'support-bot/ticket', 'billing');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('- "ticket" uses secrets that project "billing" does not declare: TICKETS_TOKEN (declare them under secrets: in projects/billing/project.yaml');
    expect(r.stderr).toContain('- "ticket" reads env settings that project "billing" does not set: TICKETS_API_URL (add them under env: in projects/billing/project.yaml)');
    expect(hashTree(root)).toBe(before);
  });

  it('refuses a name collision and a route collision', async () => {
    const root = tempRepo();
    await run(root, 'new', 'workflow', 'support-bot', 'tax');
    await run(root, 'new', 'workflow', 'support-bot', 'pay', '--public', '--path', '/charge');
    const before = hashTree(root);
    const name = await run(root, 'workflow', 'move', 'support-bot/tax', 'billing');
    expect(name.code).toBe(1);
    expect(name.stderr).toContain('project "billing" already has a workflow "tax" (projects/billing/workflows/tax.yaml); rename one of them first');
    const route = await run(root, 'workflow', 'move', 'support-bot/pay', 'billing');
    expect(route.code).toBe(1);
    expect(route.stderr).toContain('route POST /charge is already taken in project "billing" by workflow "charge" (projects/billing/workflows/charge.yaml)');
    expect(hashTree(root)).toBe(before);
  });

  it('a move that would create a project call cycle is rolled back by the validation', async () => {
    const root = tempRepo();
    // core calls support-bot/ask; moving billing/lookup into core makes support-bot call core: a cycle.
    writeFiles(root, {
      'projects/core/project.yaml': 'catalyst: 1\nname: core\nsecrets: { BILLING_API_KEY: lookup API key }\nenv: { CURRENCY: EUR }\n',
      'projects/core/workflows/relay.yaml': 'catalyst: 1\nname: relay\nnodes:\n  - { id: a, type: workflowCall, workflow: support-bot/ask, input: { customerId: x, question: y } }\n  - { id: r, type: respond }\n',
    });
    valid(root);
    const before = hashTree(root);
    const r = await run(root, 'workflow', 'move', 'billing/lookup', 'core');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^catalyst workflow: the change would leave invalid definitions, so nothing was changed:\n/);
    expect(r.stderr).toMatch(/projects call each other in a cycle: (core → support-bot → core|support-bot → core → support-bot)/);
    expect(hashTree(root)).toBe(before);
  });

  it('keeps a .yml extension', async () => {
    const root = tempRepo();
    addEnv(root, 'support-bot', 'CURRENCY: EUR');
    addLookupSecret(root, 'support-bot');
    renameSync(join(root, 'projects/billing/workflows/lookup.yaml'), join(root, 'projects/billing/workflows/lookup.yml'));
    expect((await run(root, 'workflow', 'move', 'billing/lookup', 'support-bot')).code).toBe(0);
    expect(existsSync(join(root, 'projects/support-bot/workflows/lookup.yml'))).toBe(true);
    valid(root);
  });

  it('needs valid definitions to start from', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/support-bot/workflows/classify.yaml'), 'catalyst: 1\nname: classify\nnodes: 5\n');
    const before = hashTree(root);
    const r = await run(root, 'workflow', 'move', 'billing/lookup', 'support-bot');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^catalyst workflow: cannot move billing\/lookup: the definitions have \d+ problem\(s\); fix them first \(catalyst validate\):\n {2}projects\/support-bot/);
    expect(hashTree(root)).toBe(before);
  });

  it('usage errors and unknown names', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const cases: [string[], number, RegExp][] = [
      [['move'], 2, /usage: catalyst workflow move <project>\/<workflow> <other-project>/],
      [['move', 'billing/lookup'], 2, /usage:/],
      [['move', 'lookup', 'support-bot'], 2, /expected <project>\/<workflow>, got "lookup"/],
      [['move', 'billing/lookup', 'billing'], 2, /"billing\/lookup" is already in project "billing"/],
      [['move', 'billing/lokup', 'support-bot'], 1, /project "billing" has no workflow "lokup" \(did you mean "billing\/lookup"\?\)/],
      [['move', 'billing/lookup', 'suport-bot'], 1, /no project "suport-bot" .*\(did you mean "support-bot"\?\)/],
      [[], 2, /say what to do: move or visibility/],
      [['rename'], 2, /unknown action "rename": move or visibility/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run(root, 'workflow', ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(hashTree(root)).toBe(before);
  });
});

describe('catalyst workflow visibility', () => {
  it('public: sets visibility and adds a webhook trigger POST /<name>, after the description', async () => {
    const root = tempRepo();
    const r = await run(root, 'workflow', 'visibility', 'billing/tax', 'public');
    expect(r).toMatchObject({ code: 0, stdout: 'updated projects/billing/workflows/tax.yaml\nbilling/tax is public: POST /tax\nnote: auth: none was written: anyone may call it; to require a key, a token, a password or a signature, see docs/security.md\n' });
    const lines = read(root, 'projects/billing/workflows/tax.yaml').split('\n');
    expect(lines.slice(0, 10)).toEqual([
      '# yaml-language-server: $schema=../../../schemas/workflow.schema.json',
      'catalyst: 1',
      'name: tax',
      "description: Tax for an amount at the project's rate (internal).",
      'visibility: public',
      'trigger:',
      '  type: webhook',
      '  method: POST',
      '  path: /tax',
      'auth: none',
    ]);
    expect(lines.slice(10).join('\n')).toBe(original('projects/billing/workflows/tax.yaml').split('\n').slice(4).join('\n'));
    expect(valid(root).projects[0].workflows.find((w) => w.name === 'tax')!.trigger).toEqual({ type: 'webhook', method: 'POST', path: '/tax' });
  });

  it('internal: removes the trigger; back and forth returns the original bytes', async () => {
    const root = tempRepo();
    expect((await run(root, 'workflow', 'visibility', 'billing/charge', 'internal')).stdout).toContain('billing/charge is internal (route POST /charge removed)');
    expect(read(root, 'projects/billing/workflows/charge.yaml')).not.toContain('trigger');
    valid(root);
    expect((await run(root, 'workflow', 'visibility', 'billing/charge', 'public')).code).toBe(0);
    expect(read(root, 'projects/billing/workflows/charge.yaml')).toBe(original('projects/billing/workflows/charge.yaml'));
  });

  it('--path and --method; a trigger {type: call} is replaced', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), read(root, 'projects/billing/workflows/tax.yaml').replace('input:', 'trigger: { type: call }\ninput:'));
    valid(root);
    const r = await run(root, 'workflow', 'visibility', 'billing/tax', 'public', '--path', '/tax/compute', '--method', 'put');
    expect(r.stdout).toContain('billing/tax is public: PUT /tax/compute');
    expect(valid(root).projects[0].workflows.find((w) => w.name === 'tax')!.trigger).toEqual({ type: 'webhook', method: 'PUT', path: '/tax/compute' });
  });

  it('refuses to make internal a workflow other projects call (lists the callers)', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const r = await run(root, 'workflow', 'visibility', 'billing/lookup', 'internal');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'catalyst workflow: cannot make billing/lookup internal: other projects call it, and they can call only public workflows:\n' +
        '  support-bot/ask (node plan, projects/support-bot/workflows/ask.yaml:20) calls billing/lookup\n(change those callers first)\n',
    );
    expect(hashTree(root)).toBe(before);
  });

  it('route conflicts and bad routes change nothing', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    const taken = await run(root, 'workflow', 'visibility', 'billing/tax', 'public', '--path', '/lookup');
    expect(taken).toMatchObject({ code: 1 });
    expect(taken.stderr).toMatch(/route POST \/lookup is already taken by workflow "billing\/lookup"/);
    expect((await run(root, 'workflow', 'visibility', 'billing/tax', 'public', '--path', '/metrics')).code).toBe(2);
    expect((await run(root, 'workflow', 'visibility', 'billing/tax', 'internal', '--path', '/x')).stderr).toMatch(/--path and --method are for making a workflow public/);
    expect((await run(root, 'workflow', 'visibility', 'billing/tax', 'secret')).stderr).toMatch(/say public or internal, not "secret"/);
    expect((await run(root, 'workflow', 'visibility', 'billing/tax')).stderr).toMatch(/say public or internal\n/);
    expect((await run(root, 'workflow', 'visibility', 'billing/tax', 'public', 'extra')).stderr).toMatch(/unexpected argument "extra"/);
    expect(hashTree(root)).toBe(before);
  });

  it('already there: nothing changes (a different route is refused)', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    expect(await run(root, 'workflow', 'visibility', 'billing/lookup', 'public')).toMatchObject({ code: 0, stdout: 'billing/lookup is already public (POST /lookup); nothing changed\n' });
    expect(await run(root, 'workflow', 'visibility', 'billing/tax', 'internal')).toMatchObject({ code: 0, stdout: 'billing/tax is already internal; nothing changed\n' });
    expect((await run(root, 'workflow', 'visibility', 'billing/lookup', 'public', '--path', '/lookup')).code).toBe(0);
    const moved = await run(root, 'workflow', 'visibility', 'billing/lookup', 'public', '--path', '/find');
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(/already public at POST \/lookup; to change its route, edit trigger in projects\/billing\/workflows\/lookup.yaml/);
    expect(hashTree(root)).toBe(before);
  });

  it('inherited visibility: the key is added explicitly', async () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/billing/project.yaml'), read(root, 'projects/billing/project.yaml').replace('visibility: internal', 'visibility: public\n  auth: none'));
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), read(root, 'projects/billing/workflows/tax.yaml').replace('input:', 'trigger: { type: webhook, path: /tax }\ninput:'));
    writeFileSync(join(root, 'projects/billing/workflows/invoice.yaml'), read(root, 'projects/billing/workflows/invoice.yaml'));
    valid(root);
    expect((await run(root, 'workflow', 'visibility', 'billing/tax', 'internal')).code).toBe(0);
    const text = read(root, 'projects/billing/workflows/tax.yaml');
    expect(text).toContain("description: Tax for an amount at the project's rate (internal).\nvisibility: internal\ninput:");
    valid(root);
  });
});
