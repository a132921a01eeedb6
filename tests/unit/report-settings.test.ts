import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSettingsFile, mergeSettings, parseDuration, parseSettingsText, thresholdsFor } from '../../src/report/settings.ts';
import { tempDir } from '../integration/report-helpers.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 'ms', 500],
    ['5s', 'ms', 5000],
    ['1.5s', 'ms', 1500],
    ['2m', 's', 120_000],
    ['1h', 's', 3_600_000],
    ['250', 'ms', 250],
    ['60', 's', 60_000],
    [' 7s ', 'ms', 7000],
  ] as const)('%s (bare %s) → %d', (text, unit, ms) => {
    expect(parseDuration(text, unit)).toBe(ms);
  });
  it.each(['', 'fast', '-5s', '0', '5 s', '5d', '1e3'])('rejects %j', (text) => {
    expect(parseDuration(text, 'ms')).toBeNull();
  });
});

describe('settings file', () => {
  it('YAML and JSON; flags override the file; per-stack overrides', () => {
    const yaml = parseSettingsText('timeoutMs: 2000\nslowMs: 300\nstacks:\n  big.prod:\n    slowMs: 900\n', 'report.yaml');
    const s = mergeSettings(yaml, { slowMs: 400 });
    expect(s).toMatchObject({ timeoutMs: 2000, slowMs: 400, samples: DEFAULT_SETTINGS.samples });
    expect(thresholdsFor(s, 'big.prod')).toEqual({ timeoutMs: 2000, slowMs: 900, errorRatePercent: 5, minRequests: 20 });
    expect(thresholdsFor(s, 'other.prod').slowMs).toBe(400);
    expect(parseSettingsText('{"samples": 5}', 'r.json')).toEqual({ samples: 5 });
    expect(parseSettingsText('', 'empty.yaml')).toEqual({});
  });

  it('lists every problem with its path', () => {
    let message = '';
    try {
      parseSettingsText('timeoutMs: fast\nsamples: 0\nbogus: 1\nstacks:\n  a.prod:\n    slowMs: -1\n', 'r.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('r.yaml: timeoutMs:');
    expect(message).toContain('r.yaml: samples:');
    expect(message).toContain('r.yaml: stacks.a.prod.slowMs:');
    expect(message).toContain('bogus');
  });

  it('reports unreadable or unparsable files', () => {
    const dir = tempDir();
    expect(() => loadSettingsFile(join(dir, 'missing.yaml'))).toThrow(/cannot read the settings file/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => loadSettingsFile(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'bad.yaml'), 'a: [');
    expect(() => loadSettingsFile(join(dir, 'bad.yaml'))).toThrow(/not valid YAML/);
    writeFileSync(join(dir, 'ok.yaml'), 'concurrency: 4\n');
    expect(loadSettingsFile(join(dir, 'ok.yaml'))).toEqual({ concurrency: 4 });
  });
});
