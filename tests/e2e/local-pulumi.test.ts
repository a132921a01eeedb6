/**
 * End to end with the real Pulumi engine (.tools/pulumi/bin, built by scripts/setup-engine.sh):
 * `catalyst preview/up/outputs/report/down --env local` over the example projects, in a temporary
 * copy of the repository (own file backend, own ports: see harness.ts). The tests run in order and
 * share one deployment, so each builds on the state the previous one left:
 *
 *   preview → up (routes, billing's API key, the cross-project call with billing's peer key, secret
 *   reaches the app) → no-op up through scripts/up.sh (no changes, same pids, healthy report) → a
 *   billing edit replaces only billing → a peer key rotation (config change + up) → no planted
 *   secret in any file → failing health check → missing secret → Ctrl-C → SIGKILL of
 *   pulumi → `npm run down` (scripts/down.sh: the dashboard, then catalyst down) leaves nothing behind.
 *
 * A missing engine fails the suite with the setup command; it is never skipped.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackOutputsSchema } from '../../src/contracts/outputs.ts';
import { alive, E2eRepo, FakeTickets, freePort, plantedSecret, portOpen, post, requirePulumiEngine, waitFor, type CliRun } from './harness.ts';

const BILLING = 'billing.local';
const BOT = 'support-bot.local';
const STACKS = [BILLING, BOT];
const SECRET = plantedSecret();
// billing's secrets, set the documented way over the placeholders of the committed stack file.
const API_KEY = plantedSecret();
const PEER_KEY = plantedSecret();
const PEER_KEY_NEXT = plantedSecret();
const PLANTED = [SECRET, API_KEY, PEER_KEY, PEER_KEY_NEXT];
const KEY = { 'X-Api-Key': API_KEY };
const STEP_MS = 240_000;

let repo: E2eRepo;
const tickets = new FakeTickets();
const ports: Record<string, number> = {};
const timings: [string, number][] = [];
const suiteStart = Date.now();

function url(stack: string): string {
  return `http://127.0.0.1:${ports[stack]}`;
}

/** Fails with the command's output, so a failing step says why. */
function ok(r: CliRun, what: string): CliRun {
  timings.push([what, r.ms]);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-6000)}`);
  return r;
}

async function outputs(): Promise<Record<string, Record<string, any>>> {
  const r = ok(await repo.cli(['outputs', '--env', 'local', '--json']), 'catalyst outputs');
  return JSON.parse(r.stdout) as Record<string, Record<string, any>>;
}

/** Resource changes of the newest update of a stack, without the unchanged ones. */
async function changes(stack: string): Promise<Record<string, number>> {
  const h = await repo.lastUpdate(stack);
  expect(h.kind).toBe('update');
  expect(h.result).toBe('succeeded');
  const c = { ...(h.resourceChanges ?? {}) };
  delete c.same;
  return c;
}

beforeAll(async () => {
  requirePulumiEngine();
  repo = E2eRepo.create();
  ports[BILLING] = await freePort();
  ports[BOT] = await freePort();
  await tickets.start(await freePort());
  repo.setStackConfig(BILLING, 'port', ports[BILLING]);
  repo.setStackConfig(BOT, 'port', ports[BOT]);
  repo.setStackConfig(BOT, 'env', { TICKETS_API_URL: `http://127.0.0.1:${tickets.port}/api` });
}, 60_000);

afterAll(async () => {
  try {
    // The dashboard `npm run up` started (normally stopped by `npm run down` in the last step).
    if (repo) await repo.script('scripts/dashboard.sh', ['stop'], 30_000).catch(() => undefined);
    if (repo && repo.ourProcesses().length > 0) {
      // A step failed with the apps still running: tear down the proper way first.
      await repo.cli(['down', '--env', 'local'], 120_000).catch(() => undefined);
    }
  } finally {
    await tickets.stop();
    await repo?.cleanup();
    const total = ((Date.now() - suiteStart) / 1000).toFixed(1);
    console.log(`e2e timings (s): ${timings.map(([w, ms]) => `${w} ${(ms / 1000).toFixed(1)}`).join('; ')}; suite ${total}`);
  }
}, 180_000);

