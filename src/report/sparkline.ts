/**
 * Response-time sparkline as data for an inline SVG: polyline point lists (one per run of points
 * with a latency; a down point breaks the line) and a path marking down points. Coordinates are
 * whole pixels, so the same series always gives the same text.
 */

export interface Sparkline {
  width: number;
  height: number;
  /** `points` attribute values, one per unbroken run. */
  lines: string[];
  /** x positions of down points (drawn as marks on the baseline). */
  downs: number[];
  /** One SVG path drawing a short mark at each down point ('' when none). */
  downPath: string;
  /** Highest latency shown (ms), for the label. */
  maxMs: number;
  /** Newest latency (ms), null when down or empty. */
  lastMs: number | null;
  count: number;
}

function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Coordinates are whole pixels: plenty for a 120×28 box, and small markup for 300 cards. */
function px(n: number): number {
  return Math.round(n);
}

function widen(point: string): string {
  const [cx, cy] = point.split(',').map(Number);
  return `${cx - 1},${cy} ${cx + 1},${cy}`;
}

export function sparkline(series: readonly (number | null)[], width = 120, height = 28): Sparkline | null {
  if (series.length === 0) return null;
  const values = series.filter((v): v is number => v !== null);
  const maxMs = values.length ? Math.max(...values) : 0;
  const pad = 2;
  const innerH = height - 2 * pad;
  const step = series.length > 1 ? (width - 2 * pad) / (series.length - 1) : 0;
  const x = (i: number) => px(series.length > 1 ? pad + i * step : width / 2);
  const y = (v: number) => px(maxMs > 0 ? pad + innerH - (v / maxMs) * innerH : pad + innerH);
  const lines: string[] = [];
  const downs: number[] = [];
  let run: string[] = [];
  series.forEach((v, i) => {
    if (v === null) {
      downs.push(x(i));
      if (run.length) lines.push(run.join(' '));
      run = [];
      return;
    }
    run.push(`${x(i)},${y(v)}`);
  });
  if (run.length) lines.push(run.join(' '));
  // A single point is drawn as a tiny horizontal segment so it stays visible.
  const visible = lines.map((l) => (l.includes(' ') ? l : widen(l)));
  const last = series[series.length - 1];
  const downPath = downs.map((dx) => `M${dx} ${height - 4}v4`).join('');
  return { width, height, lines: visible, downs, downPath, maxMs: r1(maxMs), lastMs: last === null ? null : r1(last), count: series.length };
}
