/**
 * The HTML page's view model, computed from the Report before rendering: every label, number format,
 * link and sparkline is decided here, so the EJS templates only loop and print (escaped).
 */
import { formatMs } from './classify.ts';
import type { Report, StackReport } from './report.ts';
import { type Sparkline, sparkline } from './sparkline.ts';
import type { Status, Uptime } from './types.ts';

export interface LinkView {
  label: string;
  href: string;
}

export interface DeployView {
  when: string;
  kind: string;
  result: string;
  ok: boolean;
  commit: string;
  changes: string;
}

export interface CardView {
  id: string;
  name: string;
  project: string;
  env: string;
  status: Status;
  statusLabel: string;
  reason: string;
  search: string;
  latency: string;
  errorRate: string | null;
  uptime: { label: string; value: string }[];
  commit: string;
  commitTitle: string;
  drift: string;
  driftState: string;
  where: string;
  links: LinkView[];
  spark: Sparkline | null;
  sparkTitle: string;
  workflows: { name: string; visibility: string }[];
  routes: { method: string; path: string; workflow: string }[];
  deploys: DeployView[];
  deploysNote: string | null;
  facts: { label: string; value: string }[];
  notes: string[];
}

export interface PageView {
  title: string;
  generatedAt: string;
  head: string;
  counts: { status: Status | ''; label: string; count: number }[];
  total: number;
  thresholds: string;
  cards: CardView[];
}

/** The HTML shows the newest few deployments; report.json has all that were read. */
export const DEPLOYS_IN_HTML = 5;

const STATUS_LABEL: Record<Status, string> = { healthy: 'Healthy', degraded: 'Degraded', down: 'Down' };
const CHANGE_SIGN: Record<string, string> = { create: '+', update: '~', delete: '-', replace: '±', same: '=' };

/** `2025-01-02T03:04:05.000Z` → `2025-01-02 03:04 UTC` (deterministic, no locale). */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatPercent(p: number | null): string {
  if (p === null) return '—';
  return p === 100 || p === 0 ? `${p}%` : `${p.toFixed(2)}%`;
}

/** A duration of data, rounded the way people say it: "40 s", "12 min", "6 h", "3 d". */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

const WINDOW_MS: Record<keyof Uptime, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 };

/**
 * Uptime figures that say what they cover: a window the history fills is shown as it is ("24h
 * 99.95%"); the first window it does not fill says how much data it holds ("99.2% over 6 h of
 * data"), and the larger windows, which would only repeat that figure, are left out.
 */
export function uptimeFigures(uptime: Uptime, coverage: Uptime | undefined): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const k of ['24h', '7d', '30d', '90d'] as const) {
    const cov = coverage?.[k] ?? null;
    if (uptime[k] === null || cov === null || coverage === undefined) {
      out.push({ label: k, value: formatPercent(uptime[k]) });
      if (uptime[k] === null && coverage !== undefined) break;
      continue;
    }
    // A window counts as covered when the data reaches back at least 99 % of it.
    if (cov >= WINDOW_MS[k] * 0.99) {
      out.push({ label: k, value: formatPercent(uptime[k]) });
      continue;
    }
    out.push({ label: 'uptime', value: `${formatPercent(uptime[k])} over ${cov < 1000 ? 'one probe' : `${formatSpan(cov)} of data`}` });
    break;
  }
  return out;
}

