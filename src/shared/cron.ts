/**
 * Five-field cron expressions and their run times in an IANA time zone. The generated app carries the
 * same algorithm in Python (templates/app/catalyst_runtime/cron.py.ejs); a test runs both on one table.
 *
 * Syntax: `minute hour day-of-month month day-of-week`; each field a comma list of `*`, `n`, `a-b`,
 * each optionally `/step` (`a/step` means a to the field's end); months JAN–DEC and days SUN–SAT by name
 * (any case); day-of-week 0–7 (0 and 7 are Sunday). Macros: @yearly @annually @monthly @weekly @daily
 * @midnight @hourly. Day of month and day of week: when both are restricted (neither starts with `*`), a
 * day matches either one (classic cron); otherwise both must match.
 *
 * Time zones: each matching wall-clock time is turned into an instant. A wall time that does not exist
 * (clocks jump forward) runs at the same distance after the jump (02:30 → 03:30); a wall time that
 * happens twice (clocks go back) runs once, at its first occurrence, unless the hour field starts with
 * `*` (every hour): then at both, so `*\/15 * * * *` keeps running every 15 minutes through the change.
 */
import { UserError } from './errors.ts';

export interface CronSpec {
  /** The expression as written (trimmed). */
  source: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
  domRestricted: boolean;
  dowRestricted: boolean;
  /** The hour field starts with `*`: a repeated wall time runs at both of its instants. */
  everyHour: boolean;
}

/** A syntax error; `offset`/`length` locate it inside the expression. */
export class CronSyntaxError extends UserError {
  readonly offset: number;
  readonly length: number;
  constructor(message: string, offset: number, length: number, fix?: string) {
    super(message, { fix });
    this.name = 'CronSyntaxError';
    this.offset = offset;
    this.length = length;
  }
}

export const CRON_MACROS: Readonly<Record<string, string>> = Object.freeze({
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
});

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS = [
  { name: 'minute', min: 0, max: 59, names: null },
  { name: 'hour', min: 0, max: 23, names: null },
  { name: 'day of month', min: 1, max: 31, names: null },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES },
] as const;

type Field = (typeof FIELDS)[number];

function parseValue(text: string, f: Field, at: number): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < f.min || n > f.max) throw new CronSyntaxError(`${f.name} ${n} is out of range ${f.min}–${f.max}`, at, text.length);
    return n;
  }
  const idx = f.names ? f.names.indexOf(text.toUpperCase() as never) : -1;
  if (idx >= 0) return f.name === 'month' ? idx + 1 : idx;
  const what = f.names ? `a number ${f.min}–${f.max} or a name (${f.names[0]}, ${f.names[1]}, …)` : `a number ${f.min}–${f.max}`;
  throw new CronSyntaxError(`"${text}" is not a valid ${f.name}`, at, text.length, `write ${what}`);
}

