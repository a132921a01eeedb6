/**
 * The dashboard's view model: one report round (the same probes, history and drift as `catalyst
 * report`) grouped by project, each stack with its per-workflow figures from the metrics memory,
 * its deployments, and what its callees' state means for it. Plain JSON: the server pushes it to
 * the page as is, and the page only prints it (with textContent).
 */
import type { Report, StackReport, Summary } from '../report.ts';
import { summarize } from '../report.ts';
import type { Status } from '../types.ts';
import { STATUS_RANK } from '../types.ts';
import { uptimeFigures } from '../view.ts';
import type { ScheduleState } from '../workflow-metrics.ts';
import { type MetricsMemory, recentPeerFailures, type WorkflowSeries, type WorkflowWindow, workflowSeries, workflowWindow } from './metrics-window.ts';

export const WINDOWS = { minutes: 15 * 60_000, hours: 6 * 3_600_000 } as const;
export type WindowName = keyof typeof WINDOWS;

export interface WorkflowView {
  name: string;
  visibility: 'public' | 'internal';
  route: string | null;
  /** For a scheduled workflow: what its app last reported about its schedule. */
  schedule: ScheduleState | null;
  windows: Record<WindowName, WorkflowWindow>;
  series: Record<WindowName, WorkflowSeries>;
}

export interface DependencyView {
  project: string;
  stack: string | null;
  status: Status | null;
  note: string;
}

export interface StackView {
  name: string;
  project: string;
  env: string;
  target: string | null;
  region: string | null;
  status: Status;
  /** The status the probes alone gave (before callee problems were taken into account). */
  probeStatus: Status;
  reason: string;
  latencyMs: number | null;
  url: string | null;
  consoleUrl: string | null;
  logsUrl: string | null;
  uptime: { label: string; value: string }[];
  commit: string | null;
  drift: { state: string; text: string };
  deployments: { version: number | null; when: string | null; result: string; commit: string | null; author: string | null }[];
  deploymentsNote: string | null;
  workflows: WorkflowView[];
  dependencies: DependencyView[];
  notes: string[];
}

/** What a card shows: the stack without its per-workflow series, deployments and notes (those come with `stackDetail`). */
export interface StackSummary
  extends Pick<StackView, 'name' | 'project' | 'env' | 'target' | 'region' | 'status' | 'probeStatus' | 'reason' | 'latencyMs' | 'url' | 'uptime'> {
  /** All workflows of the stack together, per window. */
  traffic: Record<WindowName, { rate: number | null; errorPercent: number | null }>;
}

export interface ProjectView {
  name: string;
  status: Status;
  stacks: StackSummary[];
}

export interface DashboardView {
  generatedAt: string;
  intervalMs: number;
  round: number;
  summary: Summary;
  projects: ProjectView[];
}

export interface ModelInput {
  report: Report;
  memory: MetricsMemory;
  /** Projects each project calls over HTTP (from the definitions). */
  dependencies: ReadonlyMap<string, readonly string[]>;
  intervalMs: number;
  round: number;
}

function worst(list: readonly Status[]): Status {
  return list.reduce<Status>((w, s) => (STATUS_RANK[s] < STATUS_RANK[w] ? s : w), 'healthy');
}

const NO_SERIES: WorkflowSeries = { t: [], rate: [], errorPercent: [], p95Ms: [] };

function workflowsOf(s: StackReport, memory: MetricsMemory, withSeries: boolean): WorkflowView[] {
  const snaps = memory.snapshots(s.name);
  const routes = new Map(s.publicRoutes.map((r) => [r.workflow, `${r.method} ${r.path}`]));
  const schedules = snaps.at(-1)?.app.schedules ?? {};
  return s.workflows.map((w) => ({
    name: w.name,
    visibility: w.visibility,
    route: routes.get(w.name) ?? null,
    schedule: schedules[w.name] ?? null,
    windows: { minutes: workflowWindow(snaps, w.name, WINDOWS.minutes), hours: workflowWindow(snaps, w.name, WINDOWS.hours) },
    series: withSeries ? { minutes: workflowSeries(snaps, w.name, WINDOWS.minutes), hours: workflowSeries(snaps, w.name, WINDOWS.hours) } : { minutes: NO_SERIES, hours: NO_SERIES },
  }));
}

