/**
 * Status of one deployment from its probe result. Pure: thresholds and the previous counters are
 * inputs. The reason is always one line, built only from our own words, numbers and check names.
 *
 * - down: every /health sample failed (timeout, refused, non-2xx, invalid body), or no usable URL.
 * - degraded: some samples failed; /health says degraded; median latency over `slowMs`; error rate
 *   from /metrics over `errorRatePercent`.
 * - healthy: otherwise.
 */
import { errorRate } from './metrics.ts';
import type { Classification, Counters, ProbeResult, Thresholds } from './types.ts';

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function classify(probe: ProbeResult, t: Thresholds, previous: Counters | null): Classification {
  const ok = probe.samples.filter((s) => s.ok);
  const failed = probe.samples.filter((s) => !s.ok);
  const latency = median(ok.map((s) => s.ms));
  const latencyMs = latency === null ? null : Math.round(latency * 10) / 10;
  const rate = errorRate(probe.counters, previous, t);
  if (ok.length === 0) {
    const first = failed[0];
    const why = first?.failure ?? 'no /health sample taken';
    const extra = failed.length > 1 ? ` (${failed.length} of ${failed.length} samples failed)` : '';
    return { status: 'down', reason: `${why}${extra}`, latencyMs: null, errorRate: rate };
  }
  const reasons: string[] = [];
  if (failed.length > 0) {
    reasons.push(`${failed.length} of ${probe.samples.length} /health samples failed (${failed[0].failure})`);
  }
  const degradedSample = ok.find((s) => s.health === 'degraded');
  if (degradedSample) {
    const checks = degradedSample.failingChecks;
    reasons.push(`/health reports degraded${checks.length ? `: ${checks.length === 1 ? 'check' : 'checks'} ${checks.join(', ')} not ok` : ''}`);
  }
  if (latencyMs !== null && latencyMs > t.slowMs) {
    reasons.push(`slow: median ${formatMs(latencyMs)} > ${formatMs(t.slowMs)}`);
  }
  if (rate && rate.percent > t.errorRatePercent) {
    const window = rate.window === 'interval' ? 'since the last probe' : 'since the app started';
    reasons.push(`error rate ${rate.percent}% > ${t.errorRatePercent}% (${rate.errors} of ${plural(rate.requests, 'request')} ${window})`);
  }
  if (reasons.length) return { status: 'degraded', reason: reasons.join('; '), latencyMs, errorRate: rate };
  return {
    status: 'healthy',
    reason: `ok: ${ok.length === 1 ? '1 /health sample' : `${ok.length} /health samples`}, median ${formatMs(latencyMs ?? 0)}`,
    latencyMs,
    errorRate: rate,
  };
}
