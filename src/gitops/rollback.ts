/**
 * `catalyst rollback`: redeploy what an earlier deployment ran, without rebuilding it.
 *
 * - Image targets (cloudrun, fly, render, railway, docker): the earlier deployment's image (pinned by digest) is
 *   handed to the Pulumi program of the current checkout for one `pulumi up`, through a temporary copy
 *   of the stack config file with `catalyst:imageOverride` and `catalyst:rollback` added
 *   (`pulumi up --config-file <copy>`). stacks/ is never written, so the work tree stays clean (a
 *   `*.prod` stack requires that) and nothing is left behind when the run fails or is interrupted.
 * - The local target (no image), or `--rebuild`: the definitions and program of the earlier commit are
 *   checked out into a temporary git worktree and `pulumi up` runs there (`--cwd`), then the worktree is
 *   removed.
 *
 * The next plain `pulumi up` (or `catalyst up`) builds HEAD again and replaces the rollback.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { addWorktree, removeWorktree, resolveCommit, shortSha, tryResolveCommit } from './index.ts';
import { deployedCommit, type Deployment, type DeployedOutputs, isSuccessfulUpdate, pinnedImage, type PulumiAccess } from '../pulumi/history.ts';
import { STATE_ROOT_ENV, type RollbackConfig } from '../contracts/rollback.ts';
import { UserError } from '../shared/errors.ts';

export class RollbackError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'RollbackError';
  }
}

export type RollbackMode = 'image' | 'worktree';

export interface RollbackPlan {
  stack: string;
  mode: RollbackMode;
  /** The earlier deployment being restored. */
  to: Deployment;
  /** How `--to` matched it. */
  matchedBy: 'stack version' | 'commit' | 'content hash' | 'image';
  /** Commit the restored deployment ran (null when unknown). */
  commit: string | null;
  /** Image to run (mode image). */
  image: string | null;
  /** What is live now (newest deployment and current outputs), for `rolledBackFrom`. */
  from: { stackVersion: number | null; commit: string | null; imageRef: string | null };
  /** True when the stack already runs it (nothing to do). */
  current: boolean;
}

const HEX_RE = /^[0-9a-f]{7,64}$/i;

const usable = isSuccessfulUpdate;

function describe(d: Deployment): string {
  const img = pinnedImage(d.outputs);
  return `  #${d.stackVersion ?? '?'}  ${d.startTime ?? '-'}  ${d.result.padEnd(9)}  ${shortSha(deployedCommit(d))}  ${img ?? '(no image recorded)'}`;
}

function notFound(what: string, deployments: Deployment[], stack: string): RollbackError {
  const recent = deployments.filter(usable).slice(0, 5).map(describe);
  return new RollbackError(
    `no successful deployment of ${stack} matches ${what}${recent.length ? `; recent ones:\n${recent.join('\n')}` : ' (the stack has no successful update yet)'}\nSee them all with \`catalyst history ${stack}\`.`,
  );
}

/**
 * Finds the deployment `--to` names: a stack version number (`7`), a commit (id or prefix, branch,
 * tag, `HEAD~1`), or a content hash prefix. Newest match first; only successful updates count.
 */
export async function findDeployment(repo: string, stack: string, deployments: Deployment[], to: string): Promise<{ deployment: Deployment; matchedBy: RollbackPlan['matchedBy'] }> {
  const candidates = deployments.filter(usable);
  const numeric = /^#?(\d{1,6})$/.exec(to);
  if (numeric) {
    const v = Number(numeric[1]);
    const d = deployments.find((x) => x.stackVersion === v);
    if (!d) throw notFound(`stack version ${v}`, deployments, stack);
    if (!usable(d)) throw new RollbackError(`stack version ${v} of ${stack} is a ${d.result} ${d.kind}, not a successful update; pick another with \`catalyst history ${stack}\``);
    return { deployment: d, matchedBy: 'stack version' };
  }
  const sha = await tryResolveCommit(repo, to);
  const lower = to.toLowerCase();
  const byCommit = candidates.find((d) => {
    const c = deployedCommit(d);
    return c !== null && (c === sha || (HEX_RE.test(to) && c.startsWith(lower)));
  });
  if (byCommit) return { deployment: byCommit, matchedBy: 'commit' };
  if (HEX_RE.test(to)) {
    const byHash = candidates.find((d) => d.outputs?.contentHash?.toLowerCase().startsWith(lower));
    if (byHash) return { deployment: byHash, matchedBy: 'content hash' };
  }
  throw notFound(sha ? `commit ${shortSha(sha)} (${to})` : `"${to}" (not a stack version, a known commit or a content hash)`, deployments, stack);
}

