/**
 * The live dashboard's parts: /metrics parsing per workflow, windows and series from counter deltas,
 * uptime figures that say what they cover, the view model (grouping, callee problems), log redaction
 * and tailing, Render's log API against the contract fake, and the HTTP server's rules.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { historyStats } from '../../src/report/history.ts';
import { parseStackHistory } from '../../src/report/pulumi.ts';
import { DashboardHub } from '../../src/report/dashboard/hub.ts';
import { fileLogStream, type LogLine, logSourceFor, RAILWAY_LOG_QUERIES, railwayIds, railwayLogStream, redactLine, renderLogStream, renderServiceId } from '../../src/report/dashboard/logs.ts';
import { MetricsMemory, recentPeerFailures, workflowSeries, workflowWindow } from '../../src/report/dashboard/metrics-window.ts';
import { dashboardView, stackDetail } from '../../src/report/dashboard/model.ts';
import { isLoopback, type RunningServer, startDashboardServer } from '../../src/report/dashboard/server.ts';
import type { Report, StackReport } from '../../src/report/report.ts';
import { uptimeFigures } from '../../src/report/view.ts';
import { bucketDelta, histogramQuantile, parseAppMetrics, parseLabels } from '../../src/report/workflow-metrics.ts';
import { startRenderFake } from '../helpers/contract-fake-render.ts';
import { parse as parseGraphql, validate as validateGraphql } from 'graphql';
import { newRailwayState, railwaySchema, startRailwayFake } from '../helpers/contract-fake-railway.ts';

/** /metrics text in the shape the generated runtime renders it (templates/app/catalyst_runtime/metrics.py.ejs). */
function metricsText(o: { ask: [number, number, number[]]; lookupErrors?: number; peer?: [number, number] }): string {
  const [req, err, buckets] = o.ask;
  const bounds = ['0.005', '0.01', '0.025', '0.05', '+Inf'];
  const lines = [
    '# HELP catalyst_requests_total HTTP requests to public workflows, by response status',
    '# TYPE catalyst_requests_total counter',
    `catalyst_requests_total{status="200",workflow="ask"} ${req - err}.0`,
    `catalyst_requests_total{status="502",workflow="ask"} ${err}.0`,
    `catalyst_request_errors_total{workflow="ask"} ${err}.0`,
    ...bounds.map((le, i) => `catalyst_request_duration_seconds_bucket{le="${le}",workflow="ask"} ${buckets[i]}.0`),
    `catalyst_request_duration_seconds_count{workflow="ask"} ${buckets[4]}.0`,
    `catalyst_request_duration_seconds_sum{workflow="ask"} 0.5`,
    `catalyst_requests_total{status="200",workflow="we\\"ird name"} 5.0`,
  ];
  if (o.peer) {
    lines.push(`catalyst_subcall_total{caller="ask",kind="http",outcome="ok",target="billing/lookup"} ${o.peer[0]}.0`);
    lines.push(`catalyst_subcall_total{caller="ask",kind="http",outcome="error",target="billing/lookup"} ${o.peer[1]}.0`);
    lines.push(`catalyst_subcall_total{caller="ask",kind="inprocess",outcome="error",target="classify"} 7.0`);
  }
  return `${lines.join('\n')}\n`;
}

