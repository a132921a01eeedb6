/**
 * Reads one stack's outputs (docs/contracts.md §1) through the contract (src/contracts/outputs.ts).
 *
 * Redaction rule: the report only ever reads the contract's known fields, each checked against the
 * contract's schema and its conservative patterns (readOutputFields); anything else in the outputs
 * object is ignored, and URLs lose their userinfo (`user:password@`) before they are checked. A value
 * planted in an unknown field (or a URL credential) can therefore never reach report.json,
 * index.html, report.md, the history file or the terminal.
 */
import { baseUrl, OUTPUT_KEYS, OUTPUT_PATTERNS, readOutputFields } from '../contracts/outputs.ts';
import { InputError } from './errors.ts';
import type { StackInfo } from './types.ts';

/** An http(s) URL with userinfo removed, or null. Never returns a `javascript:` (or other) URL. */
export function safeUrl(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 2000) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.username = '';
  u.password = '';
  return u.href;
}

/** A route entry's three fields, the method upper-cased; anything else is left for the contract to refuse. */
function route(r: unknown): unknown {
  if (typeof r !== 'object' || r === null) return r;
  const o = r as Record<string, unknown>;
  return { workflow: o.workflow, method: typeof o.method === 'string' ? o.method.toUpperCase() : o.method, path: o.path };
}

function workflow(w: unknown): unknown {
  if (typeof w !== 'object' || w === null) return w;
  const o = w as Record<string, unknown>;
  return { name: o.name, visibility: o.visibility };
}

/**
 * The contract's keys of an outputs object as the report accepts them: URLs without userinfo (the base
 * URL also without trailing slashes), methods in upper case, list entries reduced to their fields.
 */
function normalized(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(OUTPUT_KEYS.map((k) => [k, o[k]]));
  const url = safeUrl(o.url);
  out.url = url === null ? null : baseUrl(url);
  for (const k of ['healthUrl', 'consoleUrl', 'logsUrl'] as const) out[k] = safeUrl(o[k]);
  out.publicRoutes = Array.isArray(o.publicRoutes) ? o.publicRoutes.map(route) : o.publicRoutes;
  out.workflows = Array.isArray(o.workflows) ? o.workflows.map(workflow) : o.workflows;
  return out;
}

/** Splits `<project>.<env>` (the env is the part after the last dot). */
export function splitStackName(name: string): { project: string; env: string } {
  const i = name.lastIndexOf('.');
  return i <= 0 ? { project: name, env: '' } : { project: name.slice(0, i), env: name.slice(i + 1) };
}

/** True when `name` is a usable stack name (used for `--stack` and outputs-file keys). */
export function isStackName(name: string): boolean {
  return OUTPUT_PATTERNS.name.test(name);
}

/** A StackInfo for a stack whose outputs could not be read. */
export function emptyStack(name: string, problem: string): StackInfo {
  const { project, env } = splitStackName(name);
  return {
    name,
    project,
    env,
    target: null,
    region: null,
    url: null,
    healthUrl: null,
    consoleUrl: null,
    logsUrl: null,
    imageRef: null,
    imageDigest: null,
    contentHash: null,
    uptimeCheckId: null,
    version: { commit: null, branch: null, dirty: null },
    workflows: [],
    publicRoutes: [],
    problem,
  };
}

/** Reads the contract fields of one stack's outputs object. */
export function readStackOutputs(name: string, raw: unknown): StackInfo {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return emptyStack(name, 'stack outputs are not an object');
  }
  const f = readOutputFields(normalized(raw as Record<string, unknown>));
  const fromName = splitStackName(name);
  return {
    name,
    project: f.project ?? fromName.project,
    env: f.env ?? fromName.env,
    target: f.target,
    region: f.region,
    url: f.url,
    healthUrl: f.healthUrl ?? (f.url ? `${f.url}/health` : null),
    consoleUrl: f.consoleUrl,
    logsUrl: f.logsUrl,
    imageRef: f.imageRef,
    imageDigest: f.imageDigest,
    contentHash: f.contentHash,
    uptimeCheckId: f.uptimeCheckId,
    version: f.version,
    workflows: f.workflows,
    publicRoutes: f.publicRoutes,
    problem: f.url ? null : 'stack outputs have no valid `url` (http or https)',
  };
}

/** Reads the `{ "<stack>": <outputs> }` object of `--outputs <file.json>`. */
export function readOutputsMap(data: unknown): StackInfo[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError('the outputs file must hold an object mapping each stack name to its outputs object');
  }
  const names = Object.keys(data).sort();
  const bad = names.filter((n) => !isStackName(n));
  if (bad.length) throw new InputError(`invalid stack name(s) in the outputs file: ${bad.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}`);
  return names.map((n) => readStackOutputs(n, (data as Record<string, unknown>)[n]));
}
