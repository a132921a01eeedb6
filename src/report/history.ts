/**
 * Probe history: one JSON object per line (JSONL), oldest first. Three kinds of record:
 *
 * - `probe`: one round, per stack `{ s: status, ms: latency|null, rq?: requests, er?: errors }`
 * - `hour` / `day`: aggregates, per stack `{ n: samples, h: healthy, d: degraded, x: down, ms: mean latency|null }`
 *
 * The file stays bounded: probe records older than RAW_KEEP_MS (or beyond the newest MAX_PROBE_RECORDS)
 * are folded into hourly buckets, hourly buckets older than HOUR_KEEP_MS into daily buckets, and
 * anything older than MAX_AGE_MS (90 days) is dropped. A round is appended; compaction runs (and the
 * file is rewritten atomically: temp file + rename) only once something is past its limit by a slack
 * (an hour for probes, a day for buckets), so a monitor rewrites the file about once an hour, not
 * every round. See docs/report.md.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Counters, Status, Uptime } from './types.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const RAW_KEEP_MS = 6 * HOUR_MS;
export const HOUR_KEEP_MS = 7 * DAY_MS;
export const MAX_AGE_MS = 90 * DAY_MS;
export const MAX_PROBE_RECORDS = 720;
const PROBE_SLACK = 60;
export const SERIES_POINTS = 48;

export const UPTIME_WINDOWS: readonly [keyof Uptime, number][] = [
  ['24h', DAY_MS],
  ['7d', 7 * DAY_MS],
  ['30d', 30 * DAY_MS],
  ['90d', 90 * DAY_MS],
];

export interface ProbeEntry {
  s: Status;
  ms: number | null;
  rq?: number;
  er?: number;
}

export interface AggEntry {
  n: number;
  h: number;
  d: number;
  x: number;
  ms: number | null;
}

export type HistoryRecord =
  | { v: 1; t: string; span: 'probe'; stacks: Record<string, ProbeEntry> }
  | { v: 1; t: string; span: 'hour' | 'day'; stacks: Record<string, AggEntry> };

const STATUS_SET = new Set<string>(['healthy', 'degraded', 'down']);

function num(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function validProbeEntry(e: unknown): e is ProbeEntry {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return STATUS_SET.has(o.s as string) && (o.ms === null || num(o.ms)) && (o.rq === undefined || num(o.rq)) && (o.er === undefined || num(o.er));
}

function validAggEntry(e: unknown): e is AggEntry {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return num(o.n) && num(o.h) && num(o.d) && num(o.x) && o.n === (o.h as number) + (o.d as number) + (o.x as number) && (o.ms === null || num(o.ms));
}

/** Parses one line; null when it is not a valid record (such lines are dropped on the next rewrite). */
export function parseRecord(line: string): HistoryRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (r.v !== 1 || typeof r.t !== 'string' || Number.isNaN(Date.parse(r.t))) return null;
  if (typeof r.stacks !== 'object' || r.stacks === null || Array.isArray(r.stacks)) return null;
  const entries = Object.values(r.stacks as Record<string, unknown>);
  if (r.span === 'probe') return entries.every(validProbeEntry) ? (r as HistoryRecord) : null;
  if (r.span === 'hour' || r.span === 'day') return entries.every(validAggEntry) ? (r as HistoryRecord) : null;
  return null;
}

function floorTo(t: number, unit: number): string {
  return new Date(Math.floor(t / unit) * unit).toISOString();
}

function toAgg(e: ProbeEntry): AggEntry {
  return { n: 1, h: e.s === 'healthy' ? 1 : 0, d: e.s === 'degraded' ? 1 : 0, x: e.s === 'down' ? 1 : 0, ms: e.s === 'down' ? null : e.ms };
}

/** Merges b into a; the mean latency is weighted by the samples that had one (not down). */
export function mergeAgg(a: AggEntry, b: AggEntry): AggEntry {
  const wa = a.ms === null ? 0 : a.h + a.d;
  const wb = b.ms === null ? 0 : b.h + b.d;
  const ms = wa + wb === 0 ? null : Math.round((((a.ms ?? 0) * wa + (b.ms ?? 0) * wb) / (wa + wb)) * 10) / 10;
  return { n: a.n + b.n, h: a.h + b.h, d: a.d + b.d, x: a.x + b.x, ms };
}

