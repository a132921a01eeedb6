import { describe, expect, it } from 'vitest';
import { classify, formatMs, median } from '../../src/report/classify.ts';
import type { HealthSample, ProbeResult, Thresholds } from '../../src/report/types.ts';

const T: Thresholds = { timeoutMs: 1000, slowMs: 200, errorRatePercent: 5, minRequests: 10 };

function ok(ms: number, health: 'ok' | 'degraded' = 'ok', failingChecks: string[] = []): HealthSample {
  return { ok: true, ms, statusCode: 200, health, failingChecks, failure: null, timedOut: false };
}
function bad(failure: string, statusCode: number | null = null, timedOut = false): HealthSample {
  return { ok: false, ms: 5, statusCode, health: null, failingChecks: [], failure, timedOut };
}
function probe(samples: HealthSample[], counters: ProbeResult['counters'] = null): ProbeResult {
  return { name: 'a.prod', samples, version: null, versionProblem: null, counters, app: null, metricsProblem: null, elapsedMs: 0 };
}

describe('classify', () => {
  it('healthy: all samples ok and fast; the reason is still shown', () => {
    const c = classify(probe([ok(10), ok(30), ok(20)]), T, null);
    expect(c).toMatchObject({ status: 'healthy', latencyMs: 20 });
    expect(c.reason).toBe('ok: 3 /health samples, median 20 ms');
    expect(classify(probe([ok(10)]), T, null).reason).toBe('ok: 1 /health sample, median 10 ms');
  });

  it('down: every sample failed; the first failure is the reason', () => {
    expect(classify(probe([bad('connection refused')]), T, null)).toMatchObject({ status: 'down', reason: 'connection refused', latencyMs: null });
    expect(classify(probe([bad('/health answered HTTP 500', 500), bad('/health answered HTTP 500', 500)]), T, null).reason).toBe(
      '/health answered HTTP 500 (2 of 2 samples failed)',
    );
    expect(classify(probe([]), T, null)).toMatchObject({ status: 'down', reason: 'no /health sample taken' });
  });

  it('degraded: some samples failed', () => {
    const c = classify(probe([ok(10), bad('/health answered HTTP 502', 502), ok(12)]), T, null);
    expect(c.status).toBe('degraded');
    expect(c.reason).toBe('1 of 3 /health samples failed (/health answered HTTP 502)');
  });

  it('degraded: /health says degraded, naming the checks', () => {
    expect(classify(probe([ok(10, 'degraded', ['llm', 'peer'])]), T, null).reason).toBe('/health reports degraded: checks llm, peer not ok');
    expect(classify(probe([ok(10, 'degraded', ['llm'])]), T, null).reason).toBe('/health reports degraded: check llm not ok');
    expect(classify(probe([ok(10, 'degraded')]), T, null).reason).toBe('/health reports degraded');
  });

  it('degraded: slow median (a single slow cold start is forgiven)', () => {
    expect(classify(probe([ok(900), ok(20), ok(25)]), T, null).status).toBe('healthy');
    const c = classify(probe([ok(250), ok(300), ok(20)]), T, null);
    expect(c).toMatchObject({ status: 'degraded', reason: 'slow: median 250 ms > 200 ms', latencyMs: 250 });
  });

  it('degraded: error rate over the threshold, with its window', () => {
    const c = classify(probe([ok(10)], { requests: 200, errors: 30 }), T, { requests: 100, errors: 10 });
    expect(c.status).toBe('degraded');
    expect(c.reason).toBe('error rate 20% > 5% (20 of 100 requests since the last probe)');
    expect(classify(probe([ok(10)], { requests: 100, errors: 6 }), T, null).reason).toBe('error rate 6% > 5% (6 of 100 requests since the app started)');
    expect(classify(probe([ok(10)], { requests: 100, errors: 5 }), T, null).status).toBe('healthy');
  });

  it('joins several degradations', () => {
    const c = classify(probe([ok(300, 'degraded', ['db']), ok(300)], { requests: 20, errors: 20 }), T, null);
    expect(c.reason.split('; ')).toHaveLength(3);
  });
});

describe('helpers', () => {
  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('formatMs', () => {
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
  });
});
