import { afterAll, describe, expect, it } from 'vitest';
import { listWorkspace, type ListOutput } from '../../src/cli/commands/list.ts';
import { scanWorkspace } from '../../src/definitions/scan.ts';
import { cleanupTemp, run, tempRepo, writeFiles } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

const SCHEDULED = 'catalyst: 1\nname: nightly\ntrigger: { type: schedule, cron: "30 2 * * *", timezone: Europe/Berlin }\nnodes: [{ id: r, type: respond }]\n';

describe('catalyst list: schedules', () => {
  it('shows the next three run times in the schedule\'s zone (DST included)', () => {
    const root = tempRepo();
    writeFiles(root, { 'projects/billing/workflows/nightly.yaml': SCHEDULED });
    const out = listWorkspace(scanWorkspace(root, root), 0, root, Date.parse('2026-03-28T12:00:00Z'));
    const w = out.projects.find((p) => p.name === 'billing')!.workflows.find((x) => x.name === 'nightly')!;
    expect(w).toMatchObject({ visibility: 'internal', route: null, schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin', next: ['2026-03-29T03:30:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00'] } });
  });

  it('prints them, and says why there are none for a broken expression', async () => {
    const root = tempRepo();
    writeFiles(root, {
      'projects/billing/workflows/nightly.yaml': SCHEDULED,
      'projects/billing/workflows/broken.yaml': 'catalyst: 1\nname: broken\ntrigger: { type: schedule, cron: "0 8 * *" }\nnodes: [{ id: r, type: respond }]\n',
    });
    const r = await run(root, 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}nightly +internal {2}schedule 30 2 \* \* \*\n +next runs \(Europe\/Berlin\): \d{4}-\d\d-\d\dT0[23]:30:00\+0[12]:00, \d{4}-[^,]+, \d{4}-[^,\n]+\n/);
    expect(r.stdout).toMatch(/\n {2}broken +internal {2}schedule 0 8 \* \*\n +next runs \(UTC\): none \(a cron expression has 5 fields .*this one has 4\)\n/);
    expect(r.stdout).toMatch(/\d problem\(s\) in the definitions/);
    const json = JSON.parse((await run(root, 'list', '--json')).stdout) as ListOutput;
    const nightly = json.projects.find((p) => p.name === 'billing')!.workflows.find((x) => x.name === 'nightly')!;
    expect(nightly.schedule!.next).toHaveLength(3);
    const times = nightly.schedule!.next.map((s) => Date.parse(s));
    expect(times[0]).toBeGreaterThan(Date.now() - 60_000);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(23 * 3_600_000);
  });

  it('workflow visibility public refuses a scheduled workflow', async () => {
    const root = tempRepo();
    writeFiles(root, { 'projects/billing/workflows/nightly.yaml': SCHEDULED });
    const r = await run(root, 'workflow', 'visibility', 'billing/nightly', 'public');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/billing\/nightly runs on a schedule, so it stays internal; to also run it over HTTP, add a public workflow that calls it/);
  });
});
