/**
 * One report round: stack infos → probes → classification → history → drift → the Report model,
 * which is exactly what report.json holds (documented in docs/report.md).
 */
import { classify } from './classify.ts';
import type { DriftResolver } from './drift.ts';
import { type HistoryStore, historyStats, lastCounters, NO_UPTIME, type ProbeEntry, type StackHistory } from './history.ts';
import { probeAll, type ProbeTarget } from './probe.ts';
import { type ReportSettings, thresholdsFor } from './settings.ts';
import {
  type Classification,
  type DeployHistory,
  type Drift,
  type ErrorRate,
  type ProbeResult,
  type StackInfo,
  type Status,
  STATUS_RANK,
  type Uptime,
} from './types.ts';
import type { OutputWorkflow, PublicRoute } from '../contracts/outputs.ts';
import type { ScheduleState } from './workflow-metrics.ts';

export const REPORT_SCHEMA_VERSION = 1;

/** One stack in report.json: the stack's own fields as read from its outputs, then what the round found. */
export interface StackReport extends Pick<StackInfo, 'name' | 'project' | 'env' | 'target' | 'region' | 'url' | 'healthUrl' | 'consoleUrl' | 'logsUrl' | 'uptimeCheckId'> {
  status: Status;
  reason: string;
  latencyMs: number | null;
  errorRate: ErrorRate | null;
  health: {
    status: 'ok' | 'degraded' | null;
    failingChecks: string[];
    samples: { ok: boolean; ms: number; statusCode: number | null }[];
  };
  version: {
    commit: string | null;
    source: 'endpoint' | 'outputs' | null;
    dirty: boolean | null;
    branch: string | null;
    contentHash: string | null;
    catalyst: string | null;
    imageRef: string | null;
    imageDigest: string | null;
  };
  drift: Drift;
  uptime: Uptime;
  /** How much time each uptime figure covers (ms from its oldest sample to now; null: no samples). */
  uptimeCoverage: Uptime;
  /** Recent response times, oldest first (ms, null = down). */
  latencySeries: (number | null)[];
  deployments: DeployHistory;
  workflows: OutputWorkflow[];
  publicRoutes: PublicRoute[];
  /** Secondary problems that did not decide the status (e.g. /metrics missing). */
  notes: string[];
  /** Scheduled workflows as the app's /metrics reports them (last run, next run), sorted by name; empty when none or unread. */
  schedules?: ({ workflow: string } & ScheduleState)[];
}

export interface Summary {
  total: number;
  healthy: number;
  degraded: number;
  down: number;
}

export interface Report {
  schemaVersion: number;
  generatedAt: string;
  repo: { head: string | null; dirty: boolean | null; problem: string | null };
  settings: ReportSettings;
  summary: Summary;
  stacks: StackReport[];
}

export interface RoundOptions {
  stacks: readonly StackInfo[];
  settings: ReportSettings;
  history: HistoryStore | null;
  drift: DriftResolver;
  /** Deployment history per stack; a stack not in the map shows "unavailable". */
  deploys: Promise<Map<string, DeployHistory>> | Map<string, DeployHistory>;
  now?: () => number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Receives the raw probe results of the round (the dashboard keeps their /metrics series). */
  onProbes?: (probes: readonly ProbeResult[], at: number) => void;
}

const NO_DEPLOYS: DeployHistory = { available: false, reason: 'not requested', entries: [] };

export function summarize(stacks: readonly { status: Status }[]): Summary {
  const s: Summary = { total: stacks.length, healthy: 0, degraded: 0, down: 0 };
  for (const st of stacks) s[st.status]++;
  return s;
}

