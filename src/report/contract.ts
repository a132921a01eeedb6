/**
 * Reads one stack's outputs (docs/contracts.md §1) through an allowlist.
 *
 * Redaction rule: the report only ever reads the contract's known fields, each checked against its
 * type and a conservative pattern; anything else in the outputs object is ignored, and URLs lose
 * their userinfo (`user:password@`). A value planted in an unknown field (or a URL credential) can
 * therefore never reach report.json, index.html, report.md, the history file or the terminal.
 */
import type { RouteInfo, StackInfo, WorkflowInfo } from './types.ts';
import { isTargetName } from '../contracts/targets.ts';
import { InputError } from './errors.ts';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const IDENT_RE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
const HEX_RE = /^[0-9a-f]{7,64}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,299}$/;
const PATH_RE = /^\/[A-Za-z0-9_.~{}:/-]{0,199}$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function str(v: unknown, re: RegExp): string | null {
  return typeof v === 'string' && re.test(v) ? v : null;
}

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

/** The base URL without a trailing slash (the contract's form). */
function baseUrl(v: unknown): string | null {
  const u = safeUrl(v);
  return u === null ? null : u.replace(/\/+$/, '');
}

function routes(v: unknown): RouteInfo[] {
  if (!Array.isArray(v)) return [];
  const out: RouteInfo[] = [];
  for (const r of v) {
    if (typeof r !== 'object' || r === null) continue;
    const o = r as Record<string, unknown>;
    const workflow = str(o.workflow, NAME_RE);
    const method = typeof o.method === 'string' && METHODS.has(o.method.toUpperCase()) ? o.method.toUpperCase() : null;
    const path = str(o.path, PATH_RE);
    if (workflow && method && path) out.push({ workflow, method, path });
  }
  return out.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1));
}

function workflows(v: unknown): WorkflowInfo[] {
  if (!Array.isArray(v)) return [];
  const out: WorkflowInfo[] = [];
  for (const w of v) {
    if (typeof w !== 'object' || w === null) continue;
    const o = w as Record<string, unknown>;
    const name = str(o.name, NAME_RE);
    const visibility = o.visibility === 'public' || o.visibility === 'internal' ? o.visibility : null;
    if (name && visibility) out.push({ name, visibility });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Splits `<project>.<env>` (the env is the part after the last dot). */
export function splitStackName(name: string): { project: string; env: string } {
  const i = name.lastIndexOf('.');
  return i <= 0 ? { project: name, env: '' } : { project: name.slice(0, i), env: name.slice(i + 1) };
}

/** True when `name` is a usable stack name (used for `--stack` and outputs-file keys). */
export function isStackName(name: string): boolean {
  return NAME_RE.test(name);
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
  const o = raw as Record<string, unknown>;
  const fromName = splitStackName(name);
  const url = baseUrl(o.url);
  const v = typeof o.version === 'object' && o.version !== null ? (o.version as Record<string, unknown>) : {};
  const info: StackInfo = {
    name,
    project: str(o.project, NAME_RE) ?? fromName.project,
    env: str(o.env, NAME_RE) ?? fromName.env,
    target: isTargetName(o.target) ? o.target : null,
    region: str(o.region, IDENT_RE),
    url,
    healthUrl: safeUrl(o.healthUrl) ?? (url ? `${url}/health` : null),
    consoleUrl: safeUrl(o.consoleUrl),
    logsUrl: safeUrl(o.logsUrl),
    imageRef: str(o.imageRef, IMAGE_RE),
    imageDigest: str(o.imageDigest, DIGEST_RE),
    contentHash: str(o.contentHash, HEX_RE),
    uptimeCheckId: str(o.uptimeCheckId, IDENT_RE),
    version: {
      commit: str(v.commit, HEX_RE),
      branch: str(v.branch, IDENT_RE),
      dirty: typeof v.dirty === 'boolean' ? v.dirty : null,
    },
    workflows: workflows(o.workflows),
    publicRoutes: routes(o.publicRoutes),
    problem: null,
  };
  if (!url) info.problem = 'stack outputs have no valid `url` (http or https)';
  return info;
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
