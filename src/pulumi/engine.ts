/**
 * Which Pulumi engine Catalyst runs, and whether the offline settings apply (docs/engine.md, "Which
 * engine"). On a user's machine: the `pulumi` on PATH when it is at least MIN_PULUMI_VERSION and has
 * the Node.js language host beside it; the user's PULUMI_HOME and plugin acquisition are left alone.
 * The engine built from Go by scripts/setup-engine.sh (.tools/pulumi/bin) is the fallback for machines
 * where Pulumi's installer is unreachable; with it (or with CATALYST_OFFLINE=1) the offline settings
 * apply: no automatic plugin download and a repo-local PULUMI_HOME.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../shared/errors.ts';

/** A Pulumi CLI call failed or could not be made (no CLI, a failed command, output it could not read). */
export class PulumiError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PulumiError';
  }
}

const PACKAGE_JSON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');

/** The @pulumi/pulumi version package.json pins: the SDK the program imports. */
export const PULUMI_VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { dependencies: Record<string, string> }).dependencies['@pulumi/pulumi'];

/**
 * The oldest `pulumi` CLI Catalyst uses: the SDK's version (an engine older than the SDK it runs is not
 * supported by Pulumi). No upper bound: newer engines run older SDKs; versions above the one built and
 * tested here (PULUMI_VERSION) are untested.
 */
export const MIN_PULUMI_VERSION = PULUMI_VERSION;

/** How a user gets Pulumi: its installer, at the pinned version. */
export const INSTALL_HINT = `install Pulumi with its installer: curl -fsSL https://get.pulumi.com | sh -s -- --version ${PULUMI_VERSION} (https://www.pulumi.com/docs/install/); on machines that cannot reach it, build the engine from Go: bash scripts/setup-engine.sh`;

export interface Engine {
  /** The `pulumi` binary. */
  binary: string;
  /** `path`: a Pulumi installation found on PATH; `built`: the one scripts/setup-engine.sh built. */
  kind: 'path' | 'built';
  /** e.g. 3.276.0 (without the v); unknown for the built engine until asked. */
  version?: string;
  /** Offline settings on (CATALYST_OFFLINE=1, or by default with the built engine). */
  offline: boolean;
  /** Why the offline settings are on (for the notice), when they are. */
  offlineReason?: string;
  /** PATH entries skipped and why (too old, no language host). */
  skipped: string[];
}

/** The engine scripts/setup-engine.sh builds (a regular file, never a link to another installation). */
export function builtEngine(repo: string): string | undefined {
  const bin = join(repo, '.tools', 'pulumi', 'bin', 'pulumi');
  try {
    return lstatSync(bin).isFile() ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** -1, 0 or 1 comparing dotted versions (a leading v and any -suffix ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split(/[-+]/)[0].split('.').map((n) => Number(n) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  }
  return 0;
}

/** What `pulumi version` prints, without the v; undefined when it does not run. Injectable for tests. */
export const versionProbe = {
  read(binary: string): string | undefined {
    try {
      const out = execFileSync(binary, ['version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true' } });
      const m = /v?(\d+\.\d+\.\d+\S*)/.exec(out);
      return m ? m[1] : undefined;
    } catch {
      return undefined;
    }
  },
};

function same(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

const cache = new Map<string, Engine>();

/**
 * The engine for `repo` under environment `env`. Throws (with how to install Pulumi) when there is
 * none. CATALYST_OFFLINE=1 turns the offline settings on with any engine, CATALYST_OFFLINE=0 off
 * (also with the built engine: that is how a test lets the built engine download plugins).
 */
export function resolveEngine(repo: string, env: NodeJS.ProcessEnv = process.env): Engine {
  const key = [repo, env.PATH, env.CATALYST_OFFLINE].join('\0');
  const hit = cache.get(key);
  if (hit) return hit;
  const built = builtEngine(repo);
  const skipped: string[] = [];
  let found: Engine | undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const bin = dir && join(dir, 'pulumi');
    if (!bin || !existsSync(bin)) continue;
    if (built && same(bin, built)) {
      found = { binary: built, kind: 'built', offline: true, skipped };
      break;
    }
    const version = versionProbe.read(bin);
    if (!version) {
      skipped.push(`${bin} (\`pulumi version\` failed)`);
      continue;
    }
    if (compareVersions(version, MIN_PULUMI_VERSION) < 0) {
      skipped.push(`${bin} (v${version}, older than the v${MIN_PULUMI_VERSION} Catalyst needs)`);
      continue;
    }
    if (!existsSync(join(dirname(bin), 'pulumi-language-nodejs'))) {
      skipped.push(`${bin} (v${version}, but no pulumi-language-nodejs beside it: reinstall Pulumi with its installer)`);
      continue;
    }
    found = { binary: bin, kind: 'path', version, offline: false, skipped };
    break;
  }
  if (!found && built) found = { binary: built, kind: 'built', offline: true, skipped };
  if (!found) {
    const why = skipped.length ? `no usable Pulumi CLI: skipped ${skipped.join('; ')}` : 'the Pulumi CLI was not found on PATH';
    throw new PulumiError(`${why}; Catalyst needs pulumi v${MIN_PULUMI_VERSION} or newer: ${INSTALL_HINT}`);
  }
  if (env.CATALYST_OFFLINE === '1') {
    found.offline = true;
    found.offlineReason = 'CATALYST_OFFLINE=1';
  } else if (env.CATALYST_OFFLINE === '0') {
    found.offline = false;
  } else if (found.kind === 'built') {
    found.offlineReason = 'the engine in use is the one scripts/setup-engine.sh built';
  } else {
    found.offline = false;
  }
  cache.set(key, found);
  return found;
}

/** `resolveEngine`, or undefined when there is no engine (for callers that only need the settings). */
export function tryResolveEngine(repo: string, env: NodeJS.ProcessEnv = process.env): Engine | undefined {
  try {
    return resolveEngine(repo, env);
  } catch {
    return undefined;
  }
}

/** Forget cached engine look-ups (tests that change PATH or the built engine). */
export function clearEngineCache(): void {
  cache.clear();
}

/** Whether the offline settings apply, also when there is no engine (CATALYST_OFFLINE=1 still counts). */
export function offlineSettings(repo: string, env: NodeJS.ProcessEnv): boolean {
  if (env.CATALYST_OFFLINE === '1') return true;
  if (env.CATALYST_OFFLINE === '0') return false;
  return tryResolveEngine(repo, env)?.offline ?? false;
}

/** The line Catalyst prints when the offline settings are on; undefined when they are off. */
export function offlineNotice(repo: string, engine: Engine, env: NodeJS.ProcessEnv): string | undefined {
  if (!engine.offline) return undefined;
  const rel = (p: string) => (relative(repo, p).startsWith('..') ? p : relative(repo, p));
  return (
    `catalyst: offline settings on (${engine.offlineReason ?? 'CATALYST_OFFLINE=1'}): Pulumi downloads no plugins ` +
    `(PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true) and keeps them in PULUMI_HOME=${rel(env.PULUMI_HOME || join(repo, '.tools', 'pulumi-home'))}; ` +
    `engine ${rel(engine.binary)}. See docs/engine.md ("Offline settings").\n`
  );
}
