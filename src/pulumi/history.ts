/**
 * The deployments of a stack: `pulumi stack history --json` (one entry per update, with the git commit
 * Pulumi records in the update's environment: `git.head`, `git.dirty`, `git.headName`) joined with the
 * stack outputs each update left behind (image ref/digest, content hash, version), read from:
 *
 * - the file backend's checkpoints: `<backend>/.pulumi/history/<project>/<stack>/<stack>-<ns>.checkpoint.json`
 *   is a copy of the state written next to `<stack>-<ns>.history.json` when the update finished;
 * - other backends: `pulumi stack export --version <n>` (Pulumi Cloud keeps every version);
 * - failing both, the newest update gets the current `pulumi stack output --json`.
 *
 * Secret values are never read: config values marked secret and secret outputs are skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { fileBackendDir, PulumiError, type PulumiRunner } from './pulumi.ts';
import { firstLine } from '../shared/text.ts';

/** Pulumi's marker for a secret value in state and exports. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const HEX_RE = /^[0-9a-f]{7,64}$/;
const WORD_RE = /^[a-z][a-z-]{0,30}$/;
const SHA256_RE = /^sha256:[0-9a-f]{64}$/;
const AUTHOR_RE = /^[\p{L}\p{N}][\p{L}\p{N} .'_-]{0,79}$/u;

export interface DeployedVersion {
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
}

/** The stack outputs Catalyst reads back from a deployment (see docs/contracts.md). */
export interface DeployedOutputs {
  target: string | null;
  imageRef: string | null;
  imageDigest: string | null;
  contentHash: string | null;
  version: DeployedVersion | null;
  /** Set by a `catalyst rollback` run (see docs/gitops.md); null otherwise. */
  rolledBackFrom: Record<string, unknown> | null;
}

export interface Deployment {
  /** The stack version after this update (Pulumi's update number, 1, 2, …). */
  stackVersion: number | null;
  /** update | refresh | destroy | import | … */
  kind: string;
  /** succeeded | failed | in-progress | … */
  result: string;
  startTime: string | null;
  endTime: string | null;
  resourceChanges: Record<string, number>;
  /** Git state Pulumi recorded for the update (of the directory `pulumi up` ran in). */
  git: DeployedVersion;
  /** The commit's author as Pulumi recorded it (`git.author`), letters, digits and simple punctuation only. */
  author?: string | null;
  /** `catalyst:imageOverride` used by this update (a rollback), else null. */
  imageOverride: string | null;
  /** The outputs this update left, when recorded. */
  outputs: DeployedOutputs | null;
}

export type SnapshotSource = 'checkpoints' | 'export' | 'current' | 'none';

export interface DeploymentList {
  stack: string;
  /** Newest first. */
  deployments: Deployment[];
  /** Where the per-deployment outputs came from. */
  snapshots: SnapshotSource;
  /** Things that could not be read (shown to the user, never fatal). */
  warnings: string[];
}

function isoOrNull(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(SECRET_SIG in v) ? (v as Record<string, unknown>) : null;
}