/**
 * Folds old records into coarser buckets and drops what is older than 90 days. Pure; `changed` is
 * false when the records are returned as they were.
 */
export function compact(records: readonly HistoryRecord[], now: number): { records: HistoryRecord[]; changed: boolean } {
  const probes = records.filter((r) => r.span === 'probe');
  const foldProbes = new Set(probes.slice(0, Math.max(0, probes.length - MAX_PROBE_RECORDS)));
  const buckets = new Map<string, HistoryRecord & { span: 'hour' | 'day' }>();
  const kept: HistoryRecord[] = [];
  let changed = false;
  const bucket = (span: 'hour' | 'day', t: string) => {
    const key = `${span} ${t}`;
    let b = buckets.get(key);
    if (!b) {
      b = { v: 1, t, span, stacks: {} };
      buckets.set(key, b);
    }
    return b;
  };
  const addTo = (b: { stacks: Record<string, AggEntry> }, name: string, e: AggEntry) => {
    b.stacks[name] = b.stacks[name] ? mergeAgg(b.stacks[name], e) : e;
  };
  for (const r of records) {
    const t = Date.parse(r.t);
    if (t < now - MAX_AGE_MS) {
      changed = true;
      continue;
    }
    if (r.span === 'probe') {
      if (t >= now - RAW_KEEP_MS && !foldProbes.has(r)) {
        kept.push(r);
        continue;
      }
      changed = true;
      const b = bucket('hour', floorTo(t, HOUR_MS));
      for (const [name, e] of Object.entries(r.stacks)) addTo(b, name, toAgg(e));
      continue;
    }
    const span = r.span === 'hour' && t < now - HOUR_KEEP_MS ? 'day' : r.span;
    const key = floorTo(t, span === 'day' ? DAY_MS : HOUR_MS);
    if (span !== r.span || key !== r.t || buckets.has(`${span} ${key}`)) changed = true;
    const b = bucket(span, key);
    for (const [name, e] of Object.entries(r.stacks)) addTo(b, name, e);
  }
  // Merging can bring two records for one bucket together: then the order must be rebuilt.
  const all = [...buckets.values(), ...kept].sort((a, b) => Date.parse(a.t) - Date.parse(b.t) || spanRank(a) - spanRank(b));
  return { records: all, changed };
}

function spanRank(r: HistoryRecord): number {
  return r.span === 'day' ? 0 : r.span === 'hour' ? 1 : 2;
}

/** True when some record is past its limit by the slack: time to run `compact`. */
export function needsCompaction(records: readonly HistoryRecord[], now: number): boolean {
  let probes = 0;
  for (const r of records) {
    const t = Date.parse(r.t);
    if (t < now - MAX_AGE_MS - DAY_MS) return true;
    if (r.span === 'hour' && t < now - HOUR_KEEP_MS - DAY_MS) return true;
    if (r.span === 'probe') {
      if (t < now - RAW_KEEP_MS - HOUR_MS) return true;
      probes++;
    }
  }
  return probes > MAX_PROBE_RECORDS + PROBE_SLACK;
}

export interface StackHistory {
  uptime: Uptime;
  /** How much time each uptime figure covers: from its oldest sample in the window to now, ms (null: no samples). */
  coverage: Uptime;
  /** The last SERIES_POINTS latency points (probes and hourly means of the last 7 days, newest last); null where down. */
  series: (number | null)[];
}

/**
 * Uptime (healthy + degraded over all samples, percent, per window; null with no samples) and the
 * latency series of every stack, in one pass over the records.
 */
