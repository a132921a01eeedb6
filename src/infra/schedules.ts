/**
 * Schedules on every target (docs/infra.md, "Schedules"): how the ticks of a project's scheduled
 * workflows reach its app, the env that says so, and the scheduler's bearer token.
 *
 * - local, docker, render, railway: the in-app scheduler (CATALYST_SCHEDULER=inapp) in the one
 *   instance (render and railway refuse more than one instance for a project with schedules);
 *   local (a directory of the checkout) and docker (a volume) also keep a lease directory, so ticks
 *   missed while the app was down are counted at its next start;
 * - fly: the in-app scheduler on machine slot 0 only (never auto-stopped); the others serve requests;
 * - cloudrun: external: one Cloud Scheduler job per schedule calls the app with an OIDC token the app
 *   verifies (targets/cloudrun/schedules.ts); no bearer token is made there.
 *
 * Elsewhere the schedule endpoints take the bearer token CATALYST_SCHEDULER_TOKEN (the app checks it
 * like a public workflow's `auth: { type: bearer }`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type { TargetName } from '../contracts/targets.ts';
import type { ProjectModel } from '../definitions/model.ts';
import type { ScheduleDeploy } from './targets/types.ts';

export type SchedulerMode = 'inapp' | 'leader' | 'external';

/** How each target delivers ticks. */
export const SCHEDULER_MODES: Readonly<Record<TargetName, SchedulerMode>> = Object.freeze({
  local: 'inapp',
  docker: 'inapp',
  render: 'inapp',
  railway: 'inapp',
  fly: 'leader',
  cloudrun: 'external',
});

export function projectSchedules(project: ProjectModel): ScheduleDeploy['list'] {
  return project.workflows.flatMap((w) => (w.trigger.type === 'schedule' ? [{ workflow: w.name, cron: w.trigger.cron, timezone: w.trigger.timezone }] : []));
}

/** Where the docker target mounts its volume for the lease directory (the image creates it, owned by the app's user). */
export const DOCKER_LEASE_DIR = '/var/lib/catalyst/schedules';

/** Where the local target keeps its lease directory (shared by the instances of one stack). */
export function localLeaseDir(root: string, stack: string): string {
  return join(root, '.catalyst', 'schedules', stack);
}

/**
 * The scheduler's token: 32 random bytes made on the first `up` and kept in the state as a secret (a
 * Stash whose input is frozen), so it is stable across updates and never in a file or an output.
 */
export function createSchedulerToken(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const stash = new pulumi.Stash(`${name}-scheduler-token`, { input: pulumi.secret(randomBytes(32).toString('hex')) }, { parent, ignoreChanges: ['input'], additionalSecretOutputs: ['output'] });
  return pulumi.secret(stash.output as pulumi.Output<string>);
}

export interface SchedulePlan {
  /** Env every instance gets. */
  plainEnv: Record<string, string>;
  deploy: ScheduleDeploy;
}

/** The plan for a project with schedules on a target; undefined for a project without any. */
export function planSchedules(a: { name: string; parent: pulumi.Resource; target: TargetName; project: ProjectModel; root: string; stack: string; instances?: number; token?: pulumi.Output<string> | null }): SchedulePlan | undefined {
  const list = projectSchedules(a.project);
  if (list.length === 0) return undefined;
  const mode = SCHEDULER_MODES[a.target];
  if (mode === 'inapp' && (a.instances ?? 1) > 1) {
    throw new pulumi.RunError(
      `project ${a.project.name} has scheduled workflows (${list.map((s) => s.workflow).join(', ')}); on target ${a.target} the in-app scheduler needs exactly one instance, ` +
        `but the stack asks for ${a.instances} (set it to 1: one run per tick; see docs/infra.md "Schedules")`,
    );
  }
  // The stack's own `catalyst:schedulerToken` when set (rotation: config change + up), else one made once.
  const token = mode === 'external' ? undefined : (a.token ?? createSchedulerToken(a.name, a.parent));
  const plainEnv: Record<string, string> = { CATALYST_SCHEDULER: mode === 'inapp' ? 'inapp' : 'external' };
  if (a.target === 'local') plainEnv.CATALYST_SCHEDULE_LEASE_DIR = localLeaseDir(a.root, a.stack);
  // docker: a volume keeps the last tick run across container restarts and replacements (missed ticks are counted).
  if (a.target === 'docker') plainEnv.CATALYST_SCHEDULE_LEASE_DIR = DOCKER_LEASE_DIR;
  return { plainEnv, deploy: { list, ...(token ? { token } : {}), ...(mode === 'leader' ? { leaderEnv: { CATALYST_SCHEDULER: 'inapp' } } : {}) } };
}