describe('per-workflow /metrics', () => {
  it('reads requests, errors, histogram and HTTP peer calls; ignores odd names and in-process calls', () => {
    const m = parseAppMetrics(metricsText({ ask: [100, 4, [10, 50, 90, 99, 100]], peer: [20, 3] }));
    expect(Object.keys(m.workflows)).toEqual(['ask']);
    expect(m.workflows.ask).toMatchObject({ requests: 100, errors: 4, durationSum: 0.5 });
    expect(m.workflows.ask.buckets).toEqual([[0.005, 10], [0.01, 50], [0.025, 90], [0.05, 99], [Infinity, 100]]);
    expect(m.peerCalls).toEqual({ billing: 23 });
    expect(m.peerFailures).toEqual({ billing: 3 });
    expect(parseLabels('a="x\\"y",b="1"')).toEqual({ a: 'x"y', b: '1' });
    expect(parseLabels('a="unterminated')).toBeNull();
  });

  it('reads what an app says about its schedules', () => {
    const text = [
      'catalyst_schedule_info{cron="0 8 * * *",mode="inapp",overlap="skip",schedule="digest",timezone="Europe/Berlin"} 1.0',
      'catalyst_schedule_last_run_timestamp_seconds{schedule="digest"} 1.7650944e+09',
      'catalyst_schedule_last_run_duration_seconds{schedule="digest"} 0.25',
      'catalyst_schedule_last_run_success{schedule="digest"} 0.0',
      'catalyst_schedule_next_run_timestamp_seconds{schedule="digest"} 1.7651808e+09',
      'catalyst_schedule_runs_total{result="failed",schedule="digest"} 3.0',
      'catalyst_schedule_runs_total{result="ok",schedule="digest"} 9.0',
      'catalyst_schedule_missed_ticks_total{schedule="digest"} 2.0',
      'catalyst_schedule_info{cron="\\x1b[2J",mode="inapp",overlap="skip",schedule="evil",timezone="UTC"} 1.0',
    ].join('\n');
    const m = parseAppMetrics(text);
    expect(m.schedules.digest).toEqual({ cron: '0 8 * * *', timezone: 'Europe/Berlin', lastRunAt: 1_765_094_400_000, lastDurationMs: 250, lastSucceeded: false, nextRunAt: 1_765_180_800_000, missedTicks: 2, failedRuns: 3 });
    expect(m.schedules.evil.cron).toBeNull();
  });

  it('quantiles interpolate inside the bucket (table)', () => {
    const b: [number, number][] = [[0.01, 50], [0.1, 90], [1, 100], [Infinity, 100]];
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.7, b)).toBeCloseTo(0.055);
    expect(histogramQuantile(0.95, b)).toBeCloseTo(0.55);
    expect(histogramQuantile(0.5, [[0.1, 0], [Infinity, 0]])).toBeNull();
    expect(histogramQuantile(0.99, [[0.1, 1], [Infinity, 10]])).toBe(0.1);
    expect(bucketDelta([[1, 5], [Infinity, 9]], [[1, 7], [Infinity, 12]])).toEqual([[1, 2], [Infinity, 3]]);
    expect(bucketDelta([[1, 5], [Infinity, 9]], [[1, 1], [Infinity, 2]])).toBeNull();
  });

  it('windows and series come from deltas; a restart is skipped, not counted negative', () => {
    const mem = new MetricsMemory(10);
    const t0 = 1_000_000;
    mem.add('s', t0, parseAppMetrics(metricsText({ ask: [100, 0, [10, 50, 90, 99, 100]] })));
    mem.add('s', t0 + 60_000, parseAppMetrics(metricsText({ ask: [160, 6, [10, 110, 150, 159, 160]] })));
    mem.add('s', t0 + 120_000, parseAppMetrics(metricsText({ ask: [10, 0, [5, 10, 10, 10, 10]] }))); // restarted
    mem.add('s', t0 + 180_000, parseAppMetrics(metricsText({ ask: [70, 0, [65, 70, 70, 70, 70]] })));
    const w = workflowWindow(mem.snapshots('s'), 'ask', 15 * 60_000);
    expect(w).toMatchObject({ requests: 120, errors: 6, rate: 1, errorPercent: 5 });
    expect(w.p50Ms).toBeGreaterThan(0);
    expect(w.p95Ms).toBeGreaterThanOrEqual(w.p50Ms!);
    const s = workflowSeries(mem.snapshots('s'), 'ask', 15 * 60_000);
    expect(s.rate).toEqual([1, 1]);
    expect(s.errorPercent).toEqual([10, 0]);
    expect(workflowWindow(mem.snapshots('s'), 'ask', 30_000)).toMatchObject({ requests: 60 });
    expect(workflowWindow(mem.snapshots('none'), 'ask', 60_000)).toMatchObject({ rate: null, requests: 0 });
    for (let i = 0; i < 20; i++) mem.add('s', t0 + 200_000 + i, parseAppMetrics(metricsText({ ask: [70, 0, [65, 70, 70, 70, 70]] })));
    expect(mem.snapshots('s')).toHaveLength(10);
  });

  it('the app\'s own failed calls to a peer since the last probe', () => {
    const mem = new MetricsMemory();
    mem.add('s', 1, parseAppMetrics(metricsText({ ask: [1, 0, [1, 1, 1, 1, 1]], peer: [10, 0] })));
    mem.add('s', 2, parseAppMetrics(metricsText({ ask: [2, 0, [2, 2, 2, 2, 2]], peer: [12, 4] })));
    expect(recentPeerFailures(mem.snapshots('s'))).toEqual({ billing: { failures: 4, calls: 6 } });
  });
});