export interface PlanInput {
  repo: string;
  stack: string;
  deployments: Deployment[];
  current: DeployedOutputs | null;
  /** Target from the outputs or the stack config (`local` has no image). */
  target: string | null;
  to?: string;
  /** Explicit image (`--image`): skips the lookup of the deployment's image. */
  image?: string;
  /** Rebuild the earlier commit from a worktree even for image targets. */
  rebuild?: boolean;
}

export async function planRollback(i: PlanInput): Promise<RollbackPlan> {
  const newest = i.deployments.find(usable);
  const from = {
    stackVersion: newest?.stackVersion ?? null,
    commit: i.current?.version?.commit ?? (newest ? deployedCommit(newest) : null),
    imageRef: pinnedImage(i.current) ?? pinnedImage(newest?.outputs ?? null),
  };
  let to: Deployment;
  let matchedBy: RollbackPlan['matchedBy'];
  if (i.to) ({ deployment: to, matchedBy } = await findDeployment(i.repo, i.stack, i.deployments, i.to));
  else if (i.image) {
    to = { stackVersion: null, kind: 'update', result: 'succeeded', startTime: null, endTime: null, resourceChanges: {}, git: { commit: null, branch: null, dirty: null }, imageOverride: null, outputs: null };
    matchedBy = 'image';
  } else throw new RollbackError('say what to roll back to: --to <commit|stack version|content hash> (or --image <ref@sha256:…>)');
  const target = i.target ?? to.outputs?.target ?? null;
  const mode: RollbackMode = i.rebuild || (target === 'local' && !i.image) ? 'worktree' : 'image';
  const commit = deployedCommit(to);
  if (mode === 'worktree') {
    if (!commit) throw new RollbackError(`deployment #${to.stackVersion} of ${i.stack} recorded no git commit, so its definitions cannot be checked out`);
    const current = i.current?.version?.commit === commit && i.current.version.dirty === false && !to.git.dirty;
    return { stack: i.stack, mode, to, matchedBy, commit, image: null, from, current };
  }
  const image = i.image ?? pinnedImage(to.outputs);
  if (!image) {
    throw new RollbackError(
      `deployment #${to.stackVersion} of ${i.stack} recorded no image (imageRef output)${target ? ` (target ${target})` : ''}; ` +
        `pass the image with --image <repo@sha256:…>, or rebuild that commit with --rebuild`,
    );
  }
  return { stack: i.stack, mode, to, matchedBy, commit, image, from, current: from.imageRef !== null && from.imageRef === image };
}

/** `catalyst:rollback`, the program's input for the outputs of a rollback run. */
export function rollbackConfig(plan: RollbackPlan): RollbackConfig {
  const v = plan.to.outputs?.version;
  return {
    version: { commit: plan.commit, branch: v?.branch ?? plan.to.git.branch, dirty: v?.dirty ?? plan.to.git.dirty ?? false },
    contentHash: plan.to.outputs?.contentHash ?? null,
    rolledBackFrom: { ...plan.from, restoredStackVersion: plan.to.stackVersion },
  };
}

/** The stack config file's text with `catalyst:imageOverride` and `catalyst:rollback` set (comments kept). */
export function overrideConfigText(original: string, image: string, rollback: RollbackConfig): string {
  const doc = parseDocument(original);
  if (doc.errors.length) throw new RollbackError(`the stack config file is not valid YAML: ${doc.errors[0].message}`);
  if (!doc.has('config') || doc.get('config') === null) doc.set('config', doc.createNode({}));
  doc.setIn(['config', 'catalyst:imageOverride'], image);
  doc.setIn(['config', 'catalyst:rollback'], doc.createNode(rollback));
  return doc.toString();
}

