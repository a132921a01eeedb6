/** The scheduled workflows of an app, as registry.py declares them (catalyst_runtime/schedule.py runs them). */
import type { WorkflowModel } from '../definitions/model.ts';
import { pyLiteral, pyStr } from '../expressions/python.ts';

type Json = Parameters<typeof pyLiteral>[0];

export interface ScheduleView {
  workflow: string;
  cron: string;
  timezone: string;
  /** Python source of the catalyst_runtime.schedule.Schedule(...) declaration. */
  py: string;
}

/** One entry per workflow with a schedule trigger, sorted by workflow name. */
export function buildSchedules(workflows: readonly WorkflowModel[]): ScheduleView[] {
  const out: ScheduleView[] = [];
  for (const w of workflows) {
    if (w.trigger.type !== 'schedule') continue;
    const t = w.trigger;
    const input = Object.keys(t.input)
      .sort()
      .map((k) => `${pyStr(k)}: ${pyLiteral(t.input[k] as Json)}`)
      .join(', ');
    out.push({
      workflow: w.name,
      cron: t.cron,
      timezone: t.timezone,
      py: `Schedule(workflow=${pyStr(w.name)}, cron=${pyStr(t.cron)}, timezone=${pyStr(t.timezone)}, input={${input}}, overlap=${pyStr(t.overlap)})`,
    });
  }
  return out.sort((a, b) => (a.workflow < b.workflow ? -1 : a.workflow > b.workflow ? 1 : 0));
}