describe('uptime figures say what they cover', () => {
  const H = 3_600_000;
  it('table', () => {
    const full = { '24h': 24 * H, '7d': 168 * H, '30d': 720 * H, '90d': 2160 * H };
    expect(uptimeFigures({ '24h': 99.5, '7d': 99.9, '30d': 99.95, '90d': 99.99 }, full).map((u) => `${u.label} ${u.value}`)).toEqual(['24h 99.50%', '7d 99.90%', '30d 99.95%', '90d 99.99%']);
    expect(uptimeFigures({ '24h': 60, '7d': 60, '30d': 60, '90d': 60 }, { '24h': 60_000, '7d': 60_000, '30d': 60_000, '90d': 60_000 })).toEqual([{ label: 'uptime', value: '60.00% over 1 min of data' }]);
    expect(uptimeFigures({ '24h': 99.2, '7d': 99.2, '30d': 99.2, '90d': 99.2 }, { '24h': 6 * H, '7d': 6 * H, '30d': 6 * H, '90d': 6 * H })[0].value).toBe('99.20% over 6 h of data');
    expect(uptimeFigures({ '24h': 100, '7d': 98, '30d': 98, '90d': 98 }, { '24h': 24 * H, '7d': 50 * H, '30d': 50 * H, '90d': 50 * H }).map((u) => `${u.label} ${u.value}`)).toEqual(['24h 100%', 'uptime 98.00% over 2 d of data']);
    expect(uptimeFigures({ '24h': 100, '7d': 100, '30d': 100, '90d': 100 }, { '24h': 0, '7d': 0, '30d': 0, '90d': 0 })[0].value).toBe('100% over one probe');
  });

  it('historyStats measures the coverage from the oldest sample in each window', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const rec = (agoMs: number, s: 'healthy' | 'down') => ({ v: 1 as const, t: new Date(now - agoMs).toISOString(), span: 'probe' as const, stacks: { a: { s, ms: 5 } } });
    const stats = historyStats([rec(6 * H, 'down'), rec(3 * H, 'healthy'), rec(0, 'healthy')], now).get('a')!;
    expect(stats.coverage['24h']).toBe(6 * H);
    expect(stats.coverage['90d']).toBe(6 * H);
    expect(stats.uptime['24h']).toBe(66.67);
  });
});

function stack(name: string, status: StackReport['status'], extra: Partial<StackReport> = {}): StackReport {
  const [project, env] = name.split('.');
  return {
    name, project, env, target: 'local', region: null, url: 'http://127.0.0.1:1', healthUrl: null, consoleUrl: null, logsUrl: null, uptimeCheckId: null,
    status, reason: status === 'healthy' ? 'ok' : 'connection refused', latencyMs: 3, errorRate: null,
    health: { status: null, failingChecks: [], samples: [] },
    version: { commit: 'a'.repeat(40), source: 'endpoint', dirty: false, branch: 'main', contentHash: null, catalyst: null, imageRef: null, imageDigest: null },
    drift: { state: 'up-to-date', behind: 0, ahead: 0, commit: 'a'.repeat(40), source: 'endpoint', text: 'up to date' },
    uptime: { '24h': 100, '7d': null, '30d': null, '90d': null }, uptimeCoverage: { '24h': 60_000, '7d': null, '30d': null, '90d': null },
    latencySeries: [], deployments: { available: true, reason: null, entries: [{ version: 3, kind: 'update', result: 'succeeded', startTime: '2026-12-07T10:00:00.000Z', endTime: null, commit: 'a'.repeat(40), dirty: false, author: 'Ada Lovelace', resourceChanges: {} }] },
    workflows: [{ name: 'ask', visibility: 'public' }], publicRoutes: [{ workflow: 'ask', method: 'POST', path: '/ask' }], notes: [],
    ...extra,
  };
}

