/**
 * Report settings: probe limits and status thresholds. Defaults here; a config file (`--config`,
 * YAML or JSON, checked by the zod schema below) overrides them, and command-line flags override the
 * file. Per-stack overrides live under `stacks:` in the config file.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from './errors.ts';
import type { Thresholds } from './types.ts';

export interface ProbeSettings {
  /** /health samples per stack (the latency is their median). */
  samples: number;
  /** Stacks probed at once. */
  concurrency: number;
}

export interface ReportSettings extends Thresholds, ProbeSettings {
  /** Per-stack threshold overrides, by exact stack name. */
  stacks: Record<string, Partial<Thresholds>>;
}

export const DEFAULT_SETTINGS: ReportSettings = {
  timeoutMs: 5000,
  slowMs: 1000,
  errorRatePercent: 5,
  minRequests: 20,
  samples: 3,
  concurrency: 64,
  stacks: {},
};

const thresholdShape = {
  timeoutMs: z.number().int().min(50).max(120_000),
  slowMs: z.number().int().min(1).max(120_000),
  errorRatePercent: z.number().min(0).max(100),
  minRequests: z.number().int().min(1).max(1_000_000_000),
};

export const settingsFileSchema = z
  .object({
    ...thresholdShape,
    samples: z.number().int().min(1).max(20),
    concurrency: z.number().int().min(1).max(512),
    stacks: z.record(z.string(), z.object(thresholdShape).partial().strict()),
  })
  .partial()
  .strict();

export type SettingsFile = z.infer<typeof settingsFileSchema>;

/** Parses a settings file's text; throws an Error listing every problem, each with its path. */
export function parseSettingsText(text: string, file: string): SettingsFile {
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new InputError(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = settingsFileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new InputError(`invalid report settings:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

export function loadSettingsFile(path: string): SettingsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`cannot read the settings file ${path} (check the --config path)`);
  }
  return parseSettingsText(text, path);
}

/** Defaults ← file ← flags. */
export function mergeSettings(file: SettingsFile, flags: Partial<ReportSettings>): ReportSettings {
  const out: ReportSettings = { ...DEFAULT_SETTINGS, ...file, ...flags, stacks: { ...(file.stacks ?? {}) } };
  return out;
}

/** The thresholds that apply to one stack. */
export function thresholdsFor(settings: ReportSettings, stack: string): Thresholds {
  const o = settings.stacks[stack] ?? {};
  return {
    timeoutMs: o.timeoutMs ?? settings.timeoutMs,
    slowMs: o.slowMs ?? settings.slowMs,
    errorRatePercent: o.errorRatePercent ?? settings.errorRatePercent,
    minRequests: o.minRequests ?? settings.minRequests,
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `500ms`, `5s`, `2m`, `1h`, or a bare number in `bareUnit`. Returns milliseconds, or null when the
 * text is not a positive duration.
 */
export function parseDuration(text: string, bareUnit: 'ms' | 's'): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? bareUnit];
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : null;
}