export function historyStats(records: readonly HistoryRecord[], now: number): Map<string, StackHistory> {
  const acc = new Map<string, { n: number[]; up: number[]; oldest: number[]; series: (number | null)[] }>();
  for (const r of records) {
    const age = now - Date.parse(r.t);
    for (const [name, e] of Object.entries(r.stacks)) {
      let a = acc.get(name);
      if (!a) {
        a = { n: [0, 0, 0, 0], up: [0, 0, 0, 0], oldest: [0, 0, 0, 0], series: [] };
        acc.set(name, a);
      }
      const agg = r.span === 'probe' ? toAgg(e as ProbeEntry) : (e as AggEntry);
      UPTIME_WINDOWS.forEach(([, span], i) => {
        if (age > span) return;
        a.n[i] += agg.n;
        a.up[i] += agg.h + agg.d;
        // Aggregated records stand for the hour or day before their timestamp.
        const reach = age + (r.span === 'hour' ? HOUR_MS : r.span === 'day' ? DAY_MS : 0);
        a.oldest[i] = Math.max(a.oldest[i], Math.min(reach, span));
      });
      if (r.span !== 'day' && age <= HOUR_KEEP_MS) {
        a.series.push(e.ms);
        if (a.series.length > SERIES_POINTS) a.series.shift();
      }
    }
  }
  const out = new Map<string, StackHistory>();
  for (const [name, a] of acc) {
    const uptime = Object.fromEntries(
      UPTIME_WINDOWS.map(([key], i) => [key, a.n[i] === 0 ? null : Math.round((a.up[i] / a.n[i]) * 10000) / 100]),
    ) as unknown as Uptime;
    const coverage = Object.fromEntries(UPTIME_WINDOWS.map(([key], i) => [key, a.n[i] === 0 ? null : Math.max(0, a.oldest[i])])) as unknown as Uptime;
    out.set(name, { uptime, coverage, series: a.series });
  }
  return out;
}

export const NO_UPTIME: Uptime = { '24h': null, '7d': null, '30d': null, '90d': null };

/** Uptime of one stack (see historyStats). */
export function uptime(records: readonly HistoryRecord[], stack: string, now: number): Uptime {
  return historyStats(records, now).get(stack)?.uptime ?? { ...NO_UPTIME };
}

/** Latency series of one stack (see historyStats). */
export function latencySeries(records: readonly HistoryRecord[], stack: string, now: number): (number | null)[] {
  return historyStats(records, now).get(stack)?.series ?? [];
}

/** The counters of the newest probe record that has them for this stack. */
export function lastCounters(records: readonly HistoryRecord[], stack: string): Counters | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.span !== 'probe') continue;
    const e = r.stacks[stack];
    if (e && e.rq !== undefined && e.er !== undefined) return { requests: e.rq, errors: e.er };
  }
  return null;
}

/** The history file, held in memory (bounded by compaction) and kept in sync with the disk. */
export class HistoryStore {
  readonly path: string;
  records: HistoryRecord[];
  /** Lines that did not parse when the file was loaded. */
  readonly skipped: number;
  private needsRewrite: boolean;

  constructor(path: string, records: HistoryRecord[], skipped: number, needsRewrite: boolean) {
    this.path = path;
    this.records = records;
    this.skipped = skipped;
    this.needsRewrite = needsRewrite;
  }

  static load(path: string): HistoryStore {
    if (!existsSync(path)) return new HistoryStore(path, [], 0, false);
    const text = readFileSync(path, 'utf8');
    const records: HistoryRecord[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const r = parseRecord(line);
      if (r) records.push(r);
      else skipped++;
    }
    records.sort((a, b) => Date.parse(a.t) - Date.parse(b.t) || spanRank(a) - spanRank(b));
    return new HistoryStore(path, records, skipped, skipped > 0 || (text.length > 0 && !text.endsWith('\n')));
  }

  /** Adds one round (`now` is its time), compacts, and writes the file. */
  add(round: Record<string, ProbeEntry>, now: number): void {
    const record: HistoryRecord = { v: 1, t: new Date(now).toISOString(), span: 'probe', stacks: round };
    const outOfOrder = this.records.length > 0 && Date.parse(this.records[this.records.length - 1].t) > now;
    this.records.push(record);
    let rewrite = this.needsRewrite || outOfOrder;
    if (rewrite || needsCompaction(this.records, now)) {
      const c = compact(this.records, now);
      this.records = c.records;
      rewrite ||= c.changed;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    if (rewrite) {
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, this.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      renameSync(tmp, this.path);
      this.needsRewrite = false;
    } else {
      appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    }
  }
}
