import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compact,
  DAY_MS,
  HistoryStore,
  type HistoryRecord,
  HOUR_MS,
  lastCounters,
  latencySeries,
  MAX_PROBE_RECORDS,
  mergeAgg,
  parseRecord,
  type ProbeEntry,
  SERIES_POINTS,
  uptime,
} from '../../src/report/history.ts';
import type { Status } from '../../src/report/types.ts';
import { tempDir } from '../integration/report-helpers.ts';

const NOW = Date.parse('2025-06-30T12:00:00.000Z');

function probeRec(t: number, stacks: Record<string, ProbeEntry>): HistoryRecord {
  return { v: 1, t: new Date(t).toISOString(), span: 'probe', stacks };
}
function e(s: Status, ms: number | null = s === 'down' ? null : 10): ProbeEntry {
  return { s, ms };
}

describe('parseRecord', () => {
  it('accepts the three record kinds', () => {
    expect(parseRecord('{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"probe","stacks":{"a.b":{"s":"healthy","ms":1,"rq":2,"er":0}}}')).not.toBeNull();
    expect(parseRecord('{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"hour","stacks":{"a.b":{"n":3,"h":1,"d":1,"x":1,"ms":null}}}')).not.toBeNull();
    expect(parseRecord('{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"day","stacks":{}}')).not.toBeNull();
  });
  it.each([
    'not json',
    '[]',
    'null',
    '{"v":2,"t":"2025-01-01T00:00:00.000Z","span":"probe","stacks":{}}',
    '{"v":1,"t":"yesterday","span":"probe","stacks":{}}',
    '{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"week","stacks":{}}',
    '{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"probe","stacks":[]}',
    '{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"probe","stacks":{"a":{"s":"fine","ms":1}}}',
    '{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"probe","stacks":{"a":{"s":"down","ms":-1}}}',
    '{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"probe","stacks":{"a":null}}',
    '{"v":1,"t":"2025-01-01T00:00:00.000Z","span":"hour","stacks":{"a":{"n":5,"h":1,"d":1,"x":1,"ms":1}}}',
  ])('rejects %s', (line) => {
    expect(parseRecord(line)).toBeNull();
  });
});

describe('compact', () => {
  it('keeps recent probe records unchanged', () => {
    const recs = [probeRec(NOW - HOUR_MS, { a: e('healthy') }), probeRec(NOW, { a: e('down') })];
    const c = compact(recs, NOW);
    expect(c.changed).toBe(false);
    expect(c.records).toEqual(recs);
  });

  it('folds probes older than 6 h into hourly buckets (weighted mean latency)', () => {
    const base = Date.parse('2025-06-30T03:00:00.000Z');
    const recs = [
      probeRec(base + 60_000, { a: e('healthy', 10), b: e('down') }),
      probeRec(base + 120_000, { a: e('degraded', 40) }),
      probeRec(base + 180_000, { a: e('down') }),
      probeRec(NOW, { a: e('healthy', 5) }),
    ];
    const c = compact(recs, NOW);
    expect(c.changed).toBe(true);
    expect(c.records).toEqual([
      { v: 1, t: '2025-06-30T03:00:00.000Z', span: 'hour', stacks: { a: { n: 3, h: 1, d: 1, x: 1, ms: 25 }, b: { n: 1, h: 0, d: 0, x: 1, ms: null } } },
      recs[3],
    ]);
    // Folding into an existing bucket merges it.
    const again = compact([...c.records.slice(0, 1), probeRec(base + 240_000, { a: e('healthy', 25) }), recs[3]], NOW);
    expect(again.records[0]).toEqual({ v: 1, t: '2025-06-30T03:00:00.000Z', span: 'hour', stacks: { a: { n: 4, h: 2, d: 1, x: 1, ms: 25 }, b: { n: 1, h: 0, d: 0, x: 1, ms: null } } });
    expect(again.records).toHaveLength(2);
  });

  it('folds hourly buckets older than 7 d into days and drops everything older than 90 d', () => {
    const d10 = NOW - 10 * DAY_MS;
    const hour = (t: number, n: number): HistoryRecord => ({ v: 1, t: new Date(Math.floor(t / HOUR_MS) * HOUR_MS).toISOString(), span: 'hour', stacks: { a: { n, h: n, d: 0, x: 0, ms: 10 } } });
    const recs = [
      { v: 1, t: new Date(NOW - 91 * DAY_MS).toISOString(), span: 'day', stacks: { a: { n: 1, h: 1, d: 0, x: 0, ms: 1 } } } as HistoryRecord,
      hour(d10, 2),
      hour(d10 + HOUR_MS, 3),
      hour(NOW - DAY_MS, 4),
    ];
    const c = compact(recs, NOW);
    expect(c.changed).toBe(true);
    expect(c.records.map((r) => [r.span, r.t])).toEqual([
      ['day', new Date(Math.floor(d10 / DAY_MS) * DAY_MS).toISOString()],
      ['hour', recs[3].t],
    ]);
    expect(c.records[0].stacks.a).toEqual({ n: 5, h: 5, d: 0, x: 0, ms: 10 });
  });

  it(`keeps at most ${MAX_PROBE_RECORDS} probe records`, () => {
    const recs = Array.from({ length: MAX_PROBE_RECORDS + 5 }, (_, i) => probeRec(NOW - 1000 * (MAX_PROBE_RECORDS + 5 - i), { a: e('healthy') }));
    const c = compact(recs, NOW);
    expect(c.records.filter((r) => r.span === 'probe')).toHaveLength(MAX_PROBE_RECORDS);
    expect(c.records.filter((r) => r.span === 'hour').reduce((n, r) => n + (r.stacks.a as { n: number }).n, 0)).toBe(5);
  });

  it('mergeAgg ignores down samples in the mean', () => {
    expect(mergeAgg({ n: 1, h: 0, d: 0, x: 1, ms: null }, { n: 2, h: 2, d: 0, x: 0, ms: 30 })).toEqual({ n: 3, h: 2, d: 0, x: 1, ms: 30 });
    expect(mergeAgg({ n: 1, h: 0, d: 0, x: 1, ms: null }, { n: 1, h: 0, d: 0, x: 1, ms: null }).ms).toBeNull();
  });
});

