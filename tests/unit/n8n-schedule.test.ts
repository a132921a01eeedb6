import { describe, expect, it } from 'vitest';
import { scheduleRuleToCron } from '../../src/n8n/nodes/triggers.ts';
import { parseCron } from '../../src/shared/cron.ts';

describe('n8n Schedule Trigger rules → cron', () => {
  const table: [string, Parameters<typeof scheduleRuleToCron>[0], string][] = [
    ['every 5 minutes (n8n default)', { field: 'minutes' }, '*/5 * * * *'],
    ['every 15 minutes', { field: 'minutes', minutesInterval: 15 }, '*/15 * * * *'],
    ['every minute', { field: 'minutes', minutesInterval: 1 }, '* * * * *'],
    ['every hour at :30', { field: 'hours', hoursInterval: 1, triggerAtMinute: 30 }, '30 * * * *'],
    ['every 6 hours', { field: 'hours', hoursInterval: 6 }, '0 */6 * * *'],
    ['every day (n8n default rule)', { field: 'days' }, '0 0 * * *'],
    ['every day at 08:15', { field: 'days', triggerAtHour: 8, triggerAtMinute: 15 }, '15 8 * * *'],
    ['every 2 days at 07:00', { field: 'days', daysInterval: 2, triggerAtHour: 7 }, '0 7 */2 * *'],
    ['weekly on Monday and Friday at 09:00', { field: 'weeks', triggerAtDay: [5, 1], triggerAtHour: 9 }, '0 9 * * 1,5'],
    ['weekly without days (Sunday)', { field: 'weeks' }, '0 0 * * 0'],
    ['monthly on the 15th at 06:45', { field: 'months', triggerAtDayOfMonth: 15, triggerAtHour: 6, triggerAtMinute: 45 }, '45 6 15 * *'],
    ['every 3 months on the 1st', { field: 'months', monthsInterval: 3 }, '0 0 1 */3 *'],
    ['cron, five fields', { field: 'cronExpression', expression: '0 8 * * MON-FRI' }, '0 8 * * MON-FRI'],
    ['cron with a fixed seconds field', { field: 'cronExpression', expression: '0 */10 * * * *' }, '*/10 * * * *'],
  ];
  it.each(table)('%s', (_label, rule, cron) => {
    expect(scheduleRuleToCron(rule)).toMatchObject({ cron });
    expect(() => parseCron(cron)).not.toThrow();
  });

  it('says what it cannot map', () => {
    expect(scheduleRuleToCron({ field: 'seconds', secondsInterval: 10 })).toEqual({ error: 'every 10 seconds: Catalyst schedules run at most once a minute' });
    expect(scheduleRuleToCron({ field: 'weeks', weeksInterval: 2, triggerAtDay: [1] })).toEqual({ error: 'every 2 weeks has no cron form' });
    expect(scheduleRuleToCron({ field: 'cronExpression', expression: '*/5 * * * * *' })).toMatchObject({ error: expect.stringMatching(/seconds field "\*\/5" that runs more than once a minute/) });
    expect(scheduleRuleToCron({ field: 'cronExpression', expression: '0 25 * * *' })).toMatchObject({ error: expect.stringMatching(/hour 25 is out of range/) });
    expect(scheduleRuleToCron({ field: 'minutes', minutesInterval: 7 })).toMatchObject({ cron: '*/7 * * * *', approx: 'every 7 minutes restarts at each full hour (as in n8n)' });
  });
});
