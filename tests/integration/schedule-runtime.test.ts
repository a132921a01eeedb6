/**
 * Scheduled workflows in the generated app under real uvicorn: the in-app scheduler (with the test-only
 * faster clock: one real second is one scheduled minute) fires, its runs show in /metrics, /health and
 * GET /_catalyst/schedules, and its effect reaches a loopback server; failed runs make /health degraded
 * (still 200); overlap skip; the authenticated endpoints for external schedulers (bearer token, or
 * Cloud Scheduler's OIDC token checked against a loopback key set) with duplicate suppression by tick; two instances sharing a lease directory run each tick once; missed ticks counted.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cleanupTemps, generateInto, json, metric, requirePython, startApp, startStub, stopAllApps, testPython, workspaceFrom, type Stub } from '../helpers/codegen.ts';

const TOKEN = 'sched-planted-4f9a1c2e8b';
const FILES = {
  'sched/project.yaml': 'catalyst: 1\nname: sched\nenv:\n  HOOK_URL: http://127.0.0.1:9\n',
  'sched/workflows/ping.yaml': [
    'catalyst: 1',
    'name: ping',
    'trigger: { type: schedule, cron: "* * * * *", timezone: Europe/Berlin, input: { label: every-minute } }',
    'input: { type: object, properties: { label: { type: string } }, required: [label] }',
    'nodes:',
    '  - { id: hook, type: httpRequest, method: POST, url: "{{ env.HOOK_URL }}/hook", body: { label: "{{ input.label }}" } }',
    '',
  ].join('\n'),
  'sched/workflows/flaky.yaml': 'catalyst: 1\nname: flaky\ntrigger: { type: schedule, cron: "* * * * *" }\nnodes:\n  - { id: hook, type: httpRequest, method: POST, url: "{{ env.HOOK_URL }}/fail" }\n',
  'sched/workflows/slow.yaml': 'catalyst: 1\nname: slow\ntrigger: { type: schedule, cron: "* * * * *", overlap: skip }\nnodes:\n  - { id: wait, type: delay, ms: 2600 }\n',
};

let python: string;
let dir: string;
let hook: Stub;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Each test's apps call their own path prefix (HOOK_URL = <stub>/<tag>), so a run that an app of an earlier
// test finishes while shutting down is never counted for a later test.
const hookUrl = (tag: string) => `${hook.url}/${tag}`;
const hookCalls = (tag: string) => hook.requests.filter((r) => r.url === `/${tag}/hook`);
const hooks = (tag: string) => hookCalls(tag).length;

beforeAll(async () => {
  requirePython();
  python = await testPython();
  hook = await startStub((req, _body, res) => (req.url!.endsWith('/fail') ? json(res, 500, { error: 'down' }) : json(res, 200, { ok: true })));
  const { workspace } = workspaceFrom(FILES);
  dir = generateInto(workspace.projects[0], workspace).dir;
}, 300_000);

afterAll(async () => {
  await stopAllApps();
  await hook.close();
  cleanupTemps();
});

describe('in-app scheduler', () => {
  it('fires on the clock, records each run, reports failures and skips overlapping ticks', async () => {
    hook.requests.length = 0;
    const app = await startApp(dir, python, { HOOK_URL: hookUrl('inapp'), CATALYST_SCHEDULER: 'inapp', CATALYST_TEST_CLOCK_SPEED: '60' });
    await sleep(4_500);
    expect(hooks('inapp')).toBeGreaterThanOrEqual(3);
    expect(hookCalls('inapp')[0].body).toBe('{"label":"every-minute"}');

    // A run counts when it finishes, after its call reached the server: at most one (overlap skip) is between.
    const called = hooks('inapp');
    const m = (await call(`${app.url}/metrics`)).text;
    const ok = metric(m, 'catalyst_schedule_runs_total', { schedule: 'ping', result: 'ok' });
    expect(ok).toBeGreaterThanOrEqual(called - 1);
    expect(ok).toBeLessThanOrEqual(hooks('inapp'));
    expect(metric(m, 'catalyst_schedule_runs_total', { schedule: 'flaky', result: 'failed' })).toBeGreaterThanOrEqual(3);
    expect(metric(m, 'catalyst_schedule_runs_total', { schedule: 'slow', result: 'skipped' })).toBeGreaterThanOrEqual(1);
    expect(metric(m, 'catalyst_schedule_last_run_success', { schedule: 'ping' })).toBe(1);
    expect(metric(m, 'catalyst_schedule_last_run_success', { schedule: 'flaky' })).toBe(0);
    const last = metric(m, 'catalyst_schedule_last_run_timestamp_seconds', { schedule: 'ping' });
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(5);
    expect(metric(m, 'catalyst_schedule_last_run_duration_seconds', { schedule: 'ping' })).toBeGreaterThan(0);
    expect(metric(m, 'catalyst_schedule_next_run_timestamp_seconds', { schedule: 'ping' })).toBeGreaterThan(metric(m, 'catalyst_schedule_last_tick_timestamp_seconds', { schedule: 'ping' }));
    expect(metric(m, 'catalyst_schedule_info', { schedule: 'ping', cron: '* * * * *', timezone: 'Europe/Berlin', overlap: 'skip', mode: 'inapp' })).toBe(1);
    // Each tick is a whole minute of the (fast) clock.
    expect(metric(m, 'catalyst_schedule_last_tick_timestamp_seconds', { schedule: 'ping' }) % 60).toBe(0);

    const health = await call(`${app.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks['schedule:flaky']).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/^the last \d+ runs failed$/) });
    expect(health.body.checks['schedule:ping']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^\* \* \* \* \* \(Europe\/Berlin\); last run ok at /) });

    const list = await call(`${app.url}/_catalyst/schedules`);
    const ping = list.body.schedules.find((s: { schedule: string }) => s.schedule === 'ping');
    expect(ping).toMatchObject({ cron: '* * * * *', timezone: 'Europe/Berlin', overlap: 'skip', mode: 'inapp', lastResult: 'ok', consecutiveFailures: 0 });
    expect(Date.parse(ping.nextRun)).toBeGreaterThan(Date.parse(ping.lastTick));

    const openapi = await call(`${app.url}/openapi.json`);
    expect(Object.keys(openapi.body.paths ?? {}).filter((p) => p.includes('_catalyst'))).toEqual([]);
    app.child.kill('SIGTERM');
  }, 60_000);
});

describe('a process suspended past its ticks', () => {
  it('counts the ticks it reached too late as missed instead of running them late, then runs on time again', async () => {
    hook.requests.length = 0;
    const app = await startApp(dir, python, { HOOK_URL: hookUrl('suspended'), CATALYST_SCHEDULER: 'inapp', CATALYST_TEST_CLOCK_SPEED: '60' });
    await sleep(2_500);
    const m0 = (await call(`${app.url}/metrics`)).text;
    const missed0 = metric(m0, 'catalyst_schedule_missed_ticks_total', { schedule: 'ping' });
    const tick0 = metric(m0, 'catalyst_schedule_last_tick_timestamp_seconds', { schedule: 'ping' });
    const stopped = Date.now();
    process.kill(app.child.pid!, 'SIGSTOP');
    await sleep(9_000); // nine minutes of the fast clock; a tick more than 5 s (real) late is not run
    process.kill(app.child.pid!, 'SIGCONT');
    const resumed = Date.now();
    await sleep(2_500);
    const m = (await call(`${app.url}/metrics`)).text;
    const missed = metric(m, 'catalyst_schedule_missed_ticks_total', { schedule: 'ping' }) - missed0;
    // The ticks that fell more than 5 s before the resume: missed, none of them run.
    const tooLate = Math.floor((resumed - stopped - 5_000) / 1000);
    expect(missed).toBeGreaterThanOrEqual(tooLate - 1);
    expect(missed).toBeLessThanOrEqual(tooLate + 1);
    // Every tick since the last one before the stop is accounted for once: run (ok, skipped) or missed.
    const tick = metric(m, 'catalyst_schedule_last_tick_timestamp_seconds', { schedule: 'ping' });
    const runs = (r: string) => metric(m, 'catalyst_schedule_runs_total', { schedule: 'ping', result: r }) - metric(m0, 'catalyst_schedule_runs_total', { schedule: 'ping', result: r });
    expect(runs('ok') + runs('skipped') + runs('failed') + missed).toBe((tick - tick0) / 60);
    expect(app.logs().some((l) => l.msg === 'schedule missed ticks' && l.schedule === 'ping')).toBe(true);
    // …and it keeps its clock afterwards.
    const calls = hooks('suspended');
    await sleep(2_000);
    expect(hooks('suspended')).toBeGreaterThan(calls);
    app.child.kill('SIGTERM');
  }, 60_000);
});

describe('endpoints for an external scheduler', () => {
  it('are off without a token, need the bearer token, and run a tick once', async () => {
    const off = await startApp(dir, python, { HOOK_URL: hookUrl('external') });
    const r0 = await call(`${off.url}/_catalyst/schedules/ping`, { method: 'POST' });
    expect(r0.status).toBe(503);
    expect(r0.body.error).toBe('scheduler_disabled');
    expect(metric((await call(`${off.url}/metrics`)).text, 'catalyst_schedule_deliveries_refused_total', { reason: 'disabled' })).toBe(1);
    off.child.kill('SIGTERM');

    hook.requests.length = 0;
    const app = await startApp(dir, python, { HOOK_URL: hookUrl('external'), CATALYST_SCHEDULER_TOKEN: TOKEN });
    expect((await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST' })).status).toBe(401);
    expect((await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await call(`${app.url}/_catalyst/schedules/nope`, { method: 'POST', headers: auth })).status).toBe(404);

    // The same check as a public workflow's `auth: { type: bearer }`: the challenge, the error envelope.
    const wrong = await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="catalyst-scheduler"');
    expect(wrong.body).toMatchObject({ error: 'unauthorized', message: 'wrong bearer token' });
    // The old header of its own is not a credential any more.
    expect((await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { 'x-catalyst-scheduler-token': TOKEN } })).status).toBe(401);
    // The rest runs within one minute (a delivery without a time stands for the latest tick up to 1 s
    // ahead, so one sent in a minute's last second would already be the next minute's tick).
    if (Date.now() % 60_000 > 40_000) await sleep(60_000 - (Date.now() % 60_000) + 200);
    // A retry of the same delivery (same schedule time) is a duplicate.
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const first = await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { ...auth, 'x-cloudscheduler-scheduletime': at } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ schedule: 'ping', tick: at.replace('.000Z', 'Z'), result: 'ok' });
    const again = await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: auth, body: { tick: at } });
    expect(again.body.result).toBe('duplicate');
    expect(hooks('external')).toBe(1);

    // A failed run is answered 200 (recorded here; a 5xx would only make the platform retry it).
    const failed = await call(`${app.url}/_catalyst/schedules/flaky`, { method: 'POST', headers: auth });
    expect(failed).toMatchObject({ status: 200, body: { result: 'failed' } });

    // The every-minute UTC ping runs what is due and not yet run: flaky and ping ran this minute already.
    const ping = await call(`${app.url}/_catalyst/schedules`, { method: 'POST', headers: auth });
    expect(ping.status).toBe(200);
    expect(Date.now() - Date.parse(at)).toBeLessThan(59_000);
    expect(Object.keys(ping.body.results).sort()).toEqual(['slow']);
    const m = (await call(`${app.url}/metrics`)).text;
    expect(metric(m, 'catalyst_schedule_runs_total', { schedule: 'ping', result: 'duplicate' })).toBe(1);
    // The five refused calls above (no header, a wrong token, Basic, 'Bearer nope', the old header; the unknown schedule's call was authorized).
    expect(metric(m, 'catalyst_schedule_deliveries_refused_total', { reason: 'unauthorized' })).toBe(5);
    expect(app.lines.join('\n')).not.toContain(TOKEN);
    app.child.kill('SIGTERM');
  }, 90_000);
});

describe('two instances sharing a lease directory', () => {
  it('run each tick once, and an instance started after a gap counts the ticks missed', async () => {
    hook.requests.length = 0;
    const lease = mkdtempSync(join(tmpdir(), 'catalyst-lease-'));
    const env = { HOOK_URL: hookUrl('lease2'), CATALYST_SCHEDULER: 'inapp', CATALYST_TEST_CLOCK_SPEED: '60', CATALYST_TEST_CLOCK_ORIGIN: String(Date.now() / 1000), CATALYST_SCHEDULE_LEASE_DIR: lease };
    const [a, b] = await Promise.all([startApp(dir, python, env), startApp(dir, python, env)]);
    // Ticks taken before both were up (one may start later under load) were not seen by both.
    const tickFiles = () => (existsSync(join(lease, 'ping')) ? readdirSync(join(lease, 'ping')).filter((f) => /^\d+$/.test(f)) : []);
    const before = new Set(tickFiles());
    await sleep(5_000);
    const [ma, mb] = await Promise.all([call(`${a.url}/metrics`), call(`${b.url}/metrics`)]);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await sleep(300);
    const ticks = readdirSync(join(lease, 'ping')).filter((f) => /^\d+$/.test(f));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    // One call per tick reached the loopback server, though both instances competed for every tick:
    // the runs of the two add up to the ticks, and each tick the one ran, the other saw as a duplicate.
    const ok = (t: string) => metric(t, 'catalyst_schedule_runs_total', { schedule: 'ping', result: 'ok' });
    const dup = (t: string) => metric(t, 'catalyst_schedule_runs_total', { schedule: 'ping', result: 'duplicate' });
    const finished = hooks('lease2');
    // (metrics were read just before the stop: a run may have called the server and not yet finished)
    expect(finished - (ok(ma.text) + ok(mb.text))).toBeGreaterThanOrEqual(0);
    expect(finished - (ok(ma.text) + ok(mb.text))).toBeLessThanOrEqual(2);
    expect(ok(ma.text) + ok(mb.text)).toBeGreaterThanOrEqual(2);
    expect(finished).toBeGreaterThanOrEqual(ticks.length - 1); // a tick claimed just before the kill may not have called yet
    expect(finished).toBeLessThanOrEqual(ticks.length);
    // Every tick taken while both ran was seen by both: the one ran it, the other counted a duplicate
    // (less the tick taken between the metrics read and the stop).
    const whileBoth = ticks.filter((t) => !before.has(t)).length;
    expect(whileBoth).toBeGreaterThanOrEqual(3);
    expect(dup(ma.text) + dup(mb.text)).toBeGreaterThanOrEqual(whileBoth - 1);

    await sleep(3_000); // three minutes of the fast clock with no instance running
    const c = await startApp(dir, python, env);
    await sleep(500);
    const m = (await call(`${c.url}/metrics`)).text;
    expect(metric(m, 'catalyst_schedule_missed_ticks_total', { schedule: 'ping' })).toBeGreaterThanOrEqual(2);
    expect(c.logs().some((l) => l.msg === 'schedule missed ticks' && l.schedule === 'ping')).toBe(true);
    c.child.kill('SIGTERM');
  }, 60_000);
});

describe('Cloud Run: the OIDC token of Cloud Scheduler, verified by the app', () => {
  const AUD = 'catalyst-scheduler:acme-prod-1/europe-west1/sched-prod';
  const EMAIL = 'sch-sched-prod@acme-prod-1.iam.gserviceaccount.com';
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const claims = (over: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: 'https://accounts.google.com', aud: AUD, azp: '1234', email: EMAIL, email_verified: true, sub: '1234', iat: now, exp: now + 3600, ...over };
  };
  function token(payload: Record<string, unknown>, o: { priv?: KeyObject; kid?: string; alg?: string } = {}): string {
    const head = `${b64({ alg: o.alg ?? 'RS256', kid: o.kid ?? 'k1', typ: 'JWT' })}.${b64(payload)}`;
    return `${head}.${sign('sha256', Buffer.from(head), o.priv ?? key.privateKey).toString('base64url')}`;
  }

  it('runs a tick for a valid token only; every other token is refused before anything runs', async () => {
    const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = await startStub((_req, _body, res) => json(res, 200, { keys: [jwk] }));
    hook.requests.length = 0;
    const app = await startApp(dir, python, { HOOK_URL: hookUrl('oidc'), CATALYST_SCHEDULER_AUTH: 'oidc', CATALYST_SCHEDULER_OIDC_AUDIENCE: AUD, CATALYST_SCHEDULER_OIDC_EMAIL: EMAIL, CATALYST_SCHEDULER_OIDC_JWKS_URL: `${jwks.url}/oauth2/v3/certs` });
    const fire = (headers: Record<string, string>) => call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    try {
      const missing = await fire({});
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="catalyst-scheduler", error="invalid_token"');
      const hs = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims())}`;
      const refused: [string, Record<string, string>, number, string][] = [
        ['another key under the same kid', bearer(token(claims(), { priv: other.privateKey })), 401, 'wrong token signature'],
        ['an unknown kid', bearer(token(claims(), { kid: 'k2' })), 401, 'the token was not signed by a known key'],
        ['alg none', bearer(`${b64({ alg: 'none', kid: 'k1' })}.${b64(claims())}.`), 401, 'the token is not an RS256 JWT with a key id'],
        ['HS256 keyed with the public key', bearer(`${hs}.${createHmac('sha256', JSON.stringify(jwk)).update(hs).digest('base64url')}`), 401, 'the token is not an RS256 JWT with a key id'],
        ['expired', bearer(token(claims({ exp: Math.floor(Date.now() / 1000) - 120 }))), 401, 'the token has expired (or has no exp)'],
        ['no exp', bearer(token(claims({ exp: undefined }))), 401, 'the token has expired (or has no exp)'],
        ['issued in the future', bearer(token(claims({ iat: Math.floor(Date.now() / 1000) + 600 }))), 401, 'the token is not valid yet'],
        ['another issuer', bearer(token(claims({ iss: 'https://evil.example' }))), 403, 'the token was not issued by Google'],
        ['another audience (a token for another service)', bearer(token(claims({ aud: 'https://other-x7k2q9-ew.a.run.app' }))), 403, "the token's audience is not this app's scheduler"],
        ['another service account', bearer(token(claims({ email: 'someone@acme-prod-1.iam.gserviceaccount.com' }))), 403, "the token is not the scheduler's service account"],
        ['an unverified email', bearer(token(claims({ email_verified: false }))), 403, "the token is not the scheduler's service account"],
        ['a malformed token', bearer('a.b'), 401, 'malformed token'],
        ['Basic credentials', { authorization: 'Basic dXNlcjpwdw==' }, 401, 'missing Bearer credentials in the Authorization header'],
      ];
      for (const [what, headers, status, message] of refused) {
        const r = await fire(headers);
        expect({ what, status: r.status, message: r.body.message }).toEqual({ what, status, message });
      }
      expect(hookCalls('oidc')).toHaveLength(0);

      const ok = await fire(bearer(token(claims())));
      expect(ok).toMatchObject({ status: 200, body: { schedule: 'ping', result: 'ok' } });
      expect(hookCalls('oidc')).toHaveLength(1);
      // The key set was fetched once and kept (the unknown kid within 30 s did not refetch it).
      expect(jwks.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /oauth2/v3/certs']);
      expect(app.logs().filter((l) => l.msg === 'request refused by auth')).toHaveLength(refused.length + 1);
      const m = (await call(`${app.url}/metrics`)).text;
      const statuses = [401, ...refused.map(([, , status]) => status)];
      expect(metric(m, 'catalyst_schedule_deliveries_refused_total', { reason: 'unauthorized' })).toBe(statuses.filter((s) => s === 401).length);
      expect(metric(m, 'catalyst_schedule_deliveries_refused_total', { reason: 'forbidden' })).toBe(statuses.filter((s) => s === 403).length);
    } finally {
      app.child.kill('SIGTERM');
      await jwks.close();
    }
  }, 60_000);

  it('answers 503 (the scheduler retries) while the key set cannot be fetched, and is off without audience and account', async () => {
    const app = await startApp(dir, python, { HOOK_URL: hookUrl('oidc'), CATALYST_SCHEDULER_AUTH: 'oidc', CATALYST_SCHEDULER_OIDC_AUDIENCE: AUD, CATALYST_SCHEDULER_OIDC_EMAIL: EMAIL, CATALYST_SCHEDULER_OIDC_JWKS_URL: 'http://127.0.0.1:9/certs' });
    const r = await call(`${app.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { authorization: `Bearer ${token(claims())}` } });
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('auth_unavailable');
    expect(metric((await call(`${app.url}/metrics`)).text, 'catalyst_schedule_deliveries_refused_total', { reason: 'auth_unavailable' })).toBe(1);
    app.child.kill('SIGTERM');
    // oidc without its audience: off, even with a bearer token in the environment.
    const off = await startApp(dir, python, { HOOK_URL: hookUrl('oidc'), CATALYST_SCHEDULER_AUTH: 'oidc', CATALYST_SCHEDULER_TOKEN: TOKEN });
    const r2 = await call(`${off.url}/_catalyst/schedules/ping`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r2.status).toBe(503);
    expect(r2.body.error).toBe('scheduler_disabled');
    off.child.kill('SIGTERM');
  }, 60_000);
});

describe('the lease directory', () => {
  it('keeps the newest 64 tick files of a schedule (and any of the last hour); nothing else in it is touched', async () => {
    const lease = mkdtempSync(join(tmpdir(), 'catalyst-lease-'));
    mkdirSync(join(lease, 'ping'));
    const old = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 86_400_000;
    for (let i = 0; i < 70; i++) writeFileSync(join(lease, 'ping', String(old + i * 60_000)), '1');
    writeFileSync(join(lease, 'ping', 'notes.txt'), 'mine');
    const app = await startApp(dir, python, { HOOK_URL: hookUrl('prune'), CATALYST_SCHEDULER: 'inapp', CATALYST_TEST_CLOCK_SPEED: '60', CATALYST_SCHEDULE_LEASE_DIR: lease });
    await sleep(3_000);
    app.child.kill('SIGTERM');
    await sleep(300);
    const files = readdirSync(join(lease, 'ping'));
    const ticks = files.filter((f) => /^\d+$/.test(f)).map(Number).sort((a, b) => a - b);
    const fresh = ticks.filter((t) => t > old + 69 * 60_000);
    expect(fresh.length).toBeGreaterThanOrEqual(2);
    // Pruned after each tick taken: the newest 64 stay, the oldest go first.
    expect(ticks).toHaveLength(64);
    expect(ticks[0]).toBe(old + (70 + fresh.length - 64) * 60_000);
    expect(files).toContain('notes.txt');
    expect(files).toContain('last');
  }, 60_000);
});