function parseField(text: string, f: Field, at: number): number[] {
  const out = new Set<number>();
  let pos = at;
  for (const item of text.split(',')) {
    if (item === '') throw new CronSyntaxError(`empty item in the ${f.name} field`, pos, 1, 'remove the extra comma');
    const slash = item.indexOf('/');
    const rangeText = slash === -1 ? item : item.slice(0, slash);
    let step = 1;
    if (slash !== -1) {
      const stepText = item.slice(slash + 1);
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronSyntaxError(`step "${stepText}" in the ${f.name} field must be a positive number`, pos + slash + 1, Math.max(1, stepText.length));
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (rangeText === '*') {
      lo = f.min;
      hi = f.name === 'day of week' ? 6 : f.max;
    } else if (rangeText === '?') {
      throw new CronSyntaxError(`"?" is not five-field cron syntax`, pos, 1, 'write * instead');
    } else {
      const dash = rangeText.indexOf('-', 1);
      if (dash === -1) {
        lo = parseValue(rangeText, f, pos);
        hi = slash === -1 ? lo : f.name === 'day of week' ? 6 : f.max;
      } else {
        lo = parseValue(rangeText.slice(0, dash), f, pos);
        hi = parseValue(rangeText.slice(dash + 1), f, pos + dash + 1);
        if (hi < lo) throw new CronSyntaxError(`range ${rangeText} in the ${f.name} field runs backwards`, pos, rangeText.length, `write it as two items, e.g. ${rangeText.slice(dash + 1)}-…,…-${rangeText.slice(0, dash)}, or swap the ends`);
      }
    }
    for (let v = lo; v <= hi; v += step) out.add(f.name === 'day of week' && v === 7 ? 0 : v);
    pos += item.length + 1;
  }
  return [...out].sort((a, b) => a - b);
}

/** Parse an expression (or macro). Throws CronSyntaxError with the offset of the problem. */
export function parseCron(expression: string): CronSpec {
  const source = expression.trim();
  const lead = expression.length - expression.trimStart().length;
  let body = source;
  if (source.startsWith('@')) {
    const macro = CRON_MACROS[source.toLowerCase()];
    if (!macro) throw new CronSyntaxError(`unknown macro "${source}"`, lead, source.length, `use one of ${Object.keys(CRON_MACROS).join(', ')}, or five fields`);
    body = macro;
  }
  const parts: { text: string; at: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(body); m; m = re.exec(body)) parts.push({ text: m[0], at: body === source ? lead + m.index : lead });
  if (parts.length !== 5) {
    throw new CronSyntaxError(
      `a cron expression has 5 fields (minute hour day-of-month month day-of-week); this one has ${parts.length}`,
      lead,
      source.length,
      parts.length === 6 ? 'remove the seconds (or year) field: schedules run at most once a minute' : 'e.g. "0 8 * * *" runs every day at 08:00',
    );
  }
  const values = parts.map((p, i) => parseField(p.text, FIELDS[i], p.at));
  const spec: CronSpec = {
    source,
    minutes: values[0],
    hours: values[1],
    daysOfMonth: values[2],
    months: values[3],
    daysOfWeek: values[4],
    domRestricted: !parts[2].text.startsWith('*'),
    dowRestricted: !parts[4].text.startsWith('*'),
    everyHour: parts[1].text.startsWith('*'),
  };
  const maxDay = Math.max(...spec.months.map((m) => [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]));
  if (!spec.dowRestricted && spec.daysOfMonth[0] > maxDay) {
    throw new CronSyntaxError(`day ${spec.daysOfMonth[0]} never occurs in the month(s) given, so this schedule never runs`, parts[2].at, parts[2].text.length, 'check the day-of-month and month fields');
  }
  return spec;
}

// ---------------------------------------------------------------- time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone this runtime knows (UTC included). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset at an instant, in minutes (east positive). */
export function offsetAt(zone: string, epochMs: number): number {
  const t = Math.floor(epochMs / 60_000) * 60_000;
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(t)) p[part.type] = part.value;
  const year = p.era === 'BC' || p.era === 'B' ? 1 - Number(p.year) : Number(p.year);
  const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((wall - t) / 60_000);
}

const DAY_MS = 86_400_000;

/** The instants of a wall-clock time (given as if it were UTC) in `zone`: see the module comment. */
export function wallToInstants(zone: string, wall: number, both: boolean): number[] {
  return instantsOf((t) => offsetAt(zone, t), wall, both);
}

function instantsOf(offset: (epochMs: number) => number, wall: number, both: boolean): number[] {
  const before = offset(wall - DAY_MS);
  const after = offset(wall + DAY_MS);
  const t1 = wall - before * 60_000;
  if (before === after) return [t1];
  const t2 = wall - after * 60_000;
  const v1 = t1 + offset(t1) * 60_000 === wall;
  const v2 = t2 + offset(t2) * 60_000 === wall;
  if (v1 && v2) {
    const [a, b] = t1 < t2 ? [t1, t2] : [t2, t1];
    return both ? [a, b] : [a];
  }
  if (v1) return [t1];
  if (v2) return [t2];
  return [t1]; // a gap: the offset in force before the jump puts it as far after the jump as it was into it
}

