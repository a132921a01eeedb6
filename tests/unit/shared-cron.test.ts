import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CronSyntaxError, formatInZone, isTimeZone, nextRun, nextRuns, parseCron, runsBetween } from '../../src/shared/cron.ts';

interface Case { note: string; cron: string; zone: string; after: string; expected: string[] }
const table = JSON.parse(readFileSync(new URL('../fixtures/cron/table.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('cron run times (the table shared with the Python runtime)', () => {
  it.each(table.cases.map((c) => [c.note, c] as const))('%s', (_note, c) => {
    const got = nextRuns(parseCron(c.cron), c.zone, Date.parse(c.after), c.expected.length).map((t) => formatInZone(t, c.zone));
    expect(got).toEqual(c.expected);
  });

  it('covers DST in both directions, leap days, steps and day names', () => {
    const notes = table.cases.map((c) => c.note).join('\n');
    for (const word of ['spring forward', 'fall back', 'leap day', 'every 15 minutes', 'by name', 'half-hour']) expect(notes).toContain(word);
  });
});

describe('cron parsing', () => {
  it('reads macros, names in any case, 7 as Sunday and steps', () => {
    expect(parseCron('@daily')).toMatchObject({ minutes: [0], hours: [0], domRestricted: false, dowRestricted: false });
    expect(parseCron(' 0 8 * * mon-FRI ').daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(parseCron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
    expect(parseCron('*/20 * * * *').minutes).toEqual([0, 20, 40]);
    expect(parseCron('5/20 * * * *').minutes).toEqual([5, 25, 45]);
    expect(parseCron('0 0 * jan,Dec *').months).toEqual([1, 12]);
    expect(parseCron('0 */6 * * *')).toMatchObject({ hours: [0, 6, 12, 18], everyHour: true });
  });

  const bad: [string, RegExp, number][] = [
    ['0 8 * *', /has 5 fields .* has 4/, 0],
    ['0 0 8 * * *', /has 6/, 0],
    ['60 * * * *', /minute 60 is out of range 0–59/, 0],
    ['0 24 * * *', /hour 24 is out of range/, 2],
    ['0 0 0 * *', /day of month 0 is out of range 1–31/, 4],
    ['0 0 * 13 *', /month 13 is out of range/, 6],
    ['0 0 * * 8', /day of week 8 is out of range 0–7/, 8],
    ['*/0 * * * *', /step "0" in the minute field/, 2],
    ['0 0 * * FRI-MON', /range FRI-MON in the day of week field runs backwards/, 8],
    ['0 0 30 2 *', /never occurs/, 4],
    ['0 0 ? * *', /"\?" is not five-field cron/, 4],
    ['0 0 * * funday', /"funday" is not a valid day of week/, 8],
    ['0,,5 * * * *', /empty item/, 2],
    ['@reboot', /unknown macro "@reboot"/, 0],
  ];
  it.each(bad)('rejects %j', (expr, message, offset) => {
    let err: unknown;
    try {
      parseCron(expr);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CronSyntaxError);
    expect((err as CronSyntaxError).message).toMatch(message);
    expect((err as CronSyntaxError).offset).toBe(offset);
  });
});

describe('time zones and ranges', () => {
  it('knows IANA zones and refuses others', () => {
    for (const z of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect(isTimeZone(z), z).toBe(true);
    for (const z of ['Mars/Olympus', 'CEST+2', '', 'Europe/Berlin; rm', '../etc']) expect(isTimeZone(z), z).toBe(false);
  });

  it('lists the ticks between two instants (missed ticks)', () => {
    const spec = parseCron('*/15 * * * *');
    const ticks = runsBetween(spec, 'UTC', Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T01:00:00Z'));
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual(['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T00:45:00.000Z', '2026-01-01T01:00:00.000Z']);
  });

  it('returns nothing for a schedule that runs only on a weekday no allowed date has within 9 years', () => {
    // 31 April does not exist; day-of-week '*' means the day of month must match: never.
    expect(() => parseCron('0 0 31 4 *')).toThrow(/never occurs/);
    // Both restricted: OR, so it runs on Mondays of April.
    expect(nextRun(parseCron('0 0 31 4 MON'), 'UTC', Date.parse('2026-01-01T00:00:00Z'))).toBe(Date.parse('2026-04-06T00:00:00Z'));
  });
});
