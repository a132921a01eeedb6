/**
 * Per-workflow figures from an app's /metrics text (Prometheus text format 0.0.4, the series of
 * docs/contracts.md §2): requests and errors per workflow, the request-duration histogram per
 * workflow, and failed calls to other projects. Only these metric names and the `workflow`,
 * `status`, `le`, `kind`, `target`, `outcome` labels are read; label values are pattern-checked, so
 * nothing else the app says reaches the dashboard. Sample lines are read by ./prometheus.ts `parseSample`.
 */
import { parseSample, parseValue } from './prometheus.ts';

export interface WorkflowCounters {
  requests: number;
  errors: number;
  /** Cumulative histogram buckets as [upper bound in seconds, count], ascending, ending with +Inf. */
  buckets: [number, number][];
  /** Sum of observed durations, seconds. */
  durationSum: number;
}

/** A scheduled workflow as its app reports it (`catalyst_schedule_*`). Times are ms since the epoch. */
export interface ScheduleState {
  cron: string | null;
  timezone: string | null;
  lastRunAt: number | null;
  lastDurationMs: number | null;
  lastSucceeded: boolean | null;
  nextRunAt: number | null;
  missedTicks: number;
  failedRuns: number;
}

export interface AppMetrics {
  /** By workflow name, sorted keys. */
  workflows: Record<string, WorkflowCounters>;
  /** Calls over HTTP to another project that failed, by project (the part of `target` before `/`). */
  peerFailures: Record<string, number>;
  /** Calls over HTTP to another project, by project. */
  peerCalls: Record<string, number>;
  /** Scheduled workflows, by workflow name. */
  schedules: Record<string, ScheduleState>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Cron expressions and zone names as the apps print them: no control characters, bounded. */
const CRON_RE = /^[A-Za-z0-9@*/,\- ?#LW]{1,100}$/;
const ZONE_RE = /^[A-Za-z0-9_+\-/]{1,64}$/;

/** Label pairs of a sample line's label set (values unescaped), or null when malformed. */
export function parseLabels(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"/.exec(text.slice(i));
    if (!m) return text.slice(i).trim().replace(/^,/, '').trim() === '' ? out : null;
    i += m[0].length;
    let value = '';
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        const n = text[++i];
        value += n === 'n' ? '\n' : n;
      } else if (c === '"') break;
      else value += c;
    }
    if (i >= text.length) return null;
    i++;
    out[m[1]] = value;
    const rest = /^\s*,?/.exec(text.slice(i));
    i += rest ? rest[0].length : 0;
  }
  return out;
}

function entry(map: Record<string, WorkflowCounters>, name: string): WorkflowCounters {
  map[name] ??= { requests: 0, errors: 0, buckets: [], durationSum: 0 };
  return map[name];
}

export function parseAppMetrics(text: string): AppMetrics {
  const workflows: Record<string, WorkflowCounters> = {};
  const peerFailures: Record<string, number> = {};
  const peerCalls: Record<string, number> = {};
  const schedules: Record<string, ScheduleState> = {};
  const sched = (labels: Record<string, string>): ScheduleState | null => {
    const name = labels.schedule;
    if (!name || !NAME_RE.test(name)) return null;
    schedules[name] ??= { cron: null, timezone: null, lastRunAt: null, lastDurationMs: null, lastSucceeded: null, nextRunAt: null, missedTicks: 0, failedRuns: 0 };
    return schedules[name];
  };
  for (const line of text.split('\n')) {
    const sample = parseSample(line);
    if (!sample || sample.value < 0) continue;
    const { value } = sample;
    const labels = sample.labels === null ? {} : parseLabels(sample.labels);
    if (!labels) continue;
    const wf = labels.workflow;
    switch (sample.name) {
      case 'catalyst_requests_total':
        if (wf && NAME_RE.test(wf)) entry(workflows, wf).requests += value;
        break;
      case 'catalyst_request_errors_total':
        if (wf && NAME_RE.test(wf)) entry(workflows, wf).errors += value;
        break;
      case 'catalyst_request_duration_seconds_bucket': {
        const le = labels.le === undefined ? null : parseValue(labels.le);
        if (wf && NAME_RE.test(wf) && le !== null) entry(workflows, wf).buckets.push([le, value]);
        break;
      }
      case 'catalyst_request_duration_seconds_sum':
        if (wf && NAME_RE.test(wf)) entry(workflows, wf).durationSum += value;
        break;
      case 'catalyst_schedule_info': {
        const st = sched(labels);
        if (st) {
          st.cron = labels.cron && CRON_RE.test(labels.cron) ? labels.cron : null;
          st.timezone = labels.timezone && ZONE_RE.test(labels.timezone) ? labels.timezone : null;
        }
        break;
      }
      case 'catalyst_schedule_last_run_timestamp_seconds': {
        const st = sched(labels);
        if (st && value > 0) st.lastRunAt = Math.round(value * 1000);
        break;
      }
      case 'catalyst_schedule_next_run_timestamp_seconds': {
        const st = sched(labels);
        if (st && value > 0) st.nextRunAt = Math.round(value * 1000);
        break;
      }
      case 'catalyst_schedule_last_run_duration_seconds': {
        const st = sched(labels);
        if (st) st.lastDurationMs = Math.round(value * 10000) / 10;
        break;
      }
      case 'catalyst_schedule_last_run_success': {
        const st = sched(labels);
        if (st) st.lastSucceeded = value === 1;
        break;
      }
      case 'catalyst_schedule_missed_ticks_total': {
        const st = sched(labels);
        if (st) st.missedTicks += value;
        break;
      }
      case 'catalyst_schedule_runs_total': {
        const st = sched(labels);
        if (st && labels.result === 'failed') st.failedRuns += value;
        break;
      }
      case 'catalyst_subcall_total': {
        if (labels.kind !== 'http') break;
        const project = (labels.target ?? '').split('/')[0];
        if (!NAME_RE.test(project)) break;
        peerCalls[project] = (peerCalls[project] ?? 0) + value;
        if (labels.outcome !== 'ok') peerFailures[project] = (peerFailures[project] ?? 0) + value;
        break;
      }
    }
  }
  const sorted: Record<string, WorkflowCounters> = {};
  for (const name of Object.keys(workflows).sort()) {
    const w = workflows[name];
    w.buckets.sort((a, b) => a[0] - b[0]);
    sorted[name] = w;
  }
  return { workflows: sorted, peerFailures, peerCalls, schedules };
}

/**
 * The q-quantile (0 < q < 1) of a cumulative histogram, in seconds, interpolating linearly inside the
 * bucket (the usual histogram_quantile estimate); null without observations. A quantile that falls in
 * the +Inf bucket is reported as the largest finite bound.
 */
export function histogramQuantile(q: number, buckets: readonly [number, number][]): number | null {
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return prevBound;
      const inBucket = count - prevCount;
      return inBucket > 0 ? prevBound + (bound - prevBound) * ((rank - prevCount) / inBucket) : bound;
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

/** b − a per bucket (same bounds), or null when the bounds differ or a counter went down (a restart). */
export function bucketDelta(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] | null {
  if (a.length !== b.length) return a.length === 0 ? b.map(([le, c]) => [le, c]) : null;
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i][0] !== b[i][0] || b[i][1] < a[i][1]) return null;
    out.push([b[i][0], b[i][1] - a[i][1]]);
  }
  return out;
}
