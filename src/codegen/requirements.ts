/**
 * Python dependencies of every generated app, locked with hashes.
 *
 * The source is src/codegen/requirements/app.in (direct pins: fastapi, httpx, pydantic v2, uvicorn and
 * uvicorn's fast extras uvloop + httptools); scripts/lock-python.sh compiles it with
 * `uv pip compile --universal --generate-hashes` into app.txt, the whole dependency set pinned, each
 * package with the sha256 of every file PyPI publishes for it. The generated requirements.txt is that
 * set (minus the fast extras when a project opts out), and every install — the Dockerfile, the test
 * and benchmark virtualenvs, `catalyst dev`, the local target — runs pip with `--require-hashes`.
 * test.txt is app.txt's exact set plus the test tools (pytest, ruff, schemathesis).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'requirements');

export interface LockedRequirement {
  name: string;
  version: string;
  /** PEP 508 environment marker, or null. */
  marker: string | null;
  /** `sha256:<hex>` of every file of this version. */
  hashes: string[];
}

/** uvicorn's fast extras: uvicorn uses them when installed; a project may opt out (`server.fastExtras`). */
export const FAST_EXTRAS = ['httptools', 'uvloop'] as const;
/** Only for apps with JavaScript nodes: V8 embedded (catalyst_runtime/js.py). */
export const JS_EXTRAS = ['mini-racer'] as const;

/** Parse a `uv pip compile --generate-hashes` output (requirement lines with `\` continuations). */
export function parseLock(text: string): LockedRequirement[] {
  const out: LockedRequirement[] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of logical) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line || line.startsWith('-')) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(?:;\s*(.*?))?\s*((?:--hash=\S+\s*)*)$/.exec(line);
    if (!m) throw new Error(`requirements lock: cannot read "${line}"`);
    const hashes = [...m[4].matchAll(/--hash=(sha256:[0-9a-f]{64})/g)].map((h) => h[1]);
    if (hashes.length === 0) throw new Error(`requirements lock: ${m[1]}==${m[2]} has no hashes (recompile with scripts/lock-python.sh)`);
    out.push({ name: m[1].toLowerCase(), version: m[2], marker: m[3]?.trim() || null, hashes });
  }
  return out;
}

let appLock: LockedRequirement[] | undefined;
/** The locked set of app.txt, in file order (sorted by name). */
export function lockedAppRequirements(): LockedRequirement[] {
  appLock ??= parseLock(readFileSync(join(DIR, 'app.txt'), 'utf8'));
  return appLock;
}

/**
 * What a generated app installs: the locked set, without the fast extras when the project opts out and
 * without mini-racer unless a workflow has JavaScript nodes (none of them is a dependency of another).
 */
export function appRequirements(opts: { fastExtras: boolean; usesJs: boolean }): LockedRequirement[] {
  const skip = new Set<string>([...(opts.fastExtras ? [] : FAST_EXTRAS), ...(opts.usesJs ? [] : JS_EXTRAS)]);
  return lockedAppRequirements().filter((r) => !skip.has(r.name));
}

/** One requirement as pip reads it, hashes included (a block of `\`-continued lines). */
export function requirementBlock(r: LockedRequirement): string {
  const head = `${r.name}==${r.version}${r.marker ? ` ; ${r.marker}` : ''}`;
  return [head, ...r.hashes.map((h) => `    --hash=${h}`)].join(' \\\n');
}

export function requirementsText(reqs: readonly LockedRequirement[]): string {
  return reqs.map((r) => `${requirementBlock(r)}\n`).join('');
}

/** The test virtualenv's requirements (test.txt: the app's locked set plus the test tools), hashed; mini-racer only with `js`. */
export function testRequirementsText(opts: { js: boolean }): string {
  const skip = new Set<string>(opts.js ? [] : JS_EXTRAS);
  return requirementsText(parseLock(readFileSync(join(DIR, 'test.txt'), 'utf8')).filter((r) => !skip.has(r.name)));
}