/** Callee problems seen from the outputs graph (its stack is down/degraded) and from the app's own failed calls. */
function dependenciesOf(s: StackReport, input: ModelInput, byName: ReadonlyMap<string, StackReport>): DependencyView[] {
  const failures = recentPeerFailures(input.memory.snapshots(s.name));
  const out: DependencyView[] = [];
  for (const project of input.dependencies.get(s.project) ?? []) {
    const name = `${project}.${s.env}`;
    const callee = byName.get(name);
    const f = failures[project];
    const seen = f ? `; ${f.failures} of ${f.calls} calls to it failed since the last probe` : '';
    if (!callee) out.push({ project, stack: null, status: null, note: `calls ${project}, which has no stack ${name}${seen}` });
    else out.push({ project, stack: name, status: callee.status, note: `calls ${project}, which is ${callee.status}${callee.status === 'healthy' ? '' : ` (${callee.reason})`}${seen}` });
  }
  for (const [project, f] of Object.entries(failures)) {
    if (!out.some((d) => d.project === project)) out.push({ project, stack: null, status: null, note: `${f.failures} of ${f.calls} calls to ${project} failed since the last probe` });
  }
  return out;
}

function stackView(s: StackReport, input: ModelInput, byName: ReadonlyMap<string, StackReport>, withSeries: boolean): StackView {
  const dependencies = dependenciesOf(s, input, byName);
  const troubled = dependencies.filter((d) => d.status === 'down' || d.status === 'degraded' || d.note.includes('failed since the last probe'));
  let status = s.status;
  let reason = s.reason;
  if (troubled.length && status === 'healthy') {
    status = 'degraded';
    reason = `dependency: ${troubled.map((d) => d.note).join('; ')}`;
  } else if (troubled.length) reason = `${reason}; dependency: ${troubled.map((d) => d.note).join('; ')}`;
  return {
    name: s.name,
    project: s.project,
    env: s.env,
    target: s.target,
    region: s.region,
    status,
    probeStatus: s.status,
    reason,
    latencyMs: s.latencyMs,
    url: s.url,
    consoleUrl: s.consoleUrl,
    logsUrl: s.logsUrl,
    uptime: uptimeFigures(s.uptime, s.uptimeCoverage),
    commit: s.version.commit,
    drift: { state: s.drift.state, text: s.drift.text },
    deployments: s.deployments.entries.slice(0, 10).map((d) => ({ version: d.version, when: d.startTime, result: d.result, commit: d.commit, author: d.author ?? null })),
    deploymentsNote: s.deployments.available ? (s.deployments.entries.length ? null : 'no deployments yet') : `unavailable: ${s.deployments.reason ?? 'unknown reason'}`,
    workflows: workflowsOf(s, input.memory, withSeries),
    dependencies,
    notes: s.notes,
  };
}

function traffic(workflows: readonly WorkflowView[], w: WindowName): { rate: number | null; errorPercent: number | null } {
  const known = workflows.map((x) => x.windows[w]).filter((f) => f.rate !== null);
  if (known.length === 0) return { rate: null, errorPercent: null };
  const requests = known.reduce((n, f) => n + f.requests, 0);
  const errors = known.reduce((n, f) => n + f.errors, 0);
  return { rate: Math.round(known.reduce((n, f) => n + (f.rate ?? 0), 0) * 1000) / 1000, errorPercent: requests ? Math.round((errors / requests) * 10000) / 100 : null };
}

function summaryOf(v: StackView): StackSummary {
  return {
    name: v.name,
    project: v.project,
    env: v.env,
    target: v.target,
    region: v.region,
    status: v.status,
    probeStatus: v.probeStatus,
    reason: v.reason,
    latencyMs: v.latencyMs,
    url: v.url,
    uptime: v.uptime,
    traffic: { minutes: traffic(v.workflows, 'minutes'), hours: traffic(v.workflows, 'hours') },
  };
}

/** Everything about one stack (the drill-down), or null when the round has no such stack. */
export function stackDetail(input: ModelInput, name: string): StackView | null {
  const byName = new Map(input.report.stacks.map((s) => [s.name, s]));
  const s = byName.get(name);
  return s ? stackView(s, input, byName, true) : null;
}

export function dashboardView(input: ModelInput): DashboardView {
  const byName = new Map(input.report.stacks.map((s) => [s.name, s]));
  const groups = new Map<string, StackSummary[]>();
  for (const s of input.report.stacks) {
    const v = summaryOf(stackView(s, input, byName, false));
    groups.set(s.project, [...(groups.get(s.project) ?? []), v]);
  }
  const projects = [...groups]
    .map(([name, stacks]) => ({ name, status: worst(stacks.map((s) => s.status)), stacks: stacks.sort((a, b) => (a.env < b.env ? -1 : a.env > b.env ? 1 : 0)) }))
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || (a.name < b.name ? -1 : 1));
  return {
    generatedAt: input.report.generatedAt,
    intervalMs: input.intervalMs,
    round: input.round,
    summary: summarize(projects.flatMap((p) => p.stacks)),
    projects,
  };
}
