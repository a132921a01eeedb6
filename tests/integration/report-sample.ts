/** A deterministic, fully populated Report of `n` stacks (no probing), for render and browser tests. */
import type { Report, StackReport } from '../../src/report/report.ts';
import { DEFAULT_SETTINGS } from '../../src/report/settings.ts';
import type { Status } from '../../src/report/types.ts';

/** Byte budget for a 300-stack report with full details (48-point sparklines, deployments, routes). */
export const HTML_BUDGET_300 = 900_000;

const TARGETS = ['cloudrun', 'fly', 'render', 'local', 'docker'];

export function sampleStack(i: number, status: Status): StackReport {
  const project = `project-${String(i).padStart(3, '0')}`;
  const env = ['prod', 'staging', 'dev'][i % 3];
  const name = `${project}.${env}`;
  const url = `https://${project}-${env}.example.com`;
  const commit = (i % 16).toString(16).repeat(40);
  const series = Array.from({ length: 48 }, (_, k) => (status === 'down' && k > 44 ? null : 20 + ((i * 7 + k * 13) % 90)));
  return {
    name,
    project,
    env,
    target: TARGETS[i % TARGETS.length],
    region: i % 5 === 0 ? 'europe-west1' : null,
    url,
    healthUrl: `${url}/health`,
    consoleUrl: `https://console.example.com/run/${project}?env=${env}`,
    logsUrl: `https://console.example.com/logs/${project}`,
    uptimeCheckId: i % 5 === 0 ? `projects/acme/uptimeCheckConfigs/${project}` : null,
    status,
    reason:
      status === 'down'
        ? 'timeout: no complete response within 5000 ms'
        : status === 'degraded'
          ? '/health reports degraded: check llm not ok'
          : 'ok: 3 /health samples, median 42 ms',
    latencyMs: status === 'down' ? null : 42,
    errorRate: status === 'down' ? null : { percent: 0.5, requests: 200, errors: 1, window: 'interval' },
    health: {
      status: status === 'down' ? null : status === 'degraded' ? 'degraded' : 'ok',
      failingChecks: status === 'degraded' ? ['llm'] : [],
      samples: [{ ok: status !== 'down', ms: 42, statusCode: status === 'down' ? null : 200 }],
    },
    version: {
      commit,
      source: 'endpoint',
      dirty: false,
      branch: 'main',
      contentHash: 'e'.repeat(64),
      catalyst: '0.1.0',
      imageRef: `europe-docker.pkg.dev/acme/apps/${project}:${commit.slice(0, 12)}`,
      imageDigest: `sha256:${'f'.repeat(64)}`,
    },
    drift: i % 4 === 0 ? { state: 'behind', behind: i % 9, ahead: 0, commit, source: 'endpoint', text: `behind by ${i % 9} commits` } : { state: 'up-to-date', behind: 0, ahead: 0, commit, source: 'endpoint', text: 'up to date' },
    uptime: { '24h': status === 'down' ? 91.5 : 100, '7d': 99.2, '30d': 99.87, '90d': 99.95 },
    uptimeCoverage: { '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000, '90d': 7_776_000_000 },
    latencySeries: series,
    deployments: {
      available: true,
      reason: null,
      entries: [3, 2, 1].map((v) => ({
        version: v,
        kind: 'update',
        result: v === 2 ? 'failed' : 'succeeded',
        startTime: new Date(Date.UTC(2025, 5, 20 + v, 10, 0)).toISOString(),
        endTime: new Date(Date.UTC(2025, 5, 20 + v, 10, 2)).toISOString(),
        commit,
        dirty: false,
        resourceChanges: { create: v === 1 ? 9 : 0, same: 8, update: v === 1 ? 0 : 1 },
      })),
    },
    workflows: [
      { name: 'answer', visibility: 'public' },
      { name: 'classify', visibility: 'internal' },
      { name: 'summarize', visibility: 'public' },
    ],
    publicRoutes: [
      { workflow: 'answer', method: 'POST', path: '/answer' },
      { workflow: 'summarize', method: 'POST', path: '/summarize' },
    ],
    notes: [],
  };
}

/** Every 10th stack down, every 7th degraded, the rest healthy; sorted like the real report. */
export function sampleReport(n: number): Report {
  const stacks = Array.from({ length: n }, (_, i) => sampleStack(i, i % 10 === 3 ? 'down' : i % 7 === 5 ? 'degraded' : 'healthy'));
  const rank = { down: 0, degraded: 1, healthy: 2 };
  stacks.sort((a, b) => rank[a.status] - rank[b.status] || (a.name < b.name ? -1 : 1));
  const count = (s: Status) => stacks.filter((x) => x.status === s).length;
  return {
    schemaVersion: 1,
    generatedAt: '2025-06-30T12:00:00.000Z',
    repo: { head: '0'.repeat(40), dirty: false, problem: null },
    settings: DEFAULT_SETTINGS,
    summary: { total: n, healthy: count('healthy'), degraded: count('degraded'), down: count('down') },
    stacks,
  };
}
