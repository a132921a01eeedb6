/**
 * The probe engine: `probeAll(targets, options)` probes every target's /health (a few samples),
 * /version and /metrics with bounded concurrency. It never throws for a bad endpoint and never hangs:
 * every request has a hard deadline (see http.ts), so one target costs at most
 * `samples × timeoutMs` (samples stop at the first timeout), and the whole run about
 * `ceil(targets / concurrency) × that` in the worst case. Library function: used by `catalyst
 * report`, `catalyst monitor` and benchmarks.
 */
import { performance } from 'node:perf_hooks';
import { httpGet } from './http.ts';
import { parseCounters } from './metrics.ts';
import { type AppMetrics, parseAppMetrics } from './workflow-metrics.ts';
import type { Counters, HealthSample, HttpResult, ProbeResult, VersionInfo } from './types.ts';

export interface ProbeTarget {
  name: string;
  /** Base URL; /version and /metrics are resolved against it. */
  url: string;
  /** Defaults to `${url}/health`. */
  healthUrl?: string;
  /** Per-target deadline override, ms. */
  timeoutMs?: number;
}

export interface ProbeOptions {
  timeoutMs: number;
  samples: number;
  concurrency: number;
  /** Probe /version and /metrics too (default true). */
  extras?: boolean;
  signal?: AbortSignal;
  /** Called after each target finishes (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export const HEALTH_MAX_BYTES = 64 * 1024;
export const VERSION_MAX_BYTES = 64 * 1024;
export const METRICS_MAX_BYTES = 4 * 1024 * 1024;

const CHECK_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;
const HEX_RE = /^[0-9a-f]{7,64}$/;
const SEMVER_RE = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;

function parseJsonObject(body: string | null): Record<string, unknown> | null {
  if (body === null) return null;
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Interprets one /health response. Only `status` and the names of checks that are not ok are read
 * (never `detail` or any other text from the app), so nothing the app says can leak into reports.
 */
export function interpretHealth(r: HttpResult): HealthSample {
  const base = { ms: r.ms, statusCode: r.statusCode, timedOut: r.error === 'timeout' };
  if (r.error) return { ...base, ok: false, health: null, failingChecks: [], failure: r.errorText };
  if (r.statusCode === null || r.statusCode < 200 || r.statusCode > 299) {
    return { ...base, ok: false, health: null, failingChecks: [], failure: `/health answered HTTP ${r.statusCode}` };
  }
  const body = parseJsonObject(r.body);
  if (!body) return { ...base, ok: false, health: null, failingChecks: [], failure: 'invalid /health body (not a JSON object)' };
  if (body.status !== 'ok' && body.status !== 'degraded') {
    return { ...base, ok: false, health: null, failingChecks: [], failure: 'invalid /health body (status is not "ok" or "degraded")' };
  }
  const failingChecks: string[] = [];
  if (typeof body.checks === 'object' && body.checks !== null) {
    for (const [name, check] of Object.entries(body.checks as Record<string, unknown>)) {
      const st = typeof check === 'object' && check !== null ? (check as Record<string, unknown>).status : undefined;
      if (st !== 'ok') failingChecks.push(CHECK_NAME_RE.test(name) ? name : '(unnamed check)');
    }
  }
  failingChecks.sort();
  return { ...base, ok: true, health: body.status, failingChecks, failure: null };
}

/** Interprets /version; only the contract's fields, each pattern-checked. */
export function interpretVersion(r: HttpResult): { version: VersionInfo | null; problem: string | null } {
  if (r.error) return { version: null, problem: `/version: ${r.errorText}` };
  if (r.statusCode === null || r.statusCode < 200 || r.statusCode > 299) return { version: null, problem: `/version answered HTTP ${r.statusCode}` };
  const body = parseJsonObject(r.body);
  if (!body) return { version: null, problem: 'invalid /version body (not a JSON object)' };
  const pick = (v: unknown, re: RegExp) => (typeof v === 'string' && re.test(v) ? v : null);
  return {
    version: {
      commit: pick(body.commit, HEX_RE),
      dirty: typeof body.dirty === 'boolean' ? body.dirty : null,
      contentHash: pick(body.contentHash, HEX_RE),
      catalyst: pick(body.catalyst, SEMVER_RE),
    },
    problem: null,
  };
}

export function interpretMetrics(r: HttpResult): { counters: Counters | null; app: AppMetrics | null; problem: string | null } {
  if (r.error) return { counters: null, app: null, problem: `/metrics: ${r.errorText}` };
  if (r.statusCode === null || r.statusCode < 200 || r.statusCode > 299) return { counters: null, app: null, problem: `/metrics answered HTTP ${r.statusCode}` };
  const counters = parseCounters(r.body ?? '');
  // An app that has served no workflow request yet has no request counters, but its schedules are there.
  const app = parseAppMetrics(r.body ?? '');
  return { counters, app: counters || Object.keys(app.schedules).length > 0 ? app : null, problem: counters ? null : '/metrics has no catalyst_requests_total' };
}

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** Probes one target. Never throws. */
export async function probeTarget(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const start = performance.now();
  const timeoutMs = target.timeoutMs ?? options.timeoutMs;
  const get = (url: string, maxBytes: number) => httpGet(url, { timeoutMs, maxBytes, signal: options.signal });
  const healthUrl = target.healthUrl ?? join(target.url, '/health');
  const samples: HealthSample[] = [interpretHealth(await get(healthUrl, HEALTH_MAX_BYTES))];
  const result: ProbeResult = {
    name: target.name,
    samples,
    version: null,
    versionProblem: null,
    counters: null,
    app: null,
    metricsProblem: null,
    elapsedMs: 0,
  };
  // Something answered: fetch /version and /metrics while taking the remaining samples.
  const answered = samples[0].statusCode !== null;
  const extras =
    answered && options.extras !== false
      ? Promise.all([get(join(target.url, '/version'), VERSION_MAX_BYTES), get(join(target.url, '/metrics'), METRICS_MAX_BYTES)])
      : null;
  if (!samples[0].timedOut) {
    for (let i = 1; i < options.samples && !options.signal?.aborted; i++) {
      const s = interpretHealth(await get(healthUrl, HEALTH_MAX_BYTES));
      samples.push(s);
      if (s.timedOut) break;
    }
  }
  if (extras) {
    const [v, m] = await extras;
    const version = interpretVersion(v);
    const metrics = interpretMetrics(m);
    result.version = version.version;
    result.versionProblem = version.problem;
    result.counters = metrics.counters;
    result.app = metrics.app;
    result.metricsProblem = metrics.problem;
  }
  result.elapsedMs = Math.round(performance.now() - start);
  return result;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Probes every target with bounded concurrency; results in the order of `targets`. */
export async function probeAll(targets: readonly ProbeTarget[], options: ProbeOptions): Promise<ProbeResult[]> {
  let done = 0;
  return mapLimit(targets, options.concurrency, async (t) => {
    const r = await probeTarget(t, options);
    options.onProgress?.(++done, targets.length);
    return r;
  });
}
