/**
 * Cloud Monitoring for a deployed project with public workflows: an uptime check on its /health
 * every 60 s (monitored resource `uptime_url`), an alert policy on the check's
 * `monitoring.googleapis.com/uptime_check/check_passed` metric, and an optional e-mail channel.
 * Created for any target whose URL is reachable from the internet, when `catalyst:monitoringProject`
 * is set.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { TOKENS } from './tokens.ts';

export interface UptimeCheckArgs {
  /** GCP project that holds the check, the alert policy and the channel. */
  monitoringProject: string;
  /** Base URL of the service (scheme + host [+ port]). */
  url: pulumi.Input<string>;
  /** Stack name, for display names. */
  stack: string;
  /** E-mail address to notify, or null for no channel. */
  alertEmail: string | null;
  userLabels?: Record<string, string>;
}

/** host (no scheme, no port), port and TLS of a base URL, for the uptime check. */
export function uptimeTarget(url: string): { host: string; port: number; useSsl: boolean } {
  const u = new URL(url);
  const useSsl = u.protocol === 'https:';
  return { host: u.hostname, port: u.port ? Number(u.port) : useSsl ? 443 : 80, useSsl };
}

export function uptimeFilter(checkId: string): string {
  return `metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="${checkId}"`;
}

export class UptimeCheck extends pulumi.ComponentResource {
  readonly uptimeCheckId: pulumi.Output<string>;
  readonly alertPolicyName: pulumi.Output<string>;
  readonly notificationChannel: pulumi.Output<string> | null;

  constructor(name: string, args: UptimeCheckArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(TOKENS.uptimeCheck, name, {}, opts);
    if (!args.monitoringProject) throw new Error('UptimeCheck: "monitoringProject" is required');
    if (!args.stack) throw new Error('UptimeCheck: "stack" is required');
    const target = pulumi.output(args.url).apply(uptimeTarget);
    const check = new gcp.monitoring.UptimeCheckConfig(
      `${name}-check`,
      {
        project: args.monitoringProject,
        displayName: `catalyst ${args.stack} /health`,
        period: '60s',
        timeout: '10s',
        checkerType: 'STATIC_IP_CHECKERS',
        httpCheck: {
          path: '/health',
          port: target.port,
          useSsl: target.useSsl,
          validateSsl: target.useSsl,
          requestMethod: 'GET',
          acceptedResponseStatusCodes: [{ statusClass: 'STATUS_CLASS_2XX' }],
        },
        monitoredResource: { type: 'uptime_url', labels: { host: target.host, project_id: args.monitoringProject } },
        userLabels: args.userLabels,
      },
      { parent: this },
    );
    const channel = args.alertEmail
      ? new gcp.monitoring.NotificationChannel(
          `${name}-email`,
          { project: args.monitoringProject, type: 'email', displayName: `catalyst ${args.stack} alerts`, labels: { email_address: args.alertEmail }, userLabels: args.userLabels },
          { parent: this },
        )
      : undefined;
    const policy = new gcp.monitoring.AlertPolicy(
      `${name}-alert`,
      {
        project: args.monitoringProject,
        displayName: `catalyst ${args.stack} is down`,
        combiner: 'OR',
        conditions: [
          {
            displayName: `${args.stack} /health uptime check failing`,
            conditionThreshold: {
              filter: check.uptimeCheckId.apply(uptimeFilter),
              comparison: 'COMPARISON_GT',
              thresholdValue: 1,
              duration: '60s',
              aggregations: [{ alignmentPeriod: '1200s', perSeriesAligner: 'ALIGN_NEXT_OLDER', crossSeriesReducer: 'REDUCE_COUNT_FALSE', groupByFields: ['resource.label.*'] }],
              trigger: { count: 1 },
            },
          },
        ],
        notificationChannels: channel ? [channel.name] : [],
        documentation: { mimeType: 'text/markdown', content: `The Catalyst stack **${args.stack}** fails its /health uptime check from more than one region.` },
        userLabels: args.userLabels,
      },
      { parent: this },
    );
    this.uptimeCheckId = check.uptimeCheckId;
    this.alertPolicyName = policy.name;
    this.notificationChannel = channel ? channel.name : null;
    this.registerOutputs({ uptimeCheckId: this.uptimeCheckId, alertPolicyName: this.alertPolicyName, notificationChannel: this.notificationChannel });
  }
}