/** Down first, then degraded, then healthy; by name within a status. */
export function byStatusThenName(a: { status: Status; name: string }, b: { status: Status; name: string }): number {
  return STATUS_RANK[a.status] - STATUS_RANK[b.status] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function notesOf(probe: ProbeResult | undefined): string[] {
  if (!probe || probe.samples.every((s) => !s.ok)) return [];
  return [probe.versionProblem, probe.metricsProblem].filter((n): n is string => n !== null);
}

export async function runRound(opts: RoundOptions): Promise<Report> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const targets: ProbeTarget[] = opts.stacks
    .filter((s) => s.url !== null && s.problem === null)
    .map((s) => ({ name: s.name, url: s.url as string, healthUrl: s.healthUrl ?? undefined, timeoutMs: thresholdsFor(opts.settings, s.name).timeoutMs }));
  const probes = await probeAll(targets, {
    timeoutMs: opts.settings.timeoutMs,
    samples: opts.settings.samples,
    concurrency: opts.settings.concurrency,
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
  opts.onProbes?.(probes, startedAt);
  const probeByName = new Map(probes.map((p) => [p.name, p]));
  const records = opts.history?.records ?? [];
  const classes = new Map<string, Classification>();
  const round: Record<string, ProbeEntry> = {};
  for (const s of opts.stacks) {
    const probe = probeByName.get(s.name);
    const c: Classification = probe
      ? classify(probe, thresholdsFor(opts.settings, s.name), lastCounters(records, s.name))
      : { status: 'down', reason: s.problem ?? 'not probed', latencyMs: null, errorRate: null };
    classes.set(s.name, c);
    const entry: ProbeEntry = { s: c.status, ms: c.latencyMs };
    if (probe?.counters) {
      entry.rq = probe.counters.requests;
      entry.er = probe.counters.errors;
    }
    round[s.name] = entry;
  }
  if (opts.signal?.aborted) throw new Error('report round cancelled');
  opts.history?.add(round, startedAt);
  const deploys = await opts.deploys;
  const stats = opts.history ? historyStats(opts.history.records, startedAt) : new Map<string, StackHistory>();
  const stacks: StackReport[] = [];
  for (const s of opts.stacks) {
    const probe = probeByName.get(s.name);
    const c = classes.get(s.name) as Classification;
    const live = probe?.version ?? null;
    const commit = live?.commit ?? s.version.commit;
    const source = live?.commit ? 'endpoint' : s.version.commit ? 'outputs' : null;
    const dirty = live?.commit ? live.dirty : s.version.dirty;
    const okSample = probe?.samples.find((x) => x.ok && x.health === 'degraded') ?? probe?.samples.find((x) => x.ok);
    stacks.push({
      name: s.name,
      project: s.project,
      env: s.env,
      target: s.target,
      region: s.region,
      url: s.url,
      healthUrl: s.healthUrl,
      consoleUrl: s.consoleUrl,
      logsUrl: s.logsUrl,
      uptimeCheckId: s.uptimeCheckId,
      status: c.status,
      reason: c.reason,
      latencyMs: c.latencyMs,
      errorRate: c.errorRate,
      health: {
        status: okSample?.health ?? null,
        failingChecks: okSample?.failingChecks ?? [],
        samples: (probe?.samples ?? []).map((x) => ({ ok: x.ok, ms: x.ms, statusCode: x.statusCode })),
      },
      version: {
        commit,
        source,
        dirty,
        branch: s.version.branch,
        contentHash: live?.contentHash ?? s.contentHash,
        catalyst: live?.catalyst ?? null,
        imageRef: s.imageRef,
        imageDigest: s.imageDigest,
      },
      drift: await opts.drift.drift(commit, source, dirty),
      uptime: stats.get(s.name)?.uptime ?? { ...NO_UPTIME },
      uptimeCoverage: stats.get(s.name)?.coverage ?? { ...NO_UPTIME },
      latencySeries: stats.get(s.name)?.series ?? [c.latencyMs],
      deployments: deploys.get(s.name) ?? NO_DEPLOYS,
      workflows: s.workflows,
      publicRoutes: s.publicRoutes,
      notes: notesOf(probe),
      schedules: Object.entries(probe?.app?.schedules ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([workflow, st]) => ({ workflow, ...st })),
    });
  }
  stacks.sort(byStatusThenName);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: new Date(startedAt).toISOString(),
    repo: { head: opts.drift.repo.head, dirty: opts.drift.repo.dirty, problem: opts.drift.repo.problem },
    settings: opts.settings,
    summary: summarize(stacks),
    stacks,
  };
}
