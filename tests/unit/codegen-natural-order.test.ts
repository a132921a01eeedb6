import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../src/codegen/names.ts';

describe('naturalCompare (the order ruff\'s isort wants for generated imports)', () => {
  it('orders digit runs by value, and runs with a leading zero digit by digit', () => {
    const names = ['wf_1051_a', 'wf_3_3_b', 'wf_0924_c', 'wf_0121_d', 'upload', 'wf_10', 'wf_9'];
    expect([...names].sort(naturalCompare)).toEqual(['upload', 'wf_0121_d', 'wf_0924_c', 'wf_3_3_b', 'wf_9', 'wf_10', 'wf_1051_a']);
  });
  it('is a total order consistent with equality', () => {
    expect(naturalCompare('a', 'a')).toBe(0);
    expect(Math.sign(naturalCompare('a1', 'a01'))).toBe(-Math.sign(naturalCompare('a01', 'a1')));
    expect(naturalCompare('ab', 'a')).toBeGreaterThan(0);
  });
});
