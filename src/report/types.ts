/**
 * Shared shapes of the report stage: stack outputs (as the report reads them) → probes → status.
 * Everything here is plain data (JSON-serialisable) so it can be written to report.json and history.
 */
import type { OutputWorkflow, PublicRoute } from '../contracts/outputs.ts';
import type { AppMetrics } from './workflow-metrics.ts';

export type Status = 'healthy' | 'degraded' | 'down';

/** Sort rank: down first, then degraded, then healthy. */
export const STATUS_RANK: Record<Status, number> = { down: 0, degraded: 1, healthy: 2 };

/**
 * What the report knows about one stack, read from its outputs through an allowlist of the contract
 * fields (docs/contracts.md §1). Unknown fields are never read, so a value that is not part of the
 * contract (e.g. something named like a secret) cannot reach any output.
 */
export interface StackInfo {
  /** Stack name `<project>.<env>`. */
  name: string;
  project: string;
  env: string;
  target: string | null;
  region: string | null;
  /** Base URL (userinfo stripped), or null when the outputs have no usable URL. */
  url: string | null;
  healthUrl: string | null;
  consoleUrl: string | null;
  logsUrl: string | null;
  imageRef: string | null;
  imageDigest: string | null;
  contentHash: string | null;
  uptimeCheckId: string | null;
  version: { commit: string | null; branch: string | null; dirty: boolean | null };
  workflows: OutputWorkflow[];
  publicRoutes: PublicRoute[];
  /** Why the outputs could not be used (missing stack, no url, …); null when they were fine. */
  problem: string | null;
}

/** One HTTP GET as the probe engine saw it. */
export interface HttpResult {
  /** HTTP status code, or null when no response arrived. */
  statusCode: number | null;
  /** Wall time from the start of the request to the end of the body (or to the failure). */
  ms: number;
  /** Response body (bounded); null when no complete response arrived. */
  body: string | null;
  /** Failure kind when no complete response arrived. */
  error: HttpErrorKind | null;
  /** Human-readable failure, built only from our own words and error codes. */
  errorText: string | null;
}

export type HttpErrorKind = 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'too-large' | 'aborted' | 'other';

/** One /health sample, interpreted. */
export interface HealthSample {
  ok: boolean;
  ms: number;
  statusCode: number | null;
  /** `ok` / `degraded` from the body when it parsed; null otherwise. */
  health: 'ok' | 'degraded' | null;
  /** Names of checks that are not ok (safe identifiers only). */
  failingChecks: string[];
  /** Why the sample failed (null when ok). */
  failure: string | null;
  timedOut: boolean;
}

export interface VersionInfo {
  commit: string | null;
  dirty: boolean | null;
  contentHash: string | null;
  catalyst: string | null;
}

export interface Counters {
  requests: number;
  errors: number;
}

/** Raw result of probing one target (before classification). */
export interface ProbeResult {
  name: string;
  samples: HealthSample[];
  /** null when /version was not probed or failed; the failure text is in versionProblem. */
  version: VersionInfo | null;
  versionProblem: string | null;
  /** null when /metrics was not probed, failed, or lacked the counters. */
  counters: Counters | null;
  /** Per-workflow series of /metrics (request counts, durations, failed peer calls); null like `counters`. */
  app: AppMetrics | null;
  metricsProblem: string | null;
  elapsedMs: number;
}

export interface Thresholds {
  /** Per-request deadline (connect + headers + body), ms. */
  timeoutMs: number;
  /** Median /health latency above this is degraded, ms. */
  slowMs: number;
  /** Error rate (percent of requests with status ≥ 500) above this is degraded. */
  errorRatePercent: number;
  /** Fewer requests than this in the measured window: the error rate is not judged. */
  minRequests: number;
}

export interface ErrorRate {
  percent: number;
  requests: number;
  errors: number;
  /** `interval`: since the previous probe of this stack; `lifetime`: since the app started. */
  window: 'interval' | 'lifetime';
}

export interface Classification {
  status: Status;
  /** One line, always present (also for healthy). */
  reason: string;
  /** Median latency of the successful /health samples, ms (null when none succeeded). */
  latencyMs: number | null;
  errorRate: ErrorRate | null;
}

export type DriftState = 'up-to-date' | 'behind' | 'ahead' | 'diverged' | 'unknown';

export interface Drift {
  state: DriftState;
  /** Commits behind HEAD (behind/diverged), or ahead (ahead); null otherwise. */
  behind: number | null;
  ahead: number | null;
  /** Deployed commit (full SHA as given), null when unknown. */
  commit: string | null;
  /** Where the deployed commit came from. */
  source: 'endpoint' | 'outputs' | null;
  /** Human text: "up to date", "behind by 3 commits", "unknown (…)". */
  text: string;
}

export interface DeployEntry {
  version: number | null;
  kind: string;
  result: string;
  startTime: string | null;
  endTime: string | null;
  commit: string | null;
  dirty: boolean | null;
  /** The commit's author as Pulumi recorded it; null when unknown. */
  author?: string | null;
  resourceChanges: Record<string, number>;
}

export interface DeployHistory {
  available: boolean;
  /** Why it is unavailable (pulumi missing, failed, …). */
  reason: string | null;
  entries: DeployEntry[];
}

export interface Uptime {
  '24h': number | null;
  '7d': number | null;
  '30d': number | null;
  '90d': number | null;
}
