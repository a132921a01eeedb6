import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const RESPOND = 'nodes: [{ id: r, type: respond }]\n';
const INPUT = 'input:\n  type: object\n  properties:\n    region: { type: string }\n    limit: { type: integer, default: 5 }\n  required: [region]\n';

describe('schedule triggers', () => {
  it('loads a schedule with its defaults: UTC, no input, overlap skip; the workflow is internal', () => {
    const r = loadFiles({ 'pp/project.yaml': `${PROJECT}defaults:\n  visibility: public\n`, 'pp/workflows/w.yaml': `catalyst: 1\nname: w\ntrigger: { type: schedule, cron: "*/15 * * * *" }\n${RESPOND}` });
    expectValid(r);
    const w = r.workspace!.projects[0].workflows[0];
    expect(w.visibility).toBe('internal');
    expect(w.trigger).toEqual({ type: 'schedule', cron: '*/15 * * * *', timezone: 'UTC', input: {}, overlap: 'skip' });
  });

  it('keeps the zone, the fixed input and overlap: allow', () => {
    const r = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': `catalyst: 1\nname: w\ntrigger:\n  type: schedule\n  cron: "@daily"\n  timezone: Europe/Berlin\n  input: { region: eu }\n  overlap: allow\n${INPUT}${RESPOND}` });
    expectValid(r);
    expect(r.workspace!.projects[0].workflows[0].trigger).toEqual({ type: 'schedule', cron: '@daily', timezone: 'Europe/Berlin', input: { region: 'eu' }, overlap: 'allow' });
  });

  it('points at the bad character of a cron expression', () => {
    const ds = wfDiags(`trigger: { type: schedule, cron: "0 25 * * *" }\n${RESPOND}`);
    expect(ds).toHaveLength(1);
    // line 3: `trigger: { type: schedule, cron: "0 25 * * *" }`; the quote is at col 34, "25" at 37.
    expectDiag(ds, /^cron: hour 25 is out of range 0–23$/, { file: 'projects/pp/workflows/w.yaml', path: 'trigger.cron', line: 3, col: 37 });
    expectDiag(wfDiags(`trigger:\n  type: schedule\n  cron: 0 8 * *\n${RESPOND}`), /cron: a cron expression has 5 fields/, { line: 5, col: 9, fix: 'e.g. "0 8 * * *" runs every day at 08:00' });
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "0 0 * * FRY" }\n${RESPOND}`), /"FRY" is not a valid day of week/, { col: 43 });
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "* * * * * *" }\n${RESPOND}`), /has 6/, { fix: 'remove the seconds (or year) field: schedules run at most once a minute' });
  });

  it('checks the time zone, with a suggestion', () => {
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "@hourly", timezone: Europe/Berln }\n${RESPOND}`), /"Europe\/Berln" is not an IANA time zone/, { path: 'trigger.timezone', line: 3, fix: 'did you mean "Europe/Berlin"?' });
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "@hourly", timezone: "+02:00" }\n${RESPOND}`), /is not an IANA time zone/, { fix: 'use a name like Europe/Berlin, America/New_York or UTC' });
  });

  it('checks the fixed input against the input schema', () => {
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "@hourly" }\n${INPUT}${RESPOND}`), /requires input "region", which the schedule's input does not give/, { path: 'trigger.input', fix: 'add region: <value> under trigger.input' });
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "@hourly", input: { region: eu, regoin: x } }\n${INPUT}${RESPOND}`), /input "regoin" is not in the workflow's input schema/, { path: 'trigger.input.regoin', fix: 'did you mean "region"?' });
  });

  it('a scheduled workflow cannot be public, and overlap has two values', () => {
    expectDiag(wfDiags(`visibility: public\ntrigger: { type: schedule, cron: "@hourly" }\n${RESPOND}`), /runs on a schedule, so it is internal/, { path: 'visibility', fix: 'remove visibility: public; to also run it over HTTP, add a public workflow that calls it' });
    expectDiag(wfDiags(`trigger: { type: schedule, cron: "@hourly", overlap: queue }\n${RESPOND}`), /skip|allow/, { path: 'trigger.overlap' });
  });

  it('a scheduled workflow can be called in-process like any other', () => {
    expectValid(
      loadFiles({
        'pp/project.yaml': PROJECT,
        'pp/workflows/tick.yaml': `catalyst: 1\nname: tick\ntrigger: { type: schedule, cron: "@daily" }\n${RESPOND}`,
        'pp/workflows/run-now.yaml': `catalyst: 1\nname: run-now\nvisibility: public\nauth: none\ntrigger: { type: webhook, path: /run-now }\nnodes: [{ id: c, type: workflowCall, workflow: tick }]\n`,
      }),
    );
  });
});