describe('uptime windows', () => {
  it('counts healthy and degraded as up, per window', () => {
    const recs: HistoryRecord[] = [
      { v: 1, t: new Date(NOW - 60 * DAY_MS).toISOString(), span: 'day', stacks: { a: { n: 10, h: 0, d: 0, x: 10, ms: null } } },
      { v: 1, t: new Date(NOW - 20 * DAY_MS).toISOString(), span: 'day', stacks: { a: { n: 10, h: 5, d: 0, x: 5, ms: 9 } } },
      { v: 1, t: new Date(NOW - 3 * DAY_MS).toISOString(), span: 'hour', stacks: { a: { n: 4, h: 3, d: 0, x: 1, ms: 9 } } },
      probeRec(NOW - HOUR_MS, { a: e('degraded'), b: e('healthy') }),
      probeRec(NOW, { a: e('healthy') }),
    ];
    expect(uptime(recs, 'a', NOW)).toEqual({ '24h': 100, '7d': 83.33, '30d': 62.5, '90d': 38.46 });
    expect(uptime(recs, 'b', NOW)).toEqual({ '24h': 100, '7d': 100, '30d': 100, '90d': 100 });
    expect(uptime(recs, 'nobody', NOW)).toEqual({ '24h': null, '7d': null, '30d': null, '90d': null });
  });
});

describe('latencySeries and lastCounters', () => {
  it('takes the newest points of the last 7 days, null for down', () => {
    const recs: HistoryRecord[] = [
      { v: 1, t: new Date(NOW - 8 * DAY_MS).toISOString(), span: 'hour', stacks: { a: { n: 1, h: 1, d: 0, x: 0, ms: 999 } } },
      { v: 1, t: new Date(NOW - 2 * DAY_MS).toISOString(), span: 'hour', stacks: { a: { n: 1, h: 1, d: 0, x: 0, ms: 50 } } },
      probeRec(NOW - 2000, { a: e('down') }),
      probeRec(NOW - 1000, { b: e('healthy', 1) }),
      probeRec(NOW, { a: e('healthy', 7) }),
    ];
    expect(latencySeries(recs, 'a', NOW)).toEqual([50, null, 7]);
    const many = Array.from({ length: 100 }, (_, i) => probeRec(NOW - 100 + i, { a: e('healthy', i) }));
    const series = latencySeries(many, 'a', NOW);
    expect(series).toHaveLength(SERIES_POINTS);
    expect(series[SERIES_POINTS - 1]).toBe(99);
  });

  it('finds the newest counters of a stack', () => {
    const recs = [probeRec(NOW - 2, { a: { s: 'healthy', ms: 1, rq: 5, er: 1 } }), probeRec(NOW - 1, { a: e('down') })];
    expect(lastCounters(recs, 'a')).toEqual({ requests: 5, errors: 1 });
    expect(lastCounters(recs, 'b')).toBeNull();
  });
});