function report(stacks: StackReport[]): Report {
  return { schemaVersion: 1, generatedAt: '2026-12-07T12:00:00.000Z', repo: { head: null, dirty: null, problem: null }, settings: {} as Report['settings'], summary: { total: 0, healthy: 0, degraded: 0, down: 0 }, stacks };
}

describe('deployment authors', () => {
  it('come from the git.author Pulumi records, only when they look like a name', () => {
    const entry = (author: unknown) => ({ version: 4, kind: 'update', result: 'succeeded', startTime: '2026-12-07T10:00:00Z', environment: { 'git.head': 'b'.repeat(40), 'git.author': author } });
    expect(parseStackHistory([entry('Ada Lovelace')])[0].author).toBe('Ada Lovelace');
    expect(parseStackHistory([entry("Zoë O'Brien-Núñez")])[0].author).toBe("Zoë O'Brien-Núñez");
    for (const bad of ['<script>alert(1)</script>', 'x\u001b[2J', 'a'.repeat(200), 42]) expect(parseStackHistory([entry(bad)])[0].author).toBeUndefined();
  });
});

describe('the view model', () => {
  it('groups by project, worst status first; a caller of a down callee is degraded with the reason', () => {
    const deps = new Map([['support-bot', ['billing']], ['billing', []]]);
    const v = dashboardView({ report: report([stack('support-bot.prod', 'healthy'), stack('billing.prod', 'down'), stack('billing.dev', 'healthy'), stack('support-bot.dev', 'healthy')]), memory: new MetricsMemory(), dependencies: deps, intervalMs: 60_000, round: 1 });
    expect(v.projects.map((p) => [p.name, p.status, p.stacks.map((s) => s.env)])).toEqual([
      ['billing', 'down', ['dev', 'prod']],
      ['support-bot', 'degraded', ['dev', 'prod']],
    ]);
    const prod = v.projects[1].stacks[1];
    expect(prod).toMatchObject({ status: 'degraded', probeStatus: 'healthy' });
    expect(prod.reason).toBe('dependency: calls billing, which is down (connection refused)');
    expect(v.projects[1].stacks[0]).toMatchObject({ status: 'healthy' });
    expect(v.summary).toEqual({ total: 4, healthy: 2, degraded: 1, down: 1 });
    const detail = stackDetail({ report: report([stack('support-bot.prod', 'healthy'), stack('billing.prod', 'down')]), memory: new MetricsMemory(), dependencies: deps, intervalMs: 60_000, round: 1 }, 'support-bot.prod')!;
    expect(detail.deployments[0]).toEqual({ version: 3, when: '2026-12-07T10:00:00.000Z', result: 'succeeded', commit: 'a'.repeat(40), author: 'Ada Lovelace' });
    expect(detail.workflows[0].route).toBe('POST /ask');
    expect(detail.status).toBe('degraded');
    expect(prod.traffic.minutes).toEqual({ rate: null, errorPercent: null });
    expect(prod.uptime).toEqual([{ label: 'uptime', value: '100% over 1 min of data' }]);
  });

  it('the app\'s own failed calls degrade it even when the callee looks healthy', () => {
    const mem = new MetricsMemory();
    mem.add('support-bot.prod', 1, parseAppMetrics(metricsText({ ask: [1, 0, [1, 1, 1, 1, 1]], peer: [1, 0] })));
    mem.add('support-bot.prod', 2, parseAppMetrics(metricsText({ ask: [2, 0, [2, 2, 2, 2, 2]], peer: [1, 5] })));
    const v = dashboardView({ report: report([stack('support-bot.prod', 'healthy'), stack('billing.prod', 'healthy')]), memory: mem, dependencies: new Map([['support-bot', ['billing']]]), intervalMs: 1000, round: 2 });
    const s = v.projects.find((p) => p.name === 'support-bot')!.stacks[0];
    expect(s.status).toBe('degraded');
    expect(s.reason).toContain('5 of 5 calls to it failed since the last probe');
  });
});

