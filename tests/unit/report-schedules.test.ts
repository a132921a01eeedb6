import { describe, expect, it } from 'vitest';
import { interpretMetrics } from '../../src/report/probe.ts';
import { parseAppMetrics } from '../../src/report/workflow-metrics.ts';
import { cardView } from '../../src/report/view.ts';
import { sampleStack } from '../integration/report-sample.ts';

// What a generated app's /metrics says about a schedule (catalyst_runtime/schedule.py, metrics.py).
const METRICS = [
  'catalyst_requests_total{status="200",workflow="charge"} 3',
  'catalyst_schedule_runs_total{result="ok",schedule="monthly-fee"} 4',
  'catalyst_schedule_missed_ticks_total{schedule="monthly-fee"} 2',
  'catalyst_schedule_last_run_timestamp_seconds{schedule="monthly-fee"} 1796101200.25',
  'catalyst_schedule_last_run_duration_seconds{schedule="monthly-fee"} 0.0123',
  'catalyst_schedule_last_run_success{schedule="monthly-fee"} 1',
  'catalyst_schedule_next_run_timestamp_seconds{schedule="monthly-fee"} 1798779600',
  'catalyst_schedule_info{cron="0 6 1 * *",mode="inapp",overlap="skip",schedule="monthly-fee",timezone="Europe/Berlin"} 1',
  '',
].join('\n');

describe('catalyst report: schedules', () => {
  it('shows each schedule\'s last and next run on the deployment\'s card', () => {
    const app = parseAppMetrics(METRICS);
    const st = app.schedules['monthly-fee'];
    expect(st).toMatchObject({ cron: '0 6 1 * *', timezone: 'Europe/Berlin', lastSucceeded: true, missedTicks: 2, nextRunAt: 1798779600000 });
    const stack = { ...sampleStack(0, 'healthy'), schedules: [{ workflow: 'monthly-fee', ...st }] };
    const fact = cardView(stack).facts.find((f) => f.label === 'Schedule monthly-fee');
    expect(fact?.value).toBe('0 6 1 * * (Europe/Berlin): last run 2026-12-01 05:00 UTC ok (12 ms); next 2027-01-01 05:00 UTC, 2 missed');
  });

  it('reads the schedules of an app that has served no request yet (no request counters)', () => {
    const body = METRICS.split('\n').filter((l) => !l.startsWith('catalyst_requests_total')).join('\n');
    const r = interpretMetrics({ statusCode: 200, body, error: null, errorText: null, ms: 3 });
    expect(r.counters).toBeNull();
    expect(r.app?.schedules['monthly-fee']).toMatchObject({ cron: '0 6 1 * *', missedTicks: 2 });
    // Without schedules either, there is nothing of the app to show.
    expect(interpretMetrics({ statusCode: 200, body: '# nothing\n', error: null, errorText: null, ms: 3 }).app).toBeNull();
  });
});