/** The zone's offset as a function over [lo, hi] that holds one change: found once by bisection (to the minute). */
function offsetsAround(zone: string, lo: number, hi: number): (epochMs: number) => number {
  const first = offsetAt(zone, lo);
  const last = offsetAt(zone, hi);
  let a = Math.floor(lo / 60_000);
  let b = Math.floor(hi / 60_000);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetAt(zone, mid * 60_000) === first) a = mid;
    else b = mid;
  }
  const change = b * 60_000;
  return (t) => (t < change ? first : last);
}

function dayMatches(spec: CronSpec, y: number, m: number, d: number): boolean {
  if (!spec.months.includes(m + 1)) return false;
  const dom = spec.daysOfMonth.includes(d);
  const dow = spec.daysOfWeek.includes(new Date(Date.UTC(y, m, d)).getUTCDay());
  if (spec.domRestricted && spec.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The earliest run of one local day (`day`: midnight of it as if UTC) that is later than `after`. */
function firstOfDay(spec: CronSpec, zone: string, day: number, after: number): number | undefined {
  const start = offsetAt(zone, day - DAY_MS);
  const end = offsetAt(zone, day + 2 * DAY_MS);
  if (start === end) {
    // No offset change around this day: instants follow wall times, the first later one is the answer.
    if (day + DAY_MS - start * 60_000 <= after) return undefined;
    for (const h of spec.hours) for (const m of spec.minutes) {
      const t = day + (h * 60 + m) * 60_000 - start * 60_000;
      if (t > after) return t;
    }
    return undefined;
  }
  const offset = offsetsAround(zone, day - DAY_MS, day + 2 * DAY_MS);
  let best: number | undefined;
  for (const h of spec.hours) for (const m of spec.minutes) {
    for (const t of instantsOf(offset, day + (h * 60 + m) * 60_000, spec.everyHour)) if (t > after && (best === undefined || t < best)) best = t;
  }
  return best;
}

/** The next `count` run times (epoch ms, ascending) strictly after `after`; fewer if none within 9 years. */
export function nextRuns(spec: CronSpec, zone: string, after: number, count = 1): number[] {
  const out: number[] = [];
  let from = after;
  while (out.length < count) {
    const t = nextRun(spec, zone, from);
    if (t === undefined) break;
    out.push(t);
    from = t;
  }
  return out;
}

/** The first run time strictly after `after` (epoch ms), or undefined when none within 9 years. */
export function nextRun(spec: CronSpec, zone: string, after: number): number | undefined {
  const local = after + offsetAt(zone, after) * 60_000;
  let day = Math.floor(local / DAY_MS) * DAY_MS - DAY_MS;
  const limit = day + 9 * 366 * DAY_MS;
  for (; day < limit; day += DAY_MS) {
    const d = new Date(day);
    if (!dayMatches(spec, d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) continue;
    const t = firstOfDay(spec, zone, day, after);
    if (t === undefined) continue;
    // A wall time pushed over midnight by a gap may come after the next day's first run: look at it too.
    const nd = new Date(day + DAY_MS);
    const next = dayMatches(spec, nd.getUTCFullYear(), nd.getUTCMonth(), nd.getUTCDate()) ? firstOfDay(spec, zone, day + DAY_MS, after) : undefined;
    return next !== undefined && next < t ? next : t;
  }
  return undefined;
}

/** The run times in (from, to], ascending, at most `limit` of them. */
export function runsBetween(spec: CronSpec, zone: string, from: number, to: number, limit = 1000): number[] {
  const out: number[] = [];
  for (let t = nextRun(spec, zone, from); t !== undefined && t <= to && out.length < limit; t = nextRun(spec, zone, t)) out.push(t);
  return out;
}

/** An instant as ISO 8601 in the zone, with its offset: 2026-03-29T03:30:00+02:00. */
export function formatInZone(epochMs: number, zone: string): string {
  const off = offsetAt(zone, epochMs);
  const local = new Date(epochMs + off * 60_000).toISOString().slice(0, 19);
  if (off === 0 && zone === 'UTC') return `${local}Z`;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
