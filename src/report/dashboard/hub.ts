/**
 * The dashboard's one probe loop and its subscribers. However many pages are open, each interval runs
 * exactly one report round; every subscriber gets the resulting view. Log streams are shared the
 * same way: one reader per stack, however many pages follow it, with the recent lines kept for
 * pages that join later.
 */
import type { Report } from '../report.ts';
import type { ProbeResult } from '../types.ts';
import type { LogLine, LogSource } from './logs.ts';
import { MetricsMemory } from './metrics-window.ts';
import { type DashboardView, dashboardView, type ModelInput, stackDetail, type StackView } from './model.ts';

export interface HubOptions {
  /** Runs one report round; calls `onProbes` with the raw probes of the round. */
  round: (onProbes: (probes: readonly ProbeResult[], at: number) => void, signal: AbortSignal) => Promise<Report>;
  intervalMs: number;
  dependencies: () => ReadonlyMap<string, readonly string[]>;
  logSource: (stack: Report['stacks'][number]) => LogSource;
  onError?: (err: unknown) => void;
}

export type LogEvent = { lines: LogLine[] } | { error: string };

interface LogChannel {
  stop: () => void;
  recent: LogLine[];
  listeners: Set<(e: LogEvent) => void>;
  lastError: string | null;
}

const RECENT_LINES = 200;

export class DashboardHub {
  readonly memory = new MetricsMemory();
  view: DashboardView | null = null;
  report: Report | null = null;
  rounds = 0;
  private readonly opts: HubOptions;
  private readonly listeners = new Set<(v: DashboardView) => void>();
  private readonly logs = new Map<string, LogChannel>();
  private readonly ac = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private input: ModelInput | null = null;
  private readonly details = new Map<string, StackView | null>();

  constructor(opts: HubOptions) {
    this.opts = opts;
  }

  /** Starts the loop: a round now, then one every interval (measured from round start). */
  start(): void {
    const tick = async () => {
      const t0 = Date.now();
      await this.runOnce();
      if (this.ac.signal.aborted) return;
      this.timer = setTimeout(() => void tick(), Math.max(0, this.opts.intervalMs - (Date.now() - t0)));
    };
    void tick();
  }

  /** One round (concurrent callers share it). */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        const report = await this.opts.round((probes, at) => {
          for (const p of probes) this.memory.add(p.name, at, p.app);
        }, this.ac.signal);
        this.memory.keep(new Set(report.stacks.map((s) => s.name)));
        this.rounds++;
        this.report = report;
        this.input = { report, memory: this.memory, dependencies: this.opts.dependencies(), intervalMs: this.opts.intervalMs, round: this.rounds };
        this.details.clear();
        this.view = dashboardView(this.input);
        for (const l of this.listeners) l(this.view);
      } catch (err) {
        if (!this.ac.signal.aborted) this.opts.onError?.(err);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** The drill-down of one stack as of the last round (computed once per round, on demand). */
  detail(stack: string): StackView | null {
    if (!this.input) return null;
    if (!this.details.has(stack)) this.details.set(stack, stackDetail(this.input, stack));
    return this.details.get(stack) ?? null;
  }

  subscribe(listener: (v: DashboardView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Follows a stack's log; the listener first gets the recent lines. Null when the stack is unknown. */
  followLog(stack: string, listener: (e: LogEvent) => void): { source: LogSource; stop: () => void } | null {
    const info = this.report?.stacks.find((s) => s.name === stack);
    if (!info) return null;
    const source = this.opts.logSource(info);
    if (source.kind !== 'stream') return { source, stop: () => {} };
    let ch = this.logs.get(stack);
    if (!ch) {
      const channel: LogChannel = { stop: () => {}, recent: [], listeners: new Set(), lastError: null };
      channel.stop = source.start(
        (lines) => {
          channel.lastError = null;
          channel.recent.push(...lines);
          if (channel.recent.length > RECENT_LINES) channel.recent.splice(0, channel.recent.length - RECENT_LINES);
          for (const l of channel.listeners) l({ lines });
        },
        (error) => {
          channel.lastError = error;
          for (const l of channel.listeners) l({ error });
        },
      );
      this.logs.set(stack, (ch = channel));
    }
    const channel = ch;
    if (channel.recent.length) listener({ lines: [...channel.recent] });
    if (channel.lastError) listener({ error: channel.lastError });
    channel.listeners.add(listener);
    return {
      source,
      stop: () => {
        channel.listeners.delete(listener);
        if (channel.listeners.size === 0) {
          channel.stop();
          this.logs.delete(stack);
        }
      },
    };
  }

  async close(): Promise<void> {
    this.ac.abort();
    if (this.timer) clearTimeout(this.timer);
    for (const ch of this.logs.values()) ch.stop();
    this.logs.clear();
    this.listeners.clear();
    await this.running;
  }
}