describe('logs', () => {
  it('redacts credential-shaped text and control characters (table)', () => {
    const cases: [string, string][] = [
      ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [redacted]'],
      ['{"authorization": "Basic dXNlcjpwYXNzd29yZA=="}', '{"authorization": "[redacted]"}'],
      ['calling with bearer eyJhbGciOiJIUzI1NiJ9.x.y', 'calling with bearer [redacted]'],
      ['url=https://x/?api_key=s3cr3tvalue&x=1', 'url=https://x/?api_key=[redacted]&x=1'],
      ['OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx', 'OPENAI_API_KEY=[redacted]'],
      ['key sk-live-ABCDEFGHIJKLMNOP in text', 'key [redacted] in text'],
      ['ok line with [redacted] already', 'ok line with [redacted] already'],
      ['\x1b[31mred\x1b[0m', '�[31mred�[0m'],
    ];
    for (const [input, want] of cases) expect(redactLine(input), input).toBe(want);
  });

  it('tails a file: the last lines, then what is appended, across truncation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-dash-'));
    const file = join(dir, 'app.log');
    writeFileSync(file, `${Array.from({ length: 150 }, (_, i) => `line ${i}`).join('\n')}\n`);
    const got: LogLine[] = [];
    const stop = fileLogStream(file).start((l) => got.push(...l), () => {});
    expect(got).toHaveLength(100);
    expect(got[0].text).toBe('line 50');
    appendFileSync(file, 'new line Authorization: Bearer zzzzzzzzzzzz\npartial');
    await new Promise((r) => setTimeout(r, 700));
    expect(got.at(-1)!.text).toBe('new line Authorization: [redacted]');
    writeFileSync(file, 'after truncation\n');
    await new Promise((r) => setTimeout(r, 700));
    expect(got.at(-1)!.text).toBe('after truncation');
    stop();
  });

  it('picks a reader per target, links where there is none', () => {
    const ctx = { root: '/r', env: {} };
    expect(logSourceFor({ name: 'a.local', target: 'local', logsUrl: null, consoleUrl: null }, ctx)).toMatchObject({ kind: 'stream', source: 'app.log' });
    expect(logSourceFor({ name: 'a.prod', target: 'docker', logsUrl: null, consoleUrl: null }, ctx)).toMatchObject({ kind: 'stream', source: 'docker logs' });
    expect(logSourceFor({ name: 'a.prod', target: 'fly', logsUrl: 'https://fly.io/apps/a/monitoring', consoleUrl: null }, ctx)).toEqual({ kind: 'link', source: 'fly log page', url: 'https://fly.io/apps/a/monitoring' });
    expect(logSourceFor({ name: 'a.prod', target: 'render', logsUrl: 'https://dashboard.render.com/web/srv-abc/logs', consoleUrl: 'https://dashboard.render.com/web/srv-abc' }, ctx)).toMatchObject({ kind: 'link' });
    expect(logSourceFor({ name: 'a.prod', target: 'render', logsUrl: null, consoleUrl: 'https://dashboard.render.com/web/srv-abc' }, { root: '/r', env: { RENDER_API_KEY: 'rnd_x' } })).toMatchObject({ kind: 'stream', source: 'Render log API' });
    expect(renderServiceId('https://dashboard.render.com/web/srv-d0abc123')).toBe('srv-d0abc123');
    expect(logSourceFor({ name: 'a.prod', target: 'cloudrun', logsUrl: null, consoleUrl: null }, ctx)).toMatchObject({ kind: 'none' });
  });

  it('reads Render\'s log API; every request validates against the published description', async () => {
    const fake = await startRenderFake('rnd_dashboard_token');
    try {
      const created = await fetch(`${fake.url}/services`, {
        method: 'POST',
        headers: { authorization: 'Bearer rnd_dashboard_token', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'web_service', name: 'billing-prod', ownerId: 'tea-abc', image: { ownerId: 'tea-abc', imagePath: 'registry.example.com/app:1' }, serviceDetails: { runtime: 'image', plan: 'starter', region: 'oregon', numInstances: 1, healthCheckPath: '/health', envSpecificDetails: {} } }),
      });
      expect(created.status).toBe(201);
      const serviceId = ((await created.json()) as { service: { id: string } }).service.id;
      fake.state.logs.push({ id: 'l1', message: 'started Authorization: Bearer abcdefghijkl', timestamp: '2026-12-07T10:00:00Z', resource: serviceId });
      const got: LogLine[] = [];
      const errors: string[] = [];
      const stop = renderLogStream({ apiBase: fake.url, apiKey: 'rnd_dashboard_token', serviceId, pollMs: 50 }).start((l) => got.push(...l), (e) => errors.push(e));
      await expect.poll(() => got.length).toBe(1);
      fake.state.logs.push({ id: 'l2', message: 'second', timestamp: '2026-12-07T10:00:05Z', resource: serviceId });
      await expect.poll(() => got.map((l) => l.text)).toEqual(['started Authorization: [redacted]', 'second']);
      stop();
      expect(errors).toEqual([]);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe('Railway logs', () => {
  it('reads the newest deployment\'s logs through the GraphQL API; every operation validates against the published schema', async () => {
    const token = 'railway-dashboard-token-0123456789';
    const state = newRailwayState();
    state.projects.set('p1', { id: 'p1', name: 'billing', description: null, workspaceId: null });
    state.environments.set('e1', { id: 'e1', name: 'production', projectId: 'p1' });
    state.services.set('s1', { id: 's1', name: 'billing', projectId: 'p1' });
    state.deployments.set('d1', { id: 'd1', projectId: 'p1', environmentId: 'e1', serviceId: 's1', image: 'registry.example.com/billing@sha256:' + 'a'.repeat(64), variables: {}, polls: 9, createdAt: '2026-01-01T00:00:00.000Z' });
    const fake = await startRailwayFake(token, state);
    try {
      for (const q of Object.values(RAILWAY_LOG_QUERIES)) expect(validateGraphql(railwaySchema(), parseGraphql(q)).map((e) => e.message)).toEqual([]);
      const ids = railwayIds('https://railway.com/project/p1/service/s1?environmentId=e1')!;
      expect(ids).toEqual({ serviceId: 's1', environmentId: 'e1' });
      const got: LogLine[] = [];
      const errors: string[] = [];
      const stop = railwayLogStream({ apiUrl: fake.url, token, ...ids, pollMs: 50 }).start((l) => got.push(...l), (e) => errors.push(e));
      await expect.poll(() => got.map((l) => l.text)).toEqual(['Starting Container (registry.example.com/billing@sha256:' + 'a'.repeat(64) + ')', 'Uvicorn running on http://0.0.0.0:8080']);
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toHaveLength(2); // polled again: nothing new, nothing repeated
      stop();
      expect(errors).toEqual([]);
      expect(fake.violations).toEqual([]);
      const wrong = railwayLogStream({ apiUrl: fake.url, token: 'wrong', ...ids, pollMs: 50 });
      const denied: string[] = [];
      const stop2 = wrong.start(() => {}, (e) => denied.push(e));
      await expect.poll(() => denied[0]).toMatch(/Railway API: Not Authorized/);
      stop2();
    } finally {
      await fake.close();
    }
    expect(logSourceFor({ name: 'b.prod', target: 'railway', logsUrl: 'https://railway.com/project/p1/logs?environmentId=e1', consoleUrl: 'https://railway.com/project/p1/service/s1?environmentId=e1' }, { root: '/r', env: { RAILWAY_API_TOKEN: 't' } })).toMatchObject({ kind: 'stream', source: 'Railway deployment logs' });
    expect(logSourceFor({ name: 'b.prod', target: 'railway', logsUrl: 'https://railway.com/project/p1/logs?environmentId=e1', consoleUrl: null }, { root: '/r', env: {} })).toMatchObject({ kind: 'link' });
  });
});

describe('the server', () => {
  let running: RunningServer | undefined;
  let hub: DashboardHub | undefined;
  afterEach(async () => {
    await running?.close();
    await hub?.close();
    running = hub = undefined;
  });

  async function app(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
    let hits = 0;
    const s = createServer((req, res) => {
      if (req.url === '/health') hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/health' ? '{"status":"ok"}' : '{}');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits: () => hits, close: () => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); }) };
  }

  function makeHub(url: string, rounds: { n: number }): DashboardHub {
    const { runRound } = awaitRunRound;
    return new DashboardHub({
      intervalMs: 150,
      dependencies: () => new Map(),
      logSource: () => ({ kind: 'none', reason: 'test' }),
      round: (onProbes, signal) => {
        rounds.n++;
        return runRound({ stacks: [{ ...stackInfo, url }], deploys: new Map(), history: null, drift: driftStub, settings: SETTINGS, signal, onProbes });
      },
    });
  }

  it('is read-only, checks the Host header, and needs a token off loopback', async () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    hub = new DashboardHub({ intervalMs: 1000, dependencies: () => new Map(), logSource: () => ({ kind: 'none', reason: '' }), round: async () => report([]) });
    await expect(startDashboardServer({ hub, host: '0.0.0.0', port: 0 })).rejects.toThrow(/CATALYST_DASHBOARD_TOKEN/);
    running = await startDashboardServer({ hub, host: '127.0.0.1', port: 0, token: 'a-long-dashboard-token' });
    const u = running.url;
    expect((await fetch(u, { method: 'POST' })).status).toBe(405);
    const anon = await fetch(u);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(u, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(u, { headers: { authorization: 'Bearer a-long-dashboard-token' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    const redirect = await fetch(`${u}?token=a-long-dashboard-token`, { redirect: 'manual' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/');
    const cookie = redirect.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${u}api/state`, { headers: { cookie } })).status).toBe(503); // no round yet
    const rebinding = await new Promise<number>((resolve) => {
      import('node:http').then(({ get }) => get(`${u}`, { headers: { host: 'evil.example:80', authorization: 'Bearer a-long-dashboard-token' } }, (r) => resolve(r.statusCode!)));
    });
    expect(rebinding).toBe(421);
  });

  it('many open pages share one probe loop', async () => {
    const a = await app();
    const rounds = { n: 0 };
    hub = makeHub(a.url, rounds);
    running = await startDashboardServer({ hub, host: '127.0.0.1', port: 0 });
    const controllers = Array.from({ length: 25 }, () => new AbortController());
    const received: number[] = Array(25).fill(0);
    await Promise.all(
      controllers.map(async (ac, i) => {
        const r = await fetch(`${running!.url}events`, { signal: ac.signal });
        const reader = r.body!.getReader();
        void (async () => {
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              received[i] += (Buffer.from(value).toString().match(/event: state/g) ?? []).length;
            }
          } catch {
            /* aborted */
          }
        })();
      }),
    );
    const t0 = Date.now();
    hub.start();
    await expect.poll(() => Math.min(...received), { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    await hub.close();
    // No more rounds than intervals elapsed (a round per page would make this 25×).
    expect(rounds.n).toBeLessThanOrEqual(Math.floor((Date.now() - t0) / 150) + 2);
    for (const ac of controllers) ac.abort();
    // One round per interval, three /health samples per round, however many pages were open.
    expect(a.hits()).toBe(rounds.n * 3);
    expect(rounds.n).toBeLessThanOrEqual(Math.max(...received) + 1);
    await a.close();
  });
});

// A runRound and the inputs it needs, for the server tests.
const awaitRunRound = await import('../../src/report/report.ts');
const stackInfo = {
  name: 'a.local', project: 'a', env: 'local', target: 'local', region: null, url: '', healthUrl: null, consoleUrl: null, logsUrl: null, imageRef: null, imageDigest: null, contentHash: null, uptimeCheckId: null,
  version: { commit: null, branch: null, dirty: null }, workflows: [], publicRoutes: [], problem: null,
};
const driftStub = { repo: { head: null, dirty: null, problem: 'test' }, drift: async () => ({ state: 'unknown', behind: null, ahead: null, commit: null, source: null, text: 'unknown' }) } as never;
const SETTINGS = { timeoutMs: 1000, slowMs: 1000, errorRatePercent: 5, minRequests: 20, samples: 3, concurrency: 8, stacks: {} } as never;
