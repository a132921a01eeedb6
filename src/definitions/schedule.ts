import { CronSyntaxError, isTimeZone, parseCron } from '../shared/cron.ts';
import { closest } from '../shared/suggest.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { ScheduleTrigger } from './model.ts';
import type { WorkflowFile } from './schema.ts';
import { diagAt, locateInString, type YamlFile } from './yaml.ts';

type Report = (path: (string | number)[], message: string, fix?: string) => void;

/** Zones suggested when a time zone is misspelled (Intl lists the canonical ones). */
function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return ['UTC', ...(intl.supportedValuesOf?.('timeZone') ?? [])];
}

/**
 * Checks a schedule trigger: the cron expression (positioned at the offending character), the time
 * zone, and the fixed input against the workflow's input schema. → the trigger, or undefined.
 */
export function checkSchedule(y: YamlFile, wf: WorkflowFile, d: Report, out: Diagnostic[]): ScheduleTrigger | undefined {
  const t = wf.trigger;
  if (t?.type !== 'schedule') return undefined;
  let ok = true;
  try {
    parseCron(t.cron);
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    ok = false;
    const pos = locateInString(y, ['trigger', 'cron'], e.offset);
    out.push({
      file: y.file,
      line: pos.line,
      col: pos.col,
      path: diagAt(y, ['trigger', 'cron'], '').path,
      message: `cron: ${e.message}`,
      fix: e.fix ?? 'five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * *" (every day at 08:00) or "*/15 * * * *"',
    });
  }
  if (!isTimeZone(t.timezone)) {
    ok = false;
    const hint = closest(t.timezone, knownZones());
    d(['trigger', 'timezone'], `"${t.timezone}" is not an IANA time zone`, hint ? `did you mean "${hint}"?` : 'use a name like Europe/Berlin, America/New_York or UTC');
  }
  const props = Object.keys(wf.input.properties);
  for (const r of wf.input.required) {
    if (Object.hasOwn(wf.input.properties, r) && !Object.hasOwn(t.input, r) && wf.input.properties[r].default === undefined) {
      ok = false;
      d(['trigger', 'input'], `the workflow requires input "${r}", which the schedule's input does not give`, `add ${r}: <value> under trigger.input`);
    }
  }
  if (!wf.input.additionalProperties) {
    for (const k of Object.keys(t.input)) {
      if (props.includes(k)) continue;
      ok = false;
      const hint = closest(k, props);
      d(['trigger', 'input', k], `input "${k}" is not in the workflow's input schema`, hint ? `did you mean "${hint}"?` : 'declare it under input.properties, or remove it');
    }
  }
  if (!ok) return undefined;
  return { type: 'schedule', cron: t.cron.trim(), timezone: t.timezone, input: t.input, overlap: t.overlap };
}
