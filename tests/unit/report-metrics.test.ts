import { describe, expect, it } from 'vitest';
import { errorRate, parseCounters, parseSampleLine } from '../../src/report/metrics.ts';
import { parseSample } from '../../src/report/prometheus.ts';
import type { Thresholds } from '../../src/report/types.ts';

const T: Thresholds = { timeoutMs: 1000, slowMs: 500, errorRatePercent: 5, minRequests: 10 };

describe('parseSampleLine', () => {
  it.each([
    ['catalyst_requests_total 12', ['catalyst_requests_total', 12]],
    ['catalyst_requests_total{workflow="a",status="200"} 3 1700000000000', ['catalyst_requests_total', 3]],
    ['m{l="has } brace and \\" quote"} 7.5', ['m', 7.5]],
    ['m{l="a"}   1e3', ['m', 1000]],
    ['m +Inf', ['m', Infinity]],
    ['m -Inf', ['m', -Infinity]],
  ] as const)('%s', (line, expected) => {
    expect(parseSampleLine(line)).toEqual(expected);
  });

  it.each(['', '   ', '# HELP m help', '# TYPE m counter', '{x="1"} 2', 'm{l="unterminated 1', 'm', 'm NaN', 'm abc'])('ignores %j', (line) => {
    expect(parseSampleLine(line)).toBeNull();
  });
});

describe('parseSample', () => {
  it('keeps the raw label set (what the per-workflow reader parses) and null without one', () => {
    expect(parseSample('  m{l="has } brace",workflow="a"} 7 1700000000000')).toEqual({ name: 'm', labels: 'l="has } brace",workflow="a"', value: 7 });
    expect(parseSample('m{} 2')).toEqual({ name: 'm', labels: '', value: 2 });
    expect(parseSample('m 1')).toEqual({ name: 'm', labels: null, value: 1 });
  });
});

describe('parseCounters', () => {
  it('sums every series of both counters and ignores other metrics', () => {
    const text = [
      '# TYPE catalyst_requests_total counter',
      'catalyst_requests_total{workflow="a",status="200"} 90',
      'catalyst_requests_total{workflow="a",status="500"} 6',
      'catalyst_requests_total{workflow="b",status="200"} 4',
      'catalyst_requests_created{workflow="a",status="200"} 1.7e9',
      'catalyst_request_errors_total{workflow="a"} 6',
      'catalyst_request_errors_total{workflow="b"} 0',
      'catalyst_request_duration_seconds_bucket{workflow="a",le="+Inf"} 100',
      'garbage line here',
      'catalyst_requests_total{workflow="c"} -5',
    ].join('\n');
    expect(parseCounters(text)).toEqual({ requests: 100, errors: 6 });
  });

  it('is null without catalyst_requests_total; errors default to 0', () => {
    expect(parseCounters('other_metric 1\n')).toBeNull();
    expect(parseCounters('catalyst_requests_total 3\n')).toEqual({ requests: 3, errors: 0 });
  });
});

describe('errorRate', () => {
  it('uses the interval since the previous probe when counters grew', () => {
    expect(errorRate({ requests: 300, errors: 30 }, { requests: 100, errors: 10 }, T)).toEqual({ percent: 10, requests: 200, errors: 20, window: 'interval' });
  });
  it('falls back to the lifetime rate after a counter reset or without a previous probe', () => {
    expect(errorRate({ requests: 50, errors: 5 }, { requests: 100, errors: 1 }, T)).toEqual({ percent: 10, requests: 50, errors: 5, window: 'lifetime' });
    expect(errorRate({ requests: 50, errors: 1 }, null, T)?.window).toBe('lifetime');
  });
  it('does not judge too little traffic', () => {
    expect(errorRate({ requests: 9, errors: 9 }, null, T)).toBeNull();
    expect(errorRate({ requests: 105, errors: 5 }, { requests: 100, errors: 0 }, T)).toBeNull();
    expect(errorRate(null, null, T)).toBeNull();
  });
  it('caps errors at requests and rounds to 2 decimals', () => {
    expect(errorRate({ requests: 30, errors: 1 }, null, T)?.percent).toBe(3.33);
    expect(errorRate({ requests: 10, errors: 20 }, null, T)?.percent).toBe(100);
  });
});
