/**
 * A schedule under the real Pulumi engine on the local stack (issue 16), in a temporary copy of the
 * repository (harness.ts). The copy's billing project gets a test-only workflow `heartbeat` that runs
 * every minute and POSTs to a loopback server; the deploying environment turns on the test-only fast
 * clock (CATALYST_TEST_CLOCK_SPEED=60: one real second is one scheduled minute; only the local target passes
 * it on, and `catalyst:env` may not set it) with an origin shared by every process of the stack, so that
 * they agree on when a tick is. Nothing of this is in the committed
 * examples or in what `catalyst up` sets for users. The tests run in order on one deployment:
 *
 *   up → the schedule fires: its calls reach the loopback server, /metrics counts them, `catalyst
 *   report` shows the last and next run → a second process of the same stack (same environment and
 *   lease directory) → each tick still runs exactly once → an edit replaces the app: the ticks that fell
 *   while no process ran are counted as missed, in /metrics, the app's log and the report → down.
 *
 * A missing engine fails the suite with the setup command; it is never skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, E2eRepo, freePort, portOpen, requirePulumiEngine, waitFor, type CliRun } from './harness.ts';

const STACK = 'billing.local';
const STEP_MS = 240_000;
const SPEED = 60;
/** The fast clock's origin (epoch seconds): virtual time = origin + (real - origin) * SPEED. */
const ORIGIN = Math.floor(Date.now() / 1000);

const HEARTBEAT = [
  'catalyst: 1',
  'name: heartbeat',
  'description: Test-only (tests/e2e/local-schedule.test.ts) - calls the loopback server every minute.',
  'trigger: { type: schedule, cron: "* * * * *", timezone: Europe/Berlin, input: { beat: first } }',
  'input: { type: object, properties: { beat: { type: string } }, required: [beat] }',
  'nodes:',
  '  - { id: call, type: httpRequest, method: POST, url: "{{ env.HOOK_URL }}/beat", body: { beat: "{{ input.beat }}" } }',
  '',
].join('\n');

interface Beat {
  at: number;
  body: string;
}

/** The loopback server the heartbeat calls: records when each call arrived and what it carried. */
class BeatServer {
  beats: Beat[] = [];
  port = 0;
  private server: Server | undefined;

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      let data = '';
      req.setEncoding('utf8').on('data', (d: string) => (data += d));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/beat') this.beats.push({ at: Date.now(), body: data });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r, j) => {
      this.server!.once('error', j);
      this.server!.listen(this.port, '127.0.0.1', () => r());
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** The scheduled minute (epoch ms of the virtual clock) a call that arrived at real time `at` belongs to. */
function tickOf(at: number): number {
  const virtual = ORIGIN * 1000 + (at - ORIGIN * 1000) * SPEED;
  return Math.floor(virtual / 60_000) * 60_000;
}

let repo: E2eRepo;
const hook = new BeatServer();
let port = 0;
let second: ChildProcess | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ok(r: CliRun, what: string): CliRun {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-6000)}`);
  return r;
}

async function text(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(r.status, url).toBe(200);
  return r.text();
}

/** The value of one sample of a metric (labels matched exactly, in any order); 0 when absent. */
function metric(body: string, name: string, labels: Record<string, string>): number {
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2].matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

const beatsWith = (body: string) => hook.beats.filter((b) => b.body === JSON.stringify({ beat: body }));

beforeAll(async () => {
  requirePulumiEngine();
  repo = E2eRepo.create();
  port = await freePort();
  await hook.start();
  repo.edit('projects/billing/project.yaml', '  TAX_RATE: 0.2\n', '  TAX_RATE: 0.2\n  HOOK_URL: http://127.0.0.1:9\n');
  writeFileSync(repo.path('projects', 'billing', 'workflows', 'heartbeat.yaml'), HEARTBEAT);
  repo.setStackConfig(STACK, 'port', port);
  repo.setStackConfig(STACK, 'env', { HOOK_URL: `http://127.0.0.1:${hook.port}` });
  // The fast clock comes from the deploying environment (the local target passes these two through; the
  // stack's catalyst:env may not set them).
  Object.assign(repo.env, { CATALYST_TEST_CLOCK_SPEED: String(SPEED), CATALYST_TEST_CLOCK_ORIGIN: String(ORIGIN) });
}, 60_000);

