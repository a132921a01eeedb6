import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/report/sparkline.ts';

describe('sparkline', () => {
  it('is null for an empty series', () => {
    expect(sparkline([])).toBeNull();
  });

  it('scales points into the box, newest at the right, highest at the top', () => {
    const s = sparkline([0, 50, 100], 104, 24);
    expect(s).toEqual({ width: 104, height: 24, lines: ['2,22 52,12 102,2'], downs: [], downPath: '', maxMs: 100, lastMs: 100, count: 3 });
  });

  it('breaks the line at down points and marks them', () => {
    const s = sparkline([10, 20, null, 20, 10], 104, 24);
    expect(s?.lines).toEqual(['2,12 27,2', '77,2 102,12']);
    expect(s?.downs).toEqual([52]);
    expect(s?.downPath).toBe('M52 20v4');
    expect(s?.lastMs).toBe(10);
  });

  it('draws a lone point as a short segment; all-down has no line', () => {
    expect(sparkline([null, 5, null], 104, 24)?.lines).toEqual(['51,2 53,2']);
    expect(sparkline([7])?.lines).toEqual(['59,2 61,2']);
    const down = sparkline([null, null]);
    expect(down?.lines).toEqual([]);
    expect(down?.lastMs).toBeNull();
    expect(down?.maxMs).toBe(0);
  });

  it('is deterministic (whole-pixel coordinates)', () => {
    const series = [1.23456, 9.87654, 3.33333, 7.1];
    expect(JSON.stringify(sparkline(series))).toBe(JSON.stringify(sparkline([...series])));
    for (const line of sparkline(series)?.lines ?? []) expect(line).toMatch(/^(\d+,\d+ ?)+$/);
    expect(sparkline([1, 2, 3], 100, 20)?.lines[0]).toBe('2,13 50,7 98,2');
  });
});
