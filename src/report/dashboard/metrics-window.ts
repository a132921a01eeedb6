/**
 * The dashboard's memory of each app's /metrics: a bounded ring of snapshots per stack, and the
 * figures per workflow over a window (request rate, error rate, p50/p95 latency) plus a chart series,
 * all computed from counter deltas between consecutive snapshots (a counter that went down means the
 * app restarted: that step is skipped, never counted as negative traffic).
 */
import { type AppMetrics, bucketDelta, histogramQuantile } from '../workflow-metrics.ts';

export interface Snapshot {
  t: number;
  app: AppMetrics;
}

export interface WorkflowWindow {
  /** Requests per second over the window (null: fewer than two snapshots). */
  rate: number | null;
  /** Percent of requests answered ≥ 500 (null: no requests). */
  errorPercent: number | null;
  /** Latency quantiles in ms (null: no requests). */
  p50Ms: number | null;
  p95Ms: number | null;
  requests: number;
  errors: number;
}

export interface WorkflowSeries {
  /** Point end times (ms since the epoch), one per step between snapshots. */
  t: number[];
  rate: (number | null)[];
  errorPercent: (number | null)[];
  p95Ms: (number | null)[];
}

export const MAX_SNAPSHOTS = 400;
export const SERIES_POINTS = 60;

export class MetricsMemory {
  private readonly rings = new Map<string, Snapshot[]>();
  private readonly max: number;
  constructor(max = MAX_SNAPSHOTS) {
    this.max = max;
  }

  add(stack: string, t: number, app: AppMetrics | null): void {
    if (!app) return;
    let ring = this.rings.get(stack);
    if (!ring) this.rings.set(stack, (ring = []));
    ring.push({ t, app });
    if (ring.length > this.max) ring.splice(0, ring.length - this.max);
  }

  snapshots(stack: string): readonly Snapshot[] {
    return this.rings.get(stack) ?? [];
  }

  /** Drops stacks no longer shown. */
  keep(names: ReadonlySet<string>): void {
    for (const k of [...this.rings.keys()]) if (!names.has(k)) this.rings.delete(k);
  }
}

interface Step {
  t: number;
  seconds: number;
  requests: number;
  errors: number;
  buckets: [number, number][] | null;
}

/** One workflow's step from snapshot `a` to the next one `b`; null when `b` lacks it or the app restarted. */
function computeStep(a: Snapshot, b: Snapshot, workflow: string): Step | null {
  const wa = a.app.workflows[workflow] ?? { requests: 0, errors: 0, buckets: [], durationSum: 0 };
  const wb = b.app.workflows[workflow];
  if (!wb) return null;
  const requests = wb.requests - wa.requests;
  const errors = wb.errors - wa.errors;
  if (requests < 0 || errors < 0) return null; // restart
  return { t: b.t, seconds: Math.max(0.001, (b.t - a.t) / 1000), requests, errors: Math.min(errors, requests), buckets: bucketDelta(wa.buckets, wb.buckets) };
}

/**
 * Steps already computed, by the later snapshot of the pair: a snapshot never changes once taken, so
 * each round computes only the step to its new snapshot instead of every step in the window again
 * (the windows of 300 stacks were ~330 ms a round, docs/BENCHMARKS.md). Dropped with the snapshot.
 */
const stepCache = new WeakMap<Snapshot, { prev: Snapshot; byWorkflow: Map<string, Step | null> }>();

function step(a: Snapshot, b: Snapshot, workflow: string): Step | null {
  let cached = stepCache.get(b);
  if (!cached || cached.prev !== a) stepCache.set(b, (cached = { prev: a, byWorkflow: new Map() }));
  let s = cached.byWorkflow.get(workflow);
  if (s === undefined) cached.byWorkflow.set(workflow, (s = computeStep(a, b, workflow)));
  return s;
}

