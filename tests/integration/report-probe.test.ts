import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/report/classify.ts';
import { httpGet } from '../../src/report/http.ts';
import { mapLimit, probeAll, type ProbeTarget } from '../../src/report/probe.ts';
import type { Thresholds } from '../../src/report/types.ts';
import { closedPort, type FixtureServer, type Kind, SLOW_MS, startFixtureServer } from './report-helpers.ts';

const TIMEOUT_MS = 1500;
const T: Thresholds = { timeoutMs: TIMEOUT_MS, slowMs: 400, errorRatePercent: 5, minRequests: 20 };

let server: FixtureServer;
let closed: number;

beforeAll(async () => {
  server = await startFixtureServer();
  closed = await closedPort();
});
afterAll(async () => {
  await server.close();
});

const CASES: [Kind | 'closed', 'healthy' | 'degraded' | 'down', RegExp][] = [
  ['healthy', 'healthy', /^ok: 3 \/health samples, median \d+ ms$/],
  ['noextras', 'healthy', /^ok: 3 \/health samples/],
  ['slow', 'degraded', /^slow: median \d+ ms > 400 ms$/],
  ['degraded', 'degraded', /^\/health reports degraded: check llm not ok$/],
  ['errors', 'degraded', /^error rate 30% > 5% \(60 of 200 requests since the app started\)$/],
  ['flaky', 'degraded', /^1 of 3 \/health samples failed \(\/health answered HTTP 500\)$/],
  ['error500', 'down', /^\/health answered HTTP 500 \(3 of 3 samples failed\)$/],
  ['closed', 'down', /^connection refused/],
  ['garbage', 'down', /^invalid \/health body \(not a JSON object\)/],
  ['huge', 'down', /^response larger than 65536 bytes/],
  ['hang', 'down', new RegExp(`^timeout: no complete response within ${TIMEOUT_MS} ms$`)],
  ['trickle', 'down', new RegExp(`^timeout: no complete response within ${TIMEOUT_MS} ms$`)],
];

describe('probeAll against real loopback servers', () => {
  it('classifies every behaviour correctly, within the time bound', async () => {
    const targets: ProbeTarget[] = CASES.map(([kind]) => ({ name: `${kind}.test`, url: kind === 'closed' ? `http://127.0.0.1:${closed}` : server.url(kind) }));
    const start = performance.now();
    const results = await probeAll(targets, { timeoutMs: TIMEOUT_MS, samples: 3, concurrency: 16 });
    const elapsed = performance.now() - start;
    for (const [i, [kind, status, reason]] of CASES.entries()) {
      const r = results[i];
      expect(r.name).toBe(`${kind}.test`);
      const c = classify(r, T, null);
      expect({ kind, status: c.status }).toEqual({ kind, status });
      expect(c.reason).toMatch(reason);
    }
    // Everything runs in parallel: the slowest target is 3 slow samples, or one timed-out sample
    // (slack for a loaded CI machine; without deadlines the hanging ones would never finish).
    expect(elapsed).toBeLessThan(Math.max(TIMEOUT_MS, 3 * SLOW_MS) + 3000);
    // A hanging or trickling endpoint costs one deadline, not three.
    for (const kind of ['hang', 'trickle']) {
      const r = results[CASES.findIndex(([k]) => k === kind)];
      expect(r.samples).toHaveLength(1);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(r.elapsedMs).toBeLessThan(TIMEOUT_MS + 1000);
    }
    // /version and /metrics are read when reachable; failures are notes, not the status.
    const healthy = results[0];
    expect(healthy.version).toEqual({ commit: 'a'.repeat(40), dirty: false, contentHash: 'b'.repeat(64), catalyst: '0.1.0' });
    expect(healthy.counters).toEqual({ requests: 100, errors: 1 });
    const noextras = results[1];
    expect(noextras.versionProblem).toBe('/version answered HTTP 404');
    expect(noextras.metricsProblem).toBe('/metrics answered HTTP 404');
    // Nothing is fetched beyond /health when the first sample got no answer at all.
    const closedResult = results[CASES.findIndex(([k]) => k === 'closed')];
    expect(closedResult.versionProblem).toBeNull();
  });

  it('bounds concurrency: 8 hanging targets, 2 at a time, 4 deadlines in total', async () => {
    const timeoutMs = 200;
    const targets = Array.from({ length: 8 }, (_, i) => ({ name: `h${i}.test`, url: server.url('hang', i) }));
    const start = performance.now();
    const results = await probeAll(targets, { timeoutMs, samples: 3, concurrency: 2 });
    const elapsed = performance.now() - start;
    expect(results.every((r) => r.samples[0].timedOut)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(4 * timeoutMs - 20);
    expect(elapsed).toBeLessThan(4 * timeoutMs + 2000);
  });

  it('reports progress and stops promptly when aborted', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const targets = Array.from({ length: 4 }, (_, i) => ({ name: `h${i}.test`, url: server.url('hang', `abort${i}`) }));
    setTimeout(() => ac.abort(), 100);
    const start = performance.now();
    const results = await probeAll(targets, { timeoutMs: 5000, samples: 3, concurrency: 4, signal: ac.signal, onProgress: (d) => seen.push(d) });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(results.map((r) => r.samples[0].failure)).toEqual(Array(4).fill('probe cancelled'));
    expect(seen).toEqual([1, 2, 3, 4]);
    const after = await httpGet(server.url('healthy'), { timeoutMs: 1000, maxBytes: 1000, signal: ac.signal });
    expect(after.error).toBe('aborted');
  });

  it('mapLimit keeps input order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 5));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe('httpGet', () => {
  it('reports DNS, bad URLs and TLS problems without throwing', async () => {
    expect((await httpGet('http://nonexistent.invalid/health', { timeoutMs: 3000, maxBytes: 100 })).error).toMatch(/dns|timeout|other/);
    expect(await httpGet('not a url', { timeoutMs: 100, maxBytes: 100 })).toMatchObject({ error: 'other', errorText: 'request failed (ERR_INVALID_URL)' });
    // Plain HTTP server spoken to over TLS: a TLS (or reset) failure, quickly.
    const r = await httpGet(server.url('healthy').replace('http:', 'https:'), { timeoutMs: 5000, maxBytes: 100 });
    expect(r.error).toMatch(/tls|reset|other/);
  });
});
