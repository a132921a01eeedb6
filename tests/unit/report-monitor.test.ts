import { describe, expect, it } from 'vitest';
import { formatChange, sleep, type StatusEntry, statusChanges } from '../../src/report/monitor.ts';

const m = (entries: [string, StatusEntry['status'], string?][]) => new Map(entries.map(([n, status, reason]) => [n, { status, reason: reason ?? status }]));

describe('statusChanges', () => {
  it('reports new, changed and removed stacks, sorted by name; unchanged ones are quiet', () => {
    const prev = m([
      ['b.prod', 'healthy'],
      ['c.prod', 'down'],
      ['gone.prod', 'degraded'],
    ]);
    const next = m([
      ['c.prod', 'down', 'still down'],
      ['b.prod', 'down', 'connection refused'],
      ['a.prod', 'healthy', 'ok'],
    ]);
    expect(statusChanges(prev, next)).toEqual([
      { name: 'a.prod', from: null, to: 'healthy', reason: 'ok' },
      { name: 'b.prod', from: 'healthy', to: 'down', reason: 'connection refused' },
      { name: 'gone.prod', from: 'degraded', to: null, reason: 'no longer in the stack list' },
    ]);
    expect(statusChanges(next, next)).toEqual([]);
  });

  it('formats a change line', () => {
    const at = new Date('2025-06-30T12:34:56.789Z');
    expect(formatChange({ name: 'a.prod', from: 'healthy', to: 'down', reason: 'timeout' }, at)).toBe('2025-06-30 12:34:56 a.prod: healthy → down (timeout)');
    expect(formatChange({ name: 'a.prod', from: null, to: 'healthy', reason: 'ok' }, at)).toBe('2025-06-30 12:34:56 a.prod: new → healthy (ok)');
    expect(formatChange({ name: 'a.prod', from: 'down', to: null, reason: 'gone' }, at)).toBe('2025-06-30 12:34:56 a.prod: down → removed (gone)');
  });
});

describe('sleep', () => {
  it('resolves true after the delay, false when aborted (before or during)', async () => {
    expect(await sleep(5)).toBe(true);
    const ac = new AbortController();
    ac.abort();
    expect(await sleep(10_000, ac.signal)).toBe(false);
    const ac2 = new AbortController();
    const start = Date.now();
    setTimeout(() => ac2.abort(), 20);
    expect(await sleep(10_000, ac2.signal)).toBe(false);
    expect(Date.now() - start).toBeLessThan(1000);
    const ac3 = new AbortController();
    expect(await sleep(5, ac3.signal)).toBe(true);
  });
});
