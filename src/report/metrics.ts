/**
 * Reads the two counters the report needs from Prometheus text exposition format (version 0.0.4):
 * the sums over all series of `catalyst_requests_total` and `catalyst_request_errors_total`.
 */
import { parseSample } from './prometheus.ts';
import type { Counters, ErrorRate, Thresholds } from './types.ts';

export const REQUESTS_METRIC = 'catalyst_requests_total';
export const ERRORS_METRIC = 'catalyst_request_errors_total';

/** One sample line → [metric name, value], or null for comments, blanks and malformed lines. */
export function parseSampleLine(line: string): [string, number] | null {
  const sample = parseSample(line);
  return sample && [sample.name, sample.value];
}

/** Sums the catalyst request counters; null when the text has no `catalyst_requests_total` series. */
export function parseCounters(text: string): Counters | null {
  let requests = 0;
  let errors = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const sample = parseSample(line);
    if (!sample) continue;
    const { name, value } = sample;
    if (!Number.isFinite(value) || value < 0) continue;
    if (name === REQUESTS_METRIC) {
      requests += value;
      seen = true;
    } else if (name === ERRORS_METRIC) errors += value;
  }
  return seen ? { requests, errors } : null;
}

/**
 * The error rate to judge. With the previous probe's counters (and no counter reset since), the rate
 * over that interval; otherwise the app's lifetime rate. Null when there is too little traffic.
 */
export function errorRate(current: Counters | null, previous: Counters | null, t: Thresholds): ErrorRate | null {
  if (!current) return null;
  const reset = previous !== null && (current.requests < previous.requests || current.errors < previous.errors);
  const interval = previous !== null && !reset;
  const requests = interval ? current.requests - previous.requests : current.requests;
  const errors = interval ? current.errors - previous.errors : current.errors;
  if (requests < Math.max(1, t.minRequests)) return null;
  const percent = Math.round((Math.min(errors, requests) / requests) * 10000) / 100;
  return { percent, requests, errors, window: interval ? 'interval' : 'lifetime' };
}