function steps(snaps: readonly Snapshot[], workflow: string, since: number): Step[] {
  const out: Step[] = [];
  for (let i = 1; i < snaps.length; i++) {
    if (snaps[i].t <= since) continue;
    const s = step(snaps[i - 1], snaps[i], workflow);
    if (s) out.push(s);
  }
  return out;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Bucket counts added up per bound (ascending); steps of one app share their bounds, which is the fast path. */
function sumBuckets(list: ([number, number][] | null)[]): [number, number][] {
  const first = list.find((b) => b !== null);
  if (!first) return [];
  if (first.every(([le], i) => i === 0 || le > first[i - 1][0]) && list.every((b) => b === null || sameBounds(b, first))) {
    const sums: [number, number][] = first.map(([le]) => [le, 0]);
    for (const b of list) if (b) for (let i = 0; i < b.length; i++) sums[i][1] += b[i][1];
    return sums;
  }
  const acc = new Map<number, number>();
  for (const b of list) if (b) for (const [le, c] of b) acc.set(le, (acc.get(le) ?? 0) + c);
  return [...acc].sort((x, y) => x[0] - y[0]);
}

function sameBounds(a: readonly [number, number][], b: readonly [number, number][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i][0] !== b[i][0]) return false;
  return true;
}

const ms = (s: number | null) => (s === null ? null : round(s * 1000, 1));

/** Figures of one workflow over the last `windowMs` (ending at the newest snapshot). */
export function workflowWindow(snaps: readonly Snapshot[], workflow: string, windowMs: number): WorkflowWindow {
  const newest = snaps.at(-1)?.t ?? 0;
  const st = steps(snaps, workflow, newest - windowMs);
  if (st.length === 0) return { rate: null, errorPercent: null, p50Ms: null, p95Ms: null, requests: 0, errors: 0 };
  const requests = st.reduce((n, s) => n + s.requests, 0);
  const errors = st.reduce((n, s) => n + s.errors, 0);
  const seconds = st.reduce((n, s) => n + s.seconds, 0);
  const buckets = sumBuckets(st.map((s) => s.buckets));
  return {
    rate: round(requests / seconds, 3),
    errorPercent: requests ? round((errors / requests) * 100, 2) : null,
    p50Ms: ms(histogramQuantile(0.5, buckets)),
    p95Ms: ms(histogramQuantile(0.95, buckets)),
    requests,
    errors,
  };
}

/** A chart series over the last `windowMs`, merged into at most SERIES_POINTS points. */
export function workflowSeries(snaps: readonly Snapshot[], workflow: string, windowMs: number, points = SERIES_POINTS): WorkflowSeries {
  const newest = snaps.at(-1)?.t ?? 0;
  const st = steps(snaps, workflow, newest - windowMs);
  const per = Math.max(1, Math.ceil(st.length / points));
  const out: WorkflowSeries = { t: [], rate: [], errorPercent: [], p95Ms: [] };
  for (let i = 0; i < st.length; i += per) {
    const g = st.slice(i, i + per);
    const requests = g.reduce((n, s) => n + s.requests, 0);
    const errors = g.reduce((n, s) => n + s.errors, 0);
    const seconds = g.reduce((n, s) => n + s.seconds, 0);
    out.t.push(g.at(-1)!.t);
    out.rate.push(round(requests / seconds, 3));
    out.errorPercent.push(requests ? round((errors / requests) * 100, 2) : null);
    out.p95Ms.push(ms(histogramQuantile(0.95, sumBuckets(g.map((s) => s.buckets)))));
  }
  return out;
}

/** Failed calls to each peer project between the last two snapshots (the app's own view of its peers). */
export function recentPeerFailures(snaps: readonly Snapshot[]): Record<string, { failures: number; calls: number }> {
  const out: Record<string, { failures: number; calls: number }> = {};
  if (snaps.length < 2) return out;
  const a = snaps.at(-2)!.app;
  const b = snaps.at(-1)!.app;
  for (const project of Object.keys(b.peerCalls)) {
    const calls = b.peerCalls[project] - (a.peerCalls[project] ?? 0);
    const failures = (b.peerFailures[project] ?? 0) - (a.peerFailures[project] ?? 0);
    if (calls >= 0 && failures > 0) out[project] = { failures, calls };
  }
  return out;
}
