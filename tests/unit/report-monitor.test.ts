import { describe, expect, it } from 'vitest';
import { stopSignal, waitForStop } from '../../src/cli/report-shared.ts';
import type { CommandContext } from '../../src/cli/types.ts';
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

describe('stopping monitor and dashboard (cli/report-shared.ts)', () => {
  const ctx = (signal?: AbortSignal): CommandContext => ({ cwd: '.', stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, signal });

  it('waits for the context signal when there is one, at once when it is already aborted', async () => {
    const ac = new AbortController();
    let done = false;
    const waiting = waitForStop(ctx(ac.signal)).then(() => (done = true));
    await sleep(20);
    expect(done).toBe(false);
    ac.abort();
    await waiting;
    await waitForStop(ctx(ac.signal));
  });

  it('without one, stops on SIGINT or SIGTERM and removes both of its handlers', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const waiting = waitForStop(ctx());
      expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual([before[0] + 1, before[1] + 1]);
      process.emit(sig);
      await waiting;
      expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
    }
    const { signal, dispose } = stopSignal(ctx());
    dispose();
    expect(signal.aborted).toBe(false);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
