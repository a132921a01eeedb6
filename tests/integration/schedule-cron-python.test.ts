/**
 * The generated app's cron (catalyst_runtime/cron.py) and Catalyst's (src/shared/cron.ts) agree: the
 * same table of run times (tests/fixtures/cron/table.json: DST both ways, leap days, steps, names),
 * plus a sweep of expressions × zones × start instants compared run for run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatInZone, nextRuns, parseCron } from '../../src/shared/cron.ts';
import { cleanupTemps, generateInto, requirePython, workspaceFrom } from '../helpers/codegen.ts';

interface Case { note: string; cron: string; zone: string; after: string; expected: string[] }
const table = JSON.parse(readFileSync(new URL('../fixtures/cron/table.json', import.meta.url), 'utf8')) as { cases: Case[] };

const SCRIPT = `
import json, sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from catalyst_runtime.cron import CronSpec, next_runs

def fmt(ms, zone):
    dt = datetime.fromtimestamp(ms / 1000, ZoneInfo(zone))
    off = dt.utcoffset()
    if zone == "UTC":
        return dt.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    total = int(off.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"

out = []
for c in json.load(sys.stdin):
    after = int(datetime.fromisoformat(c["after"].replace("Z", "+00:00")).timestamp() * 1000)
    out.append([fmt(t, c["zone"]) for t in next_runs(CronSpec(c["cron"]), ZoneInfo(c["zone"]), after, c["count"])])
print(json.dumps(out))
`;

afterAll(cleanupTemps);

function python(cases: { cron: string; zone: string; after: string; count: number }[]): string[][] {
  const { workspace } = workspaceFrom({ 'cr/project.yaml': 'catalyst: 1\nname: cr\n', 'cr/workflows/t.yaml': 'catalyst: 1\nname: t\ntrigger: { type: schedule, cron: "@daily" }\nnodes: [{ id: r, type: respond }]\n' });
  const { dir } = generateInto(workspace.projects[0], workspace);
  const r = spawnSync(requirePython(), ['-c', SCRIPT], { cwd: dir, input: JSON.stringify(cases), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONPATH: dir } });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

describe('TypeScript and Python cron agree', () => {
  it('on the shared table', () => {
    const got = python(table.cases.map((c) => ({ cron: c.cron, zone: c.zone, after: c.after, count: c.expected.length })));
    expect(got).toEqual(table.cases.map((c) => c.expected));
  });

  it('on a sweep of expressions, zones and start instants', () => {
    const exprs = ['*/7 * * * *', '0 */5 * * *', '15 2,3 * * *', '0 0 * * SAT,SUN', '30 1 1,15 * MON', '@weekly', '45 23 * * *'];
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu'];
    const starts = ['2026-03-08T06:55:00Z', '2026-03-28T23:40:00Z', '2026-10-24T23:50:00Z', '2026-11-01T05:20:00Z', '2026-04-04T14:10:00Z', '2026-09-05T03:30:00Z', '2028-02-28T22:00:00Z'];
    const cases = exprs.flatMap((cron) => zones.flatMap((zone) => starts.map((after) => ({ cron, zone, after, count: 6 }))));
    const ts = cases.map((c) => nextRuns(parseCron(c.cron), c.zone, Date.parse(c.after), c.count).map((t) => formatInZone(t, c.zone)));
    const py = python(cases);
    const diffs = cases.flatMap((c, i) => (JSON.stringify(ts[i]) === JSON.stringify(py[i]) ? [] : [`${c.cron} ${c.zone} ${c.after}\n  ts ${ts[i].join(' ')}\n  py ${py[i].join(' ')}`]));
    expect(diffs.join('\n')).toBe('');
    expect(cases.length).toBe(exprs.length * zones.length * starts.length);
  });
});