/** One `pulumi stack history --json` array → deployments (outputs not yet joined), newest first. */
export function parseHistory(data: unknown): Deployment[] {
  if (!Array.isArray(data)) throw new PulumiError('unexpected `pulumi stack history --json` output: expected a JSON array of updates');
  const out: Deployment[] = [];
  for (const u of data) {
    const o = obj(u);
    if (!o) continue;
    const env = obj(o.environment) ?? {};
    const changes: Record<string, number> = {};
    for (const [op, n] of Object.entries(obj(o.resourceChanges) ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (WORD_RE.test(op) && typeof n === 'number' && Number.isInteger(n) && n >= 0) changes[op] = n;
    }
    const head = typeof env['git.head'] === 'string' ? env['git.head'].toLowerCase() : '';
    const headName = str(env['git.headName']);
    const override = obj(obj(o.config)?.['catalyst:imageOverride']);
    out.push({
      // Self-managed (DIY) backends record no version: every entry says 0. See fileUpdates.
      stackVersion: typeof o.version === 'number' && Number.isInteger(o.version) && o.version > 0 ? o.version : null,
      kind: typeof o.kind === 'string' && WORD_RE.test(o.kind) ? o.kind : 'unknown',
      result: typeof o.result === 'string' && WORD_RE.test(o.result) ? o.result : 'in-progress',
      startTime: isoOrNull(o.startTime),
      endTime: isoOrNull(o.endTime),
      resourceChanges: changes,
      git: {
        commit: HEX_RE.test(head) ? head : null,
        branch: headName ? headName.replace(/^refs\/heads\//, '') : null,
        dirty: env['git.dirty'] === 'true' ? true : env['git.dirty'] === 'false' ? false : null,
      },
      author: typeof env['git.author'] === 'string' && AUTHOR_RE.test(env['git.author']) ? env['git.author'] : null,
      imageOverride: override && override.secret !== true ? str(override.value) : null,
      outputs: null,
    });
  }
  const t = (d: Deployment) => (d.startTime ? Date.parse(d.startTime) : 0);
  return out.sort((a, b) => (b.stackVersion ?? 0) - (a.stackVersion ?? 0) || t(b) - t(a));
}

/** Catalyst's outputs from a stack outputs object (`pulumi stack output --json` or the Stack resource). */
export function pickOutputs(outputs: unknown): DeployedOutputs | null {
  const o = obj(outputs);
  if (!o) return null;
  const v = obj(o.version);
  const digest = str(o.imageDigest);
  return {
    target: str(o.target),
    imageRef: str(o.imageRef),
    imageDigest: digest && SHA256_RE.test(digest) ? digest : null,
    contentHash: str(o.contentHash),
    version: v
      ? {
          commit: typeof v.commit === 'string' && HEX_RE.test(v.commit.toLowerCase()) ? v.commit.toLowerCase() : null,
          branch: str(v.branch),
          dirty: typeof v.dirty === 'boolean' ? v.dirty : null,
        }
      : null,
    rolledBackFrom: obj(o.rolledBackFrom),
  };
}

/** The root Stack resource's outputs in a checkpoint file or a `pulumi stack export` document. */
export function stackOutputsOf(doc: unknown): Record<string, unknown> | null {
  const d = obj(doc);
  if (!d) return null;
  const deployment = obj(d.deployment) ?? obj(obj(d.checkpoint)?.latest);
  const resources = deployment?.resources;
  if (!Array.isArray(resources)) return null;
  const root = resources.map(obj).find((r) => r?.type === 'pulumi:pulumi:Stack' && r.parent === undefined) ?? resources.map(obj).find((r) => r?.type === 'pulumi:pulumi:Stack');
  return obj(root?.outputs);
}

/** A Pulumi state file (checkpoint or history), plain, .gz or .zst. */
export function readMaybeCompressed(file: string): unknown {
  let buf = readFileSync(file);
  if (file.endsWith('.gz')) buf = gunzipSync(buf);
  else if (file.endsWith('.zst')) buf = zstdDecompressSync(buf);
  return JSON.parse(buf.toString('utf8')) as unknown;
}

/** The Pulumi project name from Pulumi.yaml, or null. */
export function pulumiProjectName(repo: string): string | null {
  for (const f of ['Pulumi.yaml', 'Pulumi.yml']) {
    const file = join(repo, f);
    if (!existsSync(file)) continue;
    try {
      const y = obj(parseYaml(readFileSync(file, 'utf8')));
      return str(y?.name);
    } catch {
      return null;
    }
  }
  return null;
}

const HISTORY_FILE_RE = /^(.*)\.history\.json(\.gz|\.zst)?$/;

/** One update of a stack in a file backend: its history file and the checkpoint written with it. */
export interface FileUpdate {
  /** The stack version: the one recorded, else the update's position (1 = the first update). */
  version: number;
  /** Start time (Unix seconds) from the history file, to pair it with `pulumi stack history`. */
  startTime: number | null;
  /** The checkpoint file (the state the update left), or null. */
  checkpoint: string | null;
}

/** `<stack>-<unix nanoseconds>` of a history file name → that number (files sort by it), else null. */
function stampOf(base: string): bigint | null {
  const m = /-(\d{1,30})$/.exec(base);
  return m ? BigInt(m[1]) : null;
}

/**
 * The updates of one stack in a file backend, oldest first. Pulumi's self-managed backends write a
 * history file per update (`<stack>-<unix ns>.history.json`) but record `version: 0` in all of them
 * (and in `pulumi stack history --json`), so an update's version is its position in time, which is
 * the number Pulumi Cloud would have given it. A version recorded in the file wins.
 */
export function fileUpdates(root: string, stack: string, project: string | null): FileUpdate[] {
  const base = join(root, '.pulumi', 'history');
  const candidates: string[] = [];
  if (project) candidates.push(join(base, project, stack));
  candidates.push(join(base, stack));
  if (existsSync(base)) {
    for (const p of readdirSync(base).sort()) {
      const d = join(base, p, stack);
      if (!candidates.includes(d)) candidates.push(d);
    }
  }
  const dir = candidates.find((d) => existsSync(d) && statSync(d).isDirectory());
  if (!dir) return [];
  const files = readdirSync(dir).sort();
  const history = files
    .map((f) => ({ f, m: HISTORY_FILE_RE.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ ...x, stamp: stampOf(x.m[1]) }))
    .sort((a, b) => (a.stamp !== null && b.stamp !== null ? (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0) : a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
  return history.map(({ f, m }, i) => {
    const cp = files.find((c) => c === `${m[1]}.checkpoint.json${m[2] ?? ''}`) ?? files.find((c) => c.startsWith(`${m[1]}.checkpoint.json`));
    let recorded: number | null = null;
    let startTime: number | null = null;
    try {
      const h = obj(readMaybeCompressed(join(dir, f)));
      if (typeof h?.version === 'number' && Number.isInteger(h.version) && h.version > 0) recorded = h.version;
      if (typeof h?.startTime === 'number' && Number.isFinite(h.startTime)) startTime = Math.floor(h.startTime);
    } catch {
      // an unreadable history file: still an update (it counts), without a start time
    }
    return { version: recorded ?? i + 1, startTime, checkpoint: cp ? join(dir, cp) : null };
  });
}

/** Checkpoint files of one stack in a file backend, by stack version (see fileUpdates). */
export function fileCheckpoints(root: string, stack: string, project: string | null): Map<number, string> {
  const found = new Map<number, string>();
  for (const u of fileUpdates(root, stack, project)) if (u.checkpoint && !found.has(u.version)) found.set(u.version, u.checkpoint);
  return found;
}

export interface PulumiAccess {
  runner: PulumiRunner;
  /** Repository (the Pulumi program directory). */
  repo: string;
  /** Environment for pulumi (see pulumiEnv). */
  env: NodeJS.ProcessEnv;
}


export async function pulumiJson(p: PulumiAccess, args: string[]): Promise<unknown> {
  const r = await p.runner([...args, '--non-interactive'], { cwd: p.repo, env: p.env });
  if (r.code !== 0) throw new PulumiError(`pulumi ${args.slice(0, 2).join(' ')} failed: ${firstLine(r.stderr || r.stdout, { empty: 'no error output' })}`);
  try {
    return JSON.parse(r.stdout) as unknown;
  } catch {
    throw new PulumiError(`pulumi ${args.slice(0, 2).join(' ')} printed no JSON`);
  }
}

/** `pulumi stack output --json`, or null when the stack has no outputs yet / cannot be read. */
export async function currentOutputs(p: PulumiAccess, stack: string): Promise<DeployedOutputs | null> {
  try {
    return pickOutputs(await pulumiJson(p, ['stack', 'output', '--json', '--stack', stack]));
  } catch {
    return null;
  }
}

export interface LoadOptions {
  /** At most this many updates, newest first (default 20). */
  limit?: number;
  /** Skip reading per-deployment outputs (faster on Pulumi Cloud). */
  outputs?: boolean;
}

/** The deployments of a stack, newest first, with the outputs each left when recorded. */
export async function loadDeployments(p: PulumiAccess, stack: string, opts: LoadOptions = {}): Promise<DeploymentList> {
  const limit = opts.limit ?? 20;
  const data = await pulumiJson(p, ['stack', 'history', '--json', '--stack', stack, '--page-size', String(limit)]);
  const deployments = parseHistory(data).slice(0, limit);
  const list: DeploymentList = { stack, deployments, snapshots: 'none', warnings: [] };
  if (opts.outputs === false || deployments.length === 0) return list;
  const root = fileBackendDir(p.env.PULUMI_BACKEND_URL, p.repo) ?? null;
  if (root) {
    const updates = fileUpdates(root, stack, pulumiProjectName(p.repo));
    const paired = new Set<FileUpdate>();
    for (const d of deployments) {
      // Pulumi numbers the updates of a file backend 0: pair them with the files by start time.
      const start = d.startTime ? Math.floor(Date.parse(d.startTime) / 1000) : null;
      const u = d.stackVersion !== null ? updates.find((x) => x.version === d.stackVersion) : updates.findLast((x) => !paired.has(x) && x.startTime !== null && x.startTime === start);
      if (!u) continue;
      paired.add(u);
      d.stackVersion = u.version;
      const file = u.checkpoint;
      if (!file) continue;
      try {
        d.outputs = pickOutputs(stackOutputsOf(readMaybeCompressed(file)));
        list.snapshots = 'checkpoints';
      } catch (e) {
        list.warnings.push(`cannot read the checkpoint of version ${d.stackVersion}: ${(e as Error).message}`);
      }
    }
  } else {
    for (const d of deployments) {
      if (d.stackVersion === null || !isSuccessfulUpdate(d)) continue;
      try {
        d.outputs = pickOutputs(stackOutputsOf(await pulumiJson(p, ['stack', 'export', '--stack', stack, '--version', String(d.stackVersion)])));
        list.snapshots = 'export';
      } catch (e) {
        const message = (e as Error).message;
        if (/does not provide the ability to export previous deployments/.test(message)) {
          list.warnings.push(`outputs of earlier versions are unavailable: ${message}`);
          break;
        }
        list.warnings.push(`outputs of version ${d.stackVersion} are unavailable: ${message}`);
      }
    }
  }
  // The current outputs are those of the newest successful update (later refreshes keep them).
  const newest = deployments.find(isSuccessfulUpdate);
  if (list.snapshots === 'none' && newest && !newest.outputs) {
    newest.outputs = await currentOutputs(p, stack);
    if (newest.outputs) list.snapshots = 'current';
  }
  return list;
}

/** A successful `pulumi up` (the only kind of update that deploys something to roll back to). */
export function isSuccessfulUpdate(d: Deployment): boolean {
  return d.kind === 'update' && d.result === 'succeeded';
}

/** The commit a deployment runs: the recorded `version` output, else the commit Pulumi saw. */
export function deployedCommit(d: Deployment): string | null {
  return d.outputs?.version?.commit ?? d.git.commit;
}

/**
 * An image reference pinned by digest when the digest is known: `repo@sha256:…`. Except for the
 * `docker` target: its image is only loaded into the local engine (never pushed), where a
 * `repo@sha256:…` reference does not resolve; its `imageRef` tag is the content hash, so it pins the
 * content already.
 */
export function pinnedImage(o: DeployedOutputs | null): string | null {
  if (!o?.imageRef) return null;
  if (o.target === 'docker') return o.imageRef;
  if (o.imageRef.includes('@sha256:')) return o.imageRef;
  if (!o.imageDigest) return o.imageRef;
  const ref = o.imageRef;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const repo = colon > slash ? ref.slice(0, colon) : ref;
  return `${repo}@${o.imageDigest}`;
}