afterAll(async () => {
  try {
    if (second?.pid && alive(second.pid)) second.kill('SIGKILL');
    if (repo && repo.ourProcesses().length > 0) await repo.cli(['down', '--env', 'local', '--project', 'billing'], 120_000).catch(() => undefined);
  } finally {
    await hook.stop();
    await repo?.cleanup();
  }
}, 180_000);

describe('a schedule on the local stack, deployed by the real engine', () => {
  it('fires on its clock: the loopback server gets its calls, /metrics and `catalyst report` show the runs', async () => {
    ok(await repo.cli(['up', '--env', 'local', '--project', 'billing']), 'up');
    const url = `http://127.0.0.1:${port}`;
    expect(alive(repo.pid(STACK))).toBe(true);
    await waitFor('three heartbeats', () => hook.beats.length >= 3, 30_000, 100);
    expect(hook.beats.every((b) => b.body === '{"beat":"first"}')).toBe(true);

    const m = await text(`${url}/metrics`);
    const runs = metric(m, 'catalyst_schedule_runs_total', { schedule: 'heartbeat', result: 'ok' });
    // A run counts when it finished; a call may have arrived just now for a run not yet finished.
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(hook.beats.length - runs).toBeGreaterThanOrEqual(0);
    expect(hook.beats.length - runs).toBeLessThanOrEqual(1);
    expect(metric(m, 'catalyst_schedule_runs_total', { schedule: 'heartbeat', result: 'failed' })).toBe(0);
    expect(metric(m, 'catalyst_schedule_last_run_success', { schedule: 'heartbeat' })).toBe(1);
    expect(metric(m, 'catalyst_schedule_info', { schedule: 'heartbeat', cron: '* * * * *', timezone: 'Europe/Berlin', overlap: 'skip', mode: 'inapp' })).toBe(1);
    expect(metric(m, 'catalyst_schedule_last_tick_timestamp_seconds', { schedule: 'heartbeat' }) % 60).toBe(0);
    // The example's own schedule is there too, not yet run.
    expect(metric(m, 'catalyst_schedule_info', { schedule: 'monthly-fee', cron: '0 6 1 * *', timezone: 'Europe/Berlin', overlap: 'skip', mode: 'inapp' })).toBe(1);
    // The lease directory of the stack holds one file per tick run.
    const lease = repo.path('.catalyst', 'schedules', STACK, 'heartbeat');
    expect(readdirSync(lease).filter((f) => /^\d+$/.test(f)).length).toBeGreaterThanOrEqual(3);

    const out = repo.path('.catalyst', 'report-schedule');
    const r = ok(await repo.cli(['report', '--stack', STACK, '--out', out, '--no-history', '--no-deploys', '--json']), 'catalyst report');
    const report = JSON.parse(r.stdout) as { stacks: { name: string; status: string; schedules?: ({ workflow: string } & Record<string, any>)[] }[] };
    const stack = report.stacks.find((s) => s.name === STACK)!;
    expect(stack.status).toBe('healthy');
    const hb = stack.schedules!.find((s) => s.workflow === 'heartbeat')!;
    expect(hb).toMatchObject({ cron: '* * * * *', timezone: 'Europe/Berlin', lastSucceeded: true, missedTicks: 0, failedRuns: 0 });
    expect(hb.lastRunAt).toBeGreaterThan(Date.now() - 30_000);
    expect(hb.nextRunAt).toBeGreaterThan(hb.lastRunAt);
    expect(stack.schedules!.map((s) => s.workflow)).toEqual(['heartbeat', 'monthly-fee']);
    // The page's card says it in words.
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/Schedule heartbeat<\/dt>\s*<dd>\* \* \* \* \* \(Europe\/Berlin\): last run [^<]* ok \([^<]*\); next [^<]*<\/dd>/);
  }, STEP_MS);

  it('a second process of the same stack shares the lease directory: each tick still runs exactly once', async () => {
    const pid = repo.pid(STACK)!;
    // The second process runs exactly as the first: its environment (token, lease directory, clock), its
    // directory and its interpreter; only the port differs.
    const env = Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(env.CATALYST_SCHEDULE_LEASE_DIR).toBe(repo.path('.catalyst', 'schedules', STACK));
    const port2 = await freePort();
    const python = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    second = spawn(python, ['-m', 'app'], { cwd: readlinkSync(`/proc/${pid}/cwd`), env: { ...env, PORT: String(port2) }, stdio: 'ignore' });
    await waitFor('the second process to answer', async () => (await fetch(`http://127.0.0.1:${port2}/ready`).catch(() => null))?.status === 200, 30_000, 100);
    const from = Date.now();
    await sleep(8_000);
    const to = Date.now() - 500; // calls of the last tick may still be on their way
    const window = hook.beats.filter((b) => b.at >= from && b.at < to);
    const ticks = window.map((b) => tickOf(b.at));
    // Every tick of the window ran (no gap) and no tick ran twice, though two processes competed for each.
    expect(ticks.length).toBeGreaterThanOrEqual(6);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBe(60_000);
    // Both saw every tick: what one ran, the other counted as a duplicate.
    const [m1, m2] = await Promise.all([text(`http://127.0.0.1:${port}/metrics`), text(`http://127.0.0.1:${port2}/metrics`)]);
    const dup = (t: string) => metric(t, 'catalyst_schedule_runs_total', { schedule: 'heartbeat', result: 'duplicate' });
    expect(dup(m1) + dup(m2)).toBeGreaterThanOrEqual(ticks.length - 1);
    second.kill('SIGTERM');
    await waitFor('the second process to stop', () => !alive(second!.pid), 15_000, 100);
    expect(alive(pid)).toBe(true);
  }, STEP_MS);

  it('an edit replaces the app: ticks that fell while no process ran are counted as missed, in /metrics, the log and the report', async () => {
    const oldPid = repo.pid(STACK);
    // The app is down for a while before the update replaces it (a crash, a host restart): without this the
    // replacement can be quicker than one fast-clock minute and no tick falls in the gap.
    process.kill(oldPid!, 'SIGTERM');
    await waitFor('the old process to stop', () => !alive(oldPid!), 15_000, 100);
    await sleep(2_500);
    repo.edit('projects/billing/workflows/heartbeat.yaml', 'input: { beat: first }', 'input: { beat: second }');
    ok(await repo.cli(['up', '--env', 'local', '--project', 'billing']), 'up after an edit');
    expect(repo.pid(STACK)).not.toBe(oldPid);
    await waitFor('a heartbeat of the new app', () => beatsWith('second').length >= 1, 30_000, 100);
    const m = await text(`http://127.0.0.1:${port}/metrics`);
    // The old process stopped, the new one started (seconds of real time: minutes of the fast clock).
    const missed = metric(m, 'catalyst_schedule_missed_ticks_total', { schedule: 'heartbeat' });
    expect(missed).toBeGreaterThanOrEqual(1);
    const firstNew = tickOf(beatsWith('second')[0].at);
    const lastOld = tickOf(beatsWith('first').at(-1)!.at);
    // Exactly the minutes between the old process's last tick and the new one's first went missing.
    expect(missed).toBe((firstNew - lastOld) / 60_000 - 1);
    const log = readFileSync(join(repo.runDir(STACK), 'app.log'), 'utf8');
    expect(log).toMatch(/schedule missed ticks/);

    const out = repo.path('.catalyst', 'report-schedule-2');
    const r = ok(await repo.cli(['report', '--stack', STACK, '--out', out, '--no-history', '--no-deploys', '--json']), 'catalyst report');
    const report = JSON.parse(r.stdout) as { stacks: { name: string; schedules?: ({ workflow: string } & Record<string, any>)[] }[] };
    expect(report.stacks[0].schedules!.find((s) => s.workflow === 'heartbeat')!.missedTicks).toBe(missed);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(new RegExp(`Schedule heartbeat</dt>\\s*<dd>[^<]*, ${missed} missed</dd>`));
  }, STEP_MS);

  it('down stops the app and leaves no process or port behind', async () => {
    const pid = repo.pid(STACK);
    ok(await repo.cli(['down', '--env', 'local', '--project', 'billing']), 'down');
    expect(alive(pid)).toBe(false);
    expect(await portOpen(port)).toBe(false);
    const calls = hook.beats.length;
    await sleep(2_000);
    expect(hook.beats.length).toBe(calls);
    await waitFor('no process of the copy', () => repo.ourProcesses().length === 0, 20_000, 200);
  }, STEP_MS);
});