export function rollbackMessage(plan: RollbackPlan): string {
  const what = plan.mode === 'image' ? `image ${plan.image}` : `commit ${shortSha(plan.commit)}`;
  return `catalyst rollback to deployment #${plan.to.stackVersion ?? '?'} (${what})`;
}

export interface RunOptions {
  pulumi: PulumiAccess;
  /** stacks/Pulumi.<stack>.yaml of the current checkout (null when missing). */
  configFile: string | null;
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  /** Keep the temporary worktree (mode worktree), e.g. when the local app serves files from it. */
  keepWorktree?: boolean;
}

export interface RunResult {
  ok: boolean;
  /** pulumi's exit code. */
  code: number;
  /** The worktree kept with keepWorktree. */
  worktree?: string;
}

async function runImage(plan: RollbackPlan, o: RunOptions, tmp: string): Promise<RunResult> {
  if (!o.configFile) throw new RollbackError(`no stacks/Pulumi.${plan.stack}.yaml: the rollback reuses the stack's config; restore the file (git checkout) first`);
  const copy = join(tmp, `Pulumi.${plan.stack}.yaml`);
  writeFileSync(copy, overrideConfigText(readFileSync(o.configFile, 'utf8'), plan.image!, rollbackConfig(plan)), { mode: 0o600 });
  const args = ['up', '--yes', '--non-interactive', '--stack', plan.stack, '--config-file', copy, '--message', rollbackMessage(plan)];
  const r = await o.pulumi.runner(args, { cwd: o.pulumi.repo, env: o.pulumi.env, passthrough: true, stdout: o.stdout, stderr: o.stderr });
  return { ok: r.code === 0, code: r.code };
}

async function runWorktree(plan: RollbackPlan, o: RunOptions, tmp: string): Promise<RunResult> {
  const repo = o.pulumi.repo;
  const commit = await resolveCommit(repo, plan.commit!);
  const wt = join(tmp, 'worktree');
  await addWorktree(repo, wt, commit);
  let kept = false;
  try {
    // Packages resolve from the parent directory, so the worktree itself stays clean.
    if (existsSync(join(repo, 'node_modules'))) symlinkSync(join(repo, 'node_modules'), join(tmp, 'node_modules'), 'dir');
    const args = ['up', '--yes', '--non-interactive', '--stack', plan.stack, '--cwd', wt, '--message', rollbackMessage(plan)];
    // The stack config of that commit (a consistent snapshot); the current one when the commit had none.
    const own = ['yaml', 'yml'].some((e) => existsSync(join(wt, 'stacks', `Pulumi.${plan.stack}.${e}`)));
    if (!own) {
      if (!o.configFile) throw new RollbackError(`neither commit ${shortSha(commit)} nor the current checkout has stacks/Pulumi.${plan.stack}.yaml`);
      const cfgDir = join(tmp, 'config');
      mkdirSync(cfgDir);
      copyFileSync(o.configFile, join(cfgDir, `Pulumi.${plan.stack}.yaml`));
      args.push('--config-file', join(cfgDir, `Pulumi.${plan.stack}.yaml`));
    }
    o.stderr(`checked out ${shortSha(commit)} into ${wt}\n`);
    // The app's build and run directories (.build/, .catalyst/) stay in the main checkout, so the
    // rolled-back local app keeps running after the worktree is removed (docs/gitops.md).
    const env = { ...o.pulumi.env, [STATE_ROOT_ENV]: repo };
    const r = await o.pulumi.runner(args, { cwd: wt, env, passthrough: true, stdout: o.stdout, stderr: o.stderr });
    kept = o.keepWorktree === true;
    return { ok: r.code === 0, code: r.code, ...(kept ? { worktree: wt } : {}) };
  } finally {
    if (!kept) await removeWorktree(repo, wt);
  }
}

/** Runs the planned rollback; temporary files and the worktree are removed whatever happens. */
export async function runRollback(plan: RollbackPlan, o: RunOptions): Promise<RunResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'catalyst-rollback-'));
  let keep = false;
  try {
    const r = plan.mode === 'image' ? await runImage(plan, o, tmp) : await runWorktree(plan, o, tmp);
    keep = r.worktree !== undefined;
    return r;
  } finally {
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  }
}
