/**
 * Pieces of `catalyst monitor` that are not I/O: status-change detection between rounds and an
 * abortable sleep.
 */
import type { Status } from './types.ts';

export interface StatusEntry {
  status: Status;
  reason: string;
}

export interface StatusChange {
  name: string;
  from: Status | null;
  to: Status | null;
  reason: string;
}

/** Changes from `prev` to `next` (new stacks, status changes, removed stacks), sorted by name. */
export function statusChanges(prev: ReadonlyMap<string, StatusEntry>, next: ReadonlyMap<string, StatusEntry>): StatusChange[] {
  const out: StatusChange[] = [];
  for (const [name, n] of next) {
    const p = prev.get(name);
    if (!p || p.status !== n.status) out.push({ name, from: p?.status ?? null, to: n.status, reason: n.reason });
  }
  for (const name of prev.keys()) if (!next.has(name)) out.push({ name, from: prev.get(name)?.status ?? null, to: null, reason: 'no longer in the stack list' });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function formatChange(c: StatusChange, at: Date): string {
  const time = at.toISOString().slice(0, 19).replace('T', ' ');
  const arrow = `${c.from ?? 'new'} → ${c.to ?? 'removed'}`;
  return `${time} ${c.name}: ${arrow} (${c.reason})`;
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