describe('HistoryStore', () => {
  it('starts empty, appends rounds, and reloads them', () => {
    const path = join(tempDir(), 'sub', 'history.jsonl');
    const s = HistoryStore.load(path);
    expect(s.records).toEqual([]);
    s.add({ a: e('healthy', 3) }, NOW - 1000);
    s.add({ a: e('down') }, NOW);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toEqual({ v: 1, t: new Date(NOW).toISOString(), span: 'probe', stacks: { a: { s: 'down', ms: null } } });
    expect(HistoryStore.load(path).records).toEqual(s.records);
  });

  it('drops unreadable lines (counted) and rewrites the file on the next add', () => {
    const path = join(tempDir(), 'history.jsonl');
    writeFileSync(path, `${JSON.stringify(probeRec(NOW - 1000, { a: e('healthy') }))}\nnot json\n{"v":1,"t":"2025`);
    const s = HistoryStore.load(path);
    expect(s.skipped).toBe(2);
    s.add({ a: e('healthy') }, NOW);
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => parseRecord(l) !== null)).toBe(true);
  });

  it('rewrites (compacted) when old records age out, so the file stays bounded', () => {
    const path = join(tempDir(), 'history.jsonl');
    const old = Array.from({ length: 50 }, (_, i) => JSON.stringify(probeRec(NOW - 100 * DAY_MS + i * HOUR_MS, { a: e('healthy') })));
    const week = Array.from({ length: 50 }, (_, i) => JSON.stringify(probeRec(NOW - 2 * DAY_MS + i * 60_000, { a: e('healthy') })));
    appendFileSync(path, `${[...old, ...week].join('\n')}\n`);
    const s = HistoryStore.load(path);
    s.add({ a: e('healthy') }, NOW);
    const recs = readFileSync(path, 'utf8').trim().split('\n').map((l) => parseRecord(l) as HistoryRecord);
    expect(recs.map((r) => r.span)).toEqual(['hour', 'probe']);
    expect((recs[0].stacks.a as { n: number }).n).toBe(50);
  });

  it('stays bounded over simulated months of rounds, rewriting about once an hour', () => {
    const path = join(tempDir(), 'history.jsonl');
    const s = HistoryStore.load(path);
    const round: Record<string, ProbeEntry> = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}.prod`, e('healthy', 12.5)]));
    const spans = () => s.records.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.span]: (acc[r.span] ?? 0) + 1 }), {});
    // 10 days of 5-minute rounds: probes fold into hours, hours into days.
    let t = NOW - 130 * DAY_MS;
    let rewrites = 0;
    let rounds = 0;
    for (const end = t + 10 * DAY_MS; t <= end; t += 5 * 60_000) {
      const before = s.records.length;
      s.add(round, t);
      rounds++;
      if (s.records.length <= before) rewrites++;
      expect(s.records.filter((r) => r.span === 'probe').length).toBeLessThanOrEqual(7 * 12 + 1);
    }
    expect(rewrites).toBeLessThan(rounds / 10);
    expect(spans().day).toBeGreaterThan(0);
    // Then 120 days of one round a day: nothing older than 90 days (+1 day of slack) survives.
    for (const end = NOW; t <= end; t += DAY_MS) s.add(round, t);
    expect(Date.parse(s.records[0].t)).toBeGreaterThanOrEqual(t - DAY_MS - 91 * DAY_MS);
    expect(spans().day).toBeLessThanOrEqual(92);
    expect(spans().hour).toBeLessThanOrEqual(8 * 24 + 1);
    expect(readFileSync(path, 'utf8').length).toBeLessThan(500_000);
    expect(HistoryStore.load(path).records).toEqual(s.records);
  });
});