describe('the real engine on the local stacks', () => {
  it('previews, then deploys both apps; the public routes answer as defined', async () => {
    const preview = ok(await repo.cli(['preview', '--env', 'local']), 'preview (stack init)');
    expect(preview.stderr).toMatch(/billing\.local: creating the stack in the backend/);
    expect(preview.stdout).toMatch(/\+ 5 to create/);
    // The secret is set the documented way, after the stack exists; ports and env went into the files.
    await repo.pulumiOk(['config', 'set', '--secret', 'catalyst:TICKETS_TOKEN', SECRET], BOT);
    expect(readFileSync(repo.path('stacks', `Pulumi.${BOT}.yaml`), 'utf8')).not.toContain(SECRET);
    await repo.pulumiOk(['config', 'set', '--secret', 'catalyst:BILLING_API_KEY', API_KEY], BILLING);
    await repo.pulumiOk(['config', 'set', '--secret', 'catalyst:peerKey', PEER_KEY], BILLING);
    expect(readFileSync(repo.path('stacks', `Pulumi.${BILLING}.yaml`), 'utf8')).not.toMatch(new RegExp(`${API_KEY}|${PEER_KEY}`));

    ok(await repo.cli(['up', '--env', 'local']), 'first up');
    const out = await outputs();
    expect(Object.keys(out).sort()).toEqual(STACKS);
    for (const s of STACKS) {
      expect(() => stackOutputsSchema.parse(out[s])).not.toThrow();
      expect(out[s].url).toBe(url(s));
      expect(out[s].target).toBe('local');
      expect(alive(repo.pid(s))).toBe(true);
    }
    expect(out[BILLING].publicRoutes).toEqual([
      { method: 'POST', path: '/charge', workflow: 'charge' },
      { method: 'POST', path: '/lookup', workflow: 'lookup' },
    ]);

    // lookup takes billing's API key (auth apiKey); without it, 401.
    const lookup = await post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' }, KEY);
    expect(lookup).toEqual({ status: 200, body: { customerId: 'cus_42', plan: 'free', seats: 1, monthly: 0, currency: 'EUR' } });
    expect((await post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' })).status).toBe(401);
    expect((await post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' }, { 'X-Api-Key': PEER_KEY })).status).toBe(401);
    // billing exports its peer key as a secret output; support-bot exports none.
    expect(out[BILLING].peerKey).toBe('[secret]');
    expect(out[BOT].peerKey).toBeNull();
    const charge = await post(`${url(BILLING)}/charge`, { customerId: 'cus_7', amount: 10 });
    expect(charge.status).toBe(201);
    expect(charge.body).toMatchObject({ invoiceId: 'inv_cus_7_1000', net: 10, tax: 2, total: 12, currency: 'EUR', memo: 'monthly charge' });
    expect((await post(`${url(BILLING)}/charge`, { customerId: 'cus_7', amount: -1 })).status).toBe(422);

    // support-bot → billing over HTTP, through the URL and the peer key wired from billing's stack by
    // a StackReference (the key as a secret): billing's lookup lets it in.
    const ask = await post(`${url(BOT)}/ask`, { customerId: 'cus_5', question: 'Which plan am I on?' });
    expect(ask).toEqual({ status: 200, body: { answer: 'You are on the enterprise plan at 289 per month.', category: 'billing', plan: 'enterprise' } });

    // The secret set with `pulumi config set --secret` reaches the app: it authenticates /tickets.
    const ticket = await post(`${url(BOT)}/tickets`, { customerId: 'cus_5', subject: 'invoice missing' });
    expect(ticket).toEqual({ status: 201, body: { ticketId: 'T-1', status: 201 } });
    expect(tickets.requests).toHaveLength(1);
    expect(tickets.requests[0]).toMatchObject({ method: 'POST', url: '/api/tickets', authorization: `Bearer ${SECRET}`, source: 'catalyst-support-bot' });
    expect(tickets.requests[0].body).toEqual({ customer: 'cus_5', subject: 'invoice missing', body: '', priority: 'normal' });
  }, STEP_MS);

  it('a second up (npm run up) changes nothing, restarts nothing, and reports both healthy', async () => {
    const pids = STACKS.map((s) => repo.pid(s));
    ok(await repo.cli(['preview', '--env', 'local', '--expect-no-changes']), 'preview --expect-no-changes');
    const up = ok(await repo.script('scripts/up.sh', [], STEP_MS), 'scripts/up.sh (warm)');
    for (const s of STACKS) {
      expect(await changes(s)).toEqual({});
      expect(up.stdout).toContain(url(s));
    }
    expect(STACKS.map((s) => repo.pid(s))).toEqual(pids);
    expect(up.stdout).toMatch(/POST \/charge {2}POST \/lookup/);
    expect(up.stdout).toContain(repo.path('.catalyst', 'report', 'index.html'));
    expect(up.stdout).toMatch(/2 stacks: 0 down, 0 degraded, 2 healthy/);
    // The live dashboard runs in the background; its first round sees both projects healthy.
    const dashboard = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(up.stdout)?.[1];
    expect(dashboard, up.stdout).toBeDefined();
    const state = await waitFor(
      'the dashboard\'s first round',
      async () => {
        const r = await fetch(`${dashboard}api/state`).catch(() => null);
        return r?.status === 200 ? ((await r.json()) as { projects: { name: string; status: string }[] }) : undefined;
      },
      60_000,
      200,
    );
    expect(state.projects.map((p) => [p.name, p.status]).sort()).toEqual([
      ['billing', 'healthy'],
      ['support-bot', 'healthy'],
    ]);
    const report = JSON.parse(readFileSync(repo.path('.catalyst', 'report', 'report.json'), 'utf8')) as { summary: Record<string, number>; stacks: { name: string; status: string; reason: string }[] };
    expect(report.summary).toMatchObject({ total: 2, healthy: 2, down: 0, degraded: 0 });
    expect(report.stacks.map((s) => [s.name, s.status])).toEqual([
      [BILLING, 'healthy'],
      [BOT, 'healthy'],
    ]);

    // The same through `catalyst report --outputs` in-process, from the outputs file up.sh wrote.
    const r = ok(await repo.cli(['report', '--outputs', repo.path('.catalyst', 'outputs.local.json'), '--out', repo.path('.catalyst', 'report2'), '--no-history', '--json', '--fail-on', 'down']), 'catalyst report');
    const json = JSON.parse(r.stdout) as { stacks: { name: string; status: string }[] };
    expect(json.stacks.map((s) => s.status)).toEqual(['healthy', 'healthy']);
  }, STEP_MS);

  it('editing a billing workflow replaces only billing’s app', async () => {
    const before = await outputs();
    const [billingPid, botPid] = STACKS.map((s) => repo.pid(s));
    repo.edit('projects/billing/workflows/lookup.yaml', '      currency: "{{ env.CURRENCY }}"\nedges:', '      currency: "{{ env.CURRENCY }}"\n      edition: e2e\nedges:');
    ok(await repo.cli(['up', '--env', 'local']), 'up after a billing edit');
    const after = await outputs();
    expect(after[BILLING].contentHash).not.toBe(before[BILLING].contentHash);
    expect(after[BOT].contentHash).toBe(before[BOT].contentHash);
    // billing: the app replaced (and a new build stamp for the new content hash); support-bot: nothing.
    expect(await changes(BILLING)).toMatchObject({ replace: 1 });
    // support-bot re-reads its StackReference (billing's outputs changed); none of its resources change.
    const { read, ...botChanges } = await changes(BOT);
    expect(botChanges).toEqual({});
    expect(read ?? 0).toBeLessThanOrEqual(1);
    expect(repo.pid(BILLING)).not.toBe(billingPid);
    expect(alive(billingPid)).toBe(false);
    expect(alive(repo.pid(BILLING))).toBe(true);
    expect(repo.pid(BOT)).toBe(botPid);
    expect((await post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' }, KEY)).body).toMatchObject({ plan: 'free', edition: 'e2e' });
    expect((await post(`${url(BOT)}/ask`, { customerId: 'cus_42', question: 'what is my plan' })).body.plan).toBe('free');
  }, STEP_MS);

  it('rotates billing’s peer key with config changes and `up` (docs/security.md): the old key works until support-bot has the new one', async () => {
    const peer = (key: string) => post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' }, { 'X-Catalyst-Peer-Key': key });
    const ask = () => post(`${url(BOT)}/ask`, { customerId: 'cus_5', question: 'Which plan am I on?' });
    expect((await peer(PEER_KEY)).status).toBe(200);
    await repo.pulumiOk(['config', 'set', '--secret', 'catalyst:peerKeyPrevious', PEER_KEY], BILLING);
    await repo.pulumiOk(['config', 'set', '--secret', 'catalyst:peerKey', PEER_KEY_NEXT], BILLING);
    ok(await repo.cli(['up', '--env', 'local']), 'up after a peer key rotation');
    expect((await peer(PEER_KEY)).status).toBe(200);
    expect((await peer(PEER_KEY_NEXT)).status).toBe(200);
    expect((await ask()).body).toMatchObject({ category: 'billing', plan: 'enterprise' });
    await repo.pulumiOk(['config', 'rm', 'catalyst:peerKeyPrevious'], BILLING);
    ok(await repo.cli(['up', '--env', 'local']), 'up after the rotation ended');
    expect((await peer(PEER_KEY)).status).toBe(401);
    expect((await peer(PEER_KEY_NEXT)).status).toBe(200);
    // support-bot reads the new key through its StackReference: it still gets in.
    expect(await ask()).toEqual({ status: 200, body: { answer: 'You are on the enterprise plan at 289 per month.', category: 'billing', plan: 'enterprise' } });
  }, STEP_MS);

  it('the planted secret is nowhere in plain text: state, outputs, generated files, run logs, report, CLI output', async () => {
    const encoded = PLANTED.flatMap((s) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex')]);
    const files = ['.pulumi-state', '.build', '.catalyst', 'stacks'].flatMap((d) => repo.files(d));
    expect(files.some((f) => f.endsWith('app.log'))).toBe(true);
    expect(files.some((f) => f.endsWith('report.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('outputs.local.json'))).toBe(true);
    expect(files.filter((f) => f.includes('.pulumi-state')).length).toBeGreaterThan(5);
    const leaks = files.filter((f) => {
      const text = readFileSync(f, 'latin1');
      return encoded.some((e) => text.includes(e));
    });
    expect(leaks).toEqual([]);
    for (const s of PLANTED) {
      expect(JSON.stringify(await outputs())).not.toContain(s);
      expect(repo.transcript).not.toContain(s);
    }
    // …while it is really set, as ciphertext.
    expect(readFileSync(repo.path('stacks', `Pulumi.${BOT}.yaml`), 'utf8')).toMatch(/catalyst:TICKETS_TOKEN:\n\s+secure: v1:/);
  }, STEP_MS);

  it('an app that fails its health check on start fails `up` clearly and leaves no process', async () => {
    const [billingPid, botPid] = STACKS.map((s) => repo.pid(s));
    await repo.pulumiOk(['config', 'set', '--path', 'catalyst:env.TAX_RATE', 'not-a-number'], BILLING);
    const r = await repo.cli(['up', '--env', 'local']);
    timings.push(['up with a failing app', r.ms]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/local: billing \(billing\.local\) exited \(code \d+\) before it became healthy/);
    expect(r.stdout + r.stderr).toMatch(/TAX_RATE/);
    expect(r.stderr).toMatch(/FAILED: billing\.local; not attempted: support-bot\.local/);
    expect(alive(billingPid)).toBe(false);
    expect(repo.pid(BILLING)).toBeUndefined();
    expect(await portOpen(ports[BILLING])).toBe(false);
    expect(repo.ourProcesses().filter((p) => / -m app$/.test(p.cmd)).map((p) => p.pid)).toEqual([botPid]); // only support-bot's app
    expect(repo.pid(BOT)).toBe(botPid);
    await repo.pulumiOk(['config', 'rm', '--path', 'catalyst:env.TAX_RATE'], BILLING);

    // A declared secret that is not set: the preflight refuses before any resource, naming the fix.
    await repo.pulumiOk(['config', 'rm', 'catalyst:TICKETS_TOKEN'], BOT);
    const missing = await repo.cli(['up', '--env', 'local', '--project', 'support-bot']);
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toContain('catalyst:TICKETS_TOKEN');
    expect(missing.stdout + missing.stderr).toContain(`pulumi config set --secret catalyst:TICKETS_TOKEN --stack ${BOT}`);
    expect(repo.pid(BOT)).toBe(botPid);
    await repo.pulumiOk(['config', 'set', '--secret', 'catalyst:TICKETS_TOKEN', SECRET], BOT);
  }, STEP_MS);

  it('Ctrl-C during `up` cancels pulumi gracefully; the next up converges', async () => {
    const botPid = repo.pid(BOT);
    // billing has no app since the failed start: this up creates it. Interrupt while it starts.
    const child = repo.spawnCli(['up', '--env', 'local']);
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await waitFor('billing’s app to be starting', () => repo.pid(BILLING), 120_000);
    child.kill('SIGINT');
    const code = await exited;
    expect(child.output()).toMatch(/\^C received; cancelling/);
    expect(child.output()).toMatch(/INTERRUPTED: billing\.local; not attempted: support-bot\.local/);
    expect(code).toBe(130);
    expect(repo.locks(BILLING)).toEqual([]);
    expect(repo.checkpoint(BILLING).pending_operations ?? []).toEqual([]);
    // Only the apps and the dashboard `npm run up` started stay (pulumi, its language host and plugins are gone).
    await waitFor('pulumi and its plugins to exit', () => repo.ourProcesses().every((p) => / -m app$/.test(p.cmd) || /catalyst\.js dashboard /.test(p.cmd)), 30_000, 200);

    ok(await repo.cli(['up', '--env', 'local']), 'up after Ctrl-C');
    expect(alive(repo.pid(BILLING))).toBe(true);
    expect(repo.pid(BOT)).toBe(botPid);
    expect((await post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' }, KEY)).status).toBe(200);
  }, STEP_MS);

  it('pulumi killed (SIGKILL) mid-update: the next up removes the stale lock and the interrupted create, and converges', async () => {
    const oldPid = repo.pid(BILLING);
    const botPid = repo.pid(BOT);
    repo.edit('projects/billing/workflows/lookup.yaml', '      edition: e2e\n', '      edition: e2e-2\n');
    const run = repo.cli(['up', '--env', 'local']);
    // The replacement stops the old app first, then starts the new one and waits for /health.
    const newPid = await waitFor('the new billing app to be starting', () => {
      const p = repo.pid(BILLING);
      return p !== undefined && p !== oldPid && p;
    }, 120_000, 10);
    const [lock] = repo.locks(BILLING);
    expect(lock).toBeDefined();
    process.kill(lock.pid, 'SIGKILL');
    const killed = await run;
    expect(killed.code).toBe(130);
    expect(killed.stderr).toMatch(/INTERRUPTED: billing\.local/);
    // What the kill left: the lock, a pending create, the detached app, and pulumi's plugins (they
    // run in their own process groups and outlive a killed engine; ours to clean up here).
    expect(repo.locks(BILLING)).toHaveLength(1);
    expect((repo.checkpoint(BILLING).pending_operations ?? []).map((o) => o.type)).toContain('creating');
    expect(alive(newPid)).toBe(true);
    repo.killOurProcesses('SIGKILL', (cmd) => /pulumi-language-nodejs|dynamic-provider/.test(cmd));

    const recovered = ok(await repo.cli(['up', '--env', 'local']), 'up after SIGKILL');
    expect(recovered.stderr).toMatch(/billing\.local: removing the lock left by an interrupted pulumi \(pid \d+/);
    expect(recovered.stderr).toMatch(/billing\.local: 1 create\(s\) were interrupted .*billing-local-process/);
    expect(alive(newPid)).toBe(false); // the orphan was stopped through its pid file, then started anew
    expect(alive(repo.pid(BILLING))).toBe(true);
    expect(repo.locks(BILLING)).toEqual([]);
    expect(repo.checkpoint(BILLING).pending_operations ?? []).toEqual([]);
    expect(repo.pid(BOT)).toBe(botPid);
    expect((await post(`${url(BILLING)}/lookup`, { customerId: 'cus_42' }, KEY)).body.edition).toBe('e2e-2');
    const quiet = ok(await repo.cli(['preview', '--env', 'local', '--expect-no-changes']), 'preview after recovery');
    expect(quiet.stdout + quiet.stderr).not.toMatch(/pending operations/);
  }, STEP_MS);

  it('down stops every app and leaves no process, port or run file behind', async () => {
    const pids = STACKS.map((s) => repo.pid(s));
    expect(pids.every(alive)).toBe(true);
    const dashboard = readFileSync(repo.path('.catalyst', 'dashboard.url'), 'utf8').trim();
    const down = ok(await repo.script('scripts/down.sh', [], STEP_MS), 'scripts/down.sh (npm run down)');
    expect(down.stdout).toMatch(/dashboard stopped/);
    expect(await fetch(`${dashboard}api/state`).then(() => 'answered', () => 'refused')).toBe('refused');
    for (const [i, s] of STACKS.entries()) {
      expect(alive(pids[i])).toBe(false);
      expect(await portOpen(ports[s])).toBe(false);
      expect(repo.files(`.catalyst/run/${s}`)).toEqual([]);
      expect(repo.checkpoint(s).resources ?? []).toEqual([]);
    }
    await waitFor('no process of the copy', () => repo.ourProcesses().length === 0, 20_000, 200).catch(() => {
      throw new Error(`still running: ${JSON.stringify(repo.ourProcesses())}`);
    });
    expect(await outputs()).toEqual({ [BILLING]: {}, [BOT]: {} });
  }, STEP_MS);
});
