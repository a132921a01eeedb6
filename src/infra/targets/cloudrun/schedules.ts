/**
 * Cloud Run schedules: one Cloud Scheduler job per scheduled workflow, in the service's region and the
 * schedule's own time zone, calling POST <url>/_catalyst/schedules/<workflow> with an OIDC token of a
 * service account made for the scheduler, which may invoke this service only (so a service without
 * public workflows stays private). The token's audience is the service's custom audience
 * `catalyst-scheduler:<project>/<region>/<service>`; the app verifies the token itself (Google's
 * signature, that audience, that account: CATALYST_SCHEDULER_AUTH=oidc), since a service with public
 * workflows lets anyone reach it. No shared secret exists for the scheduler on Cloud Run.
 * Cloud Scheduler delivers at least once and retries failures with the same schedule time: the app
 * runs each tick once per instance that receives it (docs/infra.md, "Schedules").
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { CRON_MACROS } from '../../../shared/cron.ts';
import { dnsName } from '../../names.ts';
import type { ScheduleDeploy } from '../types.ts';

export interface CloudSchedulerArgs {
  gcpProject: string;
  region: string;
  /** `<project>-<env>`, for names. */
  base: string;
  /** The Cloud Run service's name (known before it exists: the identity's audience is built from it). */
  serviceName: string;
  /** The service, for the invoker binding (its name as an output, so the binding waits for it). */
  service: pulumi.Input<string>;
  url: pulumi.Input<string>;
  schedules: ScheduleDeploy;
  /** The service's request timeout: the job waits as long (Cloud Scheduler allows 15 s–30 min). */
  timeoutSeconds: number;
}

/** Cloud Scheduler reads five-field unix-cron; the macros are written out. */
export function unixCron(expr: string): string {
  return CRON_MACROS[expr.trim().toLowerCase()] ?? expr.trim().split(/\s+/).join(' ');
}

/** The scheduler's identity: its service account, the token audience, and the env that tells the app. */
export function schedulerIdentity(gcpProject: string, region: string, base: string, serviceName: string): { accountId: string; email: string; audience: string; env: Record<string, string> } {
  const accountId = dnsName(`sch-${base}`, 30);
  const email = `${accountId}@${gcpProject}.iam.gserviceaccount.com`;
  const audience = `catalyst-scheduler:${gcpProject}/${region}/${serviceName}`;
  return { accountId, email, audience, env: { CATALYST_SCHEDULER_AUTH: 'oidc', CATALYST_SCHEDULER_OIDC_AUDIENCE: audience, CATALYST_SCHEDULER_OIDC_EMAIL: email } };
}

export function createCloudSchedulerJobs(name: string, parent: pulumi.Resource, a: CloudSchedulerArgs): pulumi.Resource[] {
  const id = schedulerIdentity(a.gcpProject, a.region, a.base, a.serviceName);
  const account = new gcp.serviceaccount.Account(
    `${name}-scheduler-sa`,
    { project: a.gcpProject, accountId: id.accountId, displayName: `Catalyst scheduler of ${a.base}`, description: 'Calls the Catalyst service for its schedules (Cloud Scheduler OIDC token); may invoke this service only.' },
    { parent },
  );
  const invoker = new gcp.cloudrunv2.ServiceIamMember(
    `${name}-scheduler-invoker`,
    { project: a.gcpProject, location: a.region, name: a.service, role: 'roles/run.invoker', member: pulumi.interpolate`serviceAccount:${account.email}` },
    { parent },
  );
  const jobs = [...a.schedules.list]
    .sort((x, y) => (x.workflow < y.workflow ? -1 : 1))
    .map(
      (s) =>
        new gcp.cloudscheduler.Job(
          `${name}-schedule-${s.workflow}`,
          {
            project: a.gcpProject,
            region: a.region,
            name: dnsName(`${a.base}-${s.workflow}`, 500),
            description: `Catalyst schedule ${s.workflow} (${s.cron}, ${s.timezone})`,
            schedule: unixCron(s.cron),
            timeZone: s.timezone,
            attemptDeadline: `${Math.min(1800, Math.max(15, a.timeoutSeconds))}s`,
            retryConfig: { retryCount: 3, minBackoffDuration: '10s', maxBackoffDuration: '120s', maxDoublings: 3 },
            httpTarget: {
              httpMethod: 'POST',
              uri: pulumi.interpolate`${a.url}/_catalyst/schedules/${s.workflow}`,
              headers: { 'Content-Type': 'application/json' },
              oidcToken: { serviceAccountEmail: account.email, audience: id.audience },
            },
          },
          { parent, dependsOn: [invoker] },
        ),
    );
  return [account, invoker, ...jobs];
}
