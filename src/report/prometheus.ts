/**
 * Sample lines of the Prometheus text exposition format (version 0.0.4), for the report's counters
 * (./metrics.ts) and the dashboard's per-workflow figures (./workflow-metrics.ts) alike.
 */

/** One sample of the text format: the metric name, the raw label set (between the braces) and the value. */
export interface Sample {
  name: string;
  /** The text between `{` and `}` (see workflow-metrics.ts `parseLabels`); null without a label set. */
  labels: string | null;
  value: number;
}

/** One sample line → its {@link Sample}, or null for comments, blanks and malformed lines. */
export function parseSample(line: string): Sample | null {
  const s = line.trim();
  if (s === '' || s.startsWith('#')) return null;
  const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(s);
  if (!m) return null;
  const name = m[0];
  let i = name.length;
  let labels: string | null = null;
  if (s[i] === '{') {
    // Skip the label set, honouring quoted values that may contain `}` or escaped quotes.
    let inQuote = false;
    for (i = i + 1; i < s.length; i++) {
      const c = s[i];
      if (inQuote) {
        if (c === '\\') i++;
        else if (c === '"') inQuote = false;
      } else if (c === '"') inQuote = true;
      else if (c === '}') break;
    }
    if (i >= s.length) return null;
    labels = s.slice(name.length + 1, i);
    i++;
  }
  const rest = s.slice(i).trim().split(/\s+/);
  const raw = rest[0];
  if (!raw) return null;
  const value = parseValue(raw);
  return value === null ? null : { name, labels, value };
}

/** A sample value (or an `le` bound): a number, `+Inf` or `-Inf`; null for anything else. */
export function parseValue(raw: string): number | null {
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
  return Number.isNaN(value) ? null : value;
}