export function anchorId(name: string): string {
  return `stack-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function changesText(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([op, n]) => (CHANGE_SIGN[op] ? `${CHANGE_SIGN[op]}${n}` : `${op} ${n}`));
  return parts.length ? parts.join(' ') : 'no changes';
}

function short(commit: string | null): string {
  return commit ? commit.slice(0, 7) : 'unknown';
}

function sparkTitle(spark: Sparkline | null): string {
  if (!spark) return 'no history yet';
  const probes = spark.count === 1 ? 'last probe' : `last ${spark.count} probes`;
  if (spark.lines.length === 0) return `${probes}: no response`;
  return `${probes}: max ${formatMs(spark.maxMs)}${spark.lastMs === null ? ', now down' : `, now ${formatMs(spark.lastMs)}`}`;
}

export function cardView(s: StackReport): CardView {
  const links: LinkView[] = [];
  if (s.url) links.push({ label: 'App', href: s.url });
  if (s.consoleUrl) links.push({ label: 'Console', href: s.consoleUrl });
  if (s.logsUrl) links.push({ label: 'Logs', href: s.logsUrl });
  const spark = sparkline(s.latencySeries);
  const where = [s.target ?? 'unknown target', s.region].filter(Boolean).join(' · ');
  const facts: { label: string; value: string }[] = [];
  const add = (label: string, value: string | null) => {
    if (value) facts.push({ label, value });
  };
  add('Health URL', s.healthUrl);
  add('Image', s.version.imageRef);
  add('Image digest', s.version.imageDigest ? `${s.version.imageDigest.slice(0, 19)}…` : null);
  add('Content hash', s.version.contentHash ? s.version.contentHash.slice(0, 16) : null);
  add('Branch', s.version.branch);
  add('Catalyst', s.version.catalyst);
  add('Uptime check', s.uptimeCheckId);
  for (const sc of s.schedules ?? []) {
    const last = sc.lastRunAt === null ? 'no run yet' : `last run ${formatTime(new Date(sc.lastRunAt).toISOString())} ${sc.lastSucceeded === false ? 'failed' : 'ok'}${sc.lastDurationMs === null ? '' : ` (${formatMs(sc.lastDurationMs)})`}`;
    const next = sc.nextRunAt === null ? 'next run unknown' : `next ${formatTime(new Date(sc.nextRunAt).toISOString())}`;
    const missed = sc.missedTicks ? `, ${sc.missedTicks} missed` : '';
    add(`Schedule ${sc.workflow}`, `${sc.cron ?? '?'} (${sc.timezone ?? '?'}): ${last}; ${next}${missed}`);
  }
  add(
    'Samples',
    s.health.samples.length ? s.health.samples.map((x) => (x.ok ? formatMs(x.ms) : x.statusCode ? `HTTP ${x.statusCode}` : 'failed')).join(', ') : null,
  );
  return {
    id: anchorId(s.name),
    name: s.name,
    project: s.project,
    env: s.env,
    status: s.status,
    statusLabel: STATUS_LABEL[s.status],
    reason: s.reason,
    search: [s.name, s.target, s.region, s.status].filter(Boolean).join(' ').toLowerCase(),
    latency: s.latencyMs === null ? '—' : formatMs(s.latencyMs),
    errorRate: s.errorRate ? `${s.errorRate.percent}% errors` : null,
    uptime: uptimeFigures(s.uptime, s.uptimeCoverage),
    commit: short(s.version.commit) + (s.version.dirty ? ' (dirty)' : ''),
    commitTitle: s.version.commit ? `${s.version.commit} (from ${s.version.source === 'endpoint' ? '/version' : 'stack outputs'})` : 'no commit known',
    drift: s.drift.text,
    driftState: s.drift.state,
    where,
    links,
    spark,
    sparkTitle: sparkTitle(spark),
    workflows: s.workflows.map((w) => ({ name: w.name, visibility: w.visibility })),
    routes: s.publicRoutes.map((r) => ({ method: r.method, path: r.path, workflow: r.workflow })),
    deploys: s.deployments.entries.slice(0, DEPLOYS_IN_HTML).map((d) => ({
      when: formatTime(d.startTime),
      kind: d.kind,
      result: d.result,
      ok: d.result === 'succeeded',
      commit: short(d.commit) + (d.dirty ? ' (dirty)' : ''),
      changes: changesText(d.resourceChanges),
    })),
    deploysNote: s.deployments.available ? (s.deployments.entries.length ? null : 'no deployments yet') : `unavailable: ${s.deployments.reason ?? 'unknown reason'}`,
    facts,
    notes: s.notes,
  };
}

export function pageView(report: Report): PageView {
  const { summary, settings } = report;
  return {
    title: `Catalyst deployments: ${summary.down} down, ${summary.degraded} degraded, ${summary.healthy} healthy`,
    generatedAt: formatTime(report.generatedAt),
    head: report.repo.head ? `${report.repo.head.slice(0, 7)}${report.repo.dirty ? ' (dirty)' : ''}` : `unknown (${report.repo.problem ?? 'no repository'})`,
    counts: [
      { status: 'down', label: 'Down', count: summary.down },
      { status: 'degraded', label: 'Degraded', count: summary.degraded },
      { status: 'healthy', label: 'Healthy', count: summary.healthy },
      { status: '', label: 'All', count: summary.total },
    ],
    total: summary.total,
    thresholds: `timeout ${formatMs(settings.timeoutMs)} · slow > ${formatMs(settings.slowMs)} · errors > ${settings.errorRatePercent}% (min ${settings.minRequests} requests) · ${settings.samples} samples`,
    cards: report.stacks.map(cardView),
  };
}
