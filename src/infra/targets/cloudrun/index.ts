/**
 * Google Cloud Run (v2 API): an Artifact Registry repository for the image, a service account, one
 * Secret Manager secret + version per declared secret (readable only by that account), the service
 * with /health probes, and the public invoker binding only for projects with public workflows.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { GCP_PROJECT } from '../../config.ts';
import { dnsName, labelValue } from '../../names.ts';
import { configBool, configInt, configString } from '../../options.ts';
import { hasPublicWorkflows } from '../../outputs.ts';
import { TOKENS } from '../../tokens.ts';
import type { ImageDestination, Target, TargetContext, TargetOutputs } from '../types.ts';
import { createCloudSchedulerJobs, schedulerIdentity } from './schedules.ts';

export const cloudRunOptions = z
  .object({
    gcpProject: configString(GCP_PROJECT, 'a GCP project id, e.g. my-project-123'),
    region: configString(/^[a-z]+-[a-z]+\d+$/, 'a Cloud Run region, e.g. europe-west1'),
    minInstances: configInt(0, 1000).default(0),
    maxInstances: configInt(1, 1000).default(3),
    concurrency: configInt(1, 1000).default(80),
    cpu: configString(/^(?:\d+(?:\.\d+)?|\d+m)$/, 'a CPU limit such as 1, 2 or 1000m').default('1'),
    memory: configString(/^\d+(?:Mi|Gi)$/, 'a memory limit such as 512Mi or 1Gi').default('512Mi'),
    /** Default: true for `*.prod` stacks, else false (so `pulumi destroy` works on dev stacks). */
    deletionProtection: configBool.optional(),
  })
  .refine((o) => o.minInstances <= o.maxInstances, {
    message: 'minInstances must not exceed maxInstances',
    path: ['minInstances'],
    // Checked even when other options are wrong, so every problem is listed at once.
    when: (p) => {
      const v = p.value as { minInstances?: unknown; maxInstances?: unknown } | undefined;
      return typeof v?.minInstances === 'number' && typeof v?.maxInstances === 'number';
    },
  });

export type CloudRunOptions = z.infer<typeof cloudRunOptions>;

/** Names of the GCP resources of one stack. */
export function cloudRunNames(project: string, env: string) {
  const base = `${project}-${env}`;
  return {
    service: dnsName(base, 49),
    repository: dnsName(base, 63),
    serviceAccount: dnsName(`cat-${base}`, 30),
    secretId: (secret: string) => `${dnsName(base, 200)}-${secret}`,
  };
}

export function consoleUrls(gcpProject: string, region: string, service: string) {
  const base = `https://console.cloud.google.com/run/detail/${region}/${service}`;
  return { consoleUrl: `${base}/metrics?project=${gcpProject}`, logsUrl: `${base}/logs?project=${gcpProject}` };
}

export interface CloudRunServiceArgs {
  gcpProject: string;
  region: string;
  serviceName: string;
  serviceAccountId: string;
  secretId: (name: string) => string;
  image: pulumi.Input<string>;
  port: number;
  plainEnv: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, pulumi.Output<string>>;
  options: CloudRunOptions;
  deletionProtection: boolean;
  /** Adds the `allUsers` run.invoker binding. */
  public: boolean;
  /** Request timeout, seconds. */
  timeoutSeconds: number;
  labels: Record<string, string>;
  /** Token audiences the service accepts besides its URL (the scheduler's, ./schedules.ts). */
  customAudiences?: string[];
}

/** The Cloud Run service of one Catalyst stack and everything it needs besides the image. */
export class CloudRunService extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly serviceAccountEmail: pulumi.Output<string>;
  readonly secretIds: pulumi.Output<string>[];
  readonly publicAccess: boolean;

  constructor(name: string, args: CloudRunServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(TOKENS.cloudRunService, name, {}, opts);
    validateServiceArgs(args);
    const account = new gcp.serviceaccount.Account(
      `${name}-sa`,
      { project: args.gcpProject, accountId: args.serviceAccountId, displayName: `Catalyst ${args.serviceName}`, description: 'Runs the Catalyst service; reads its own secrets only.' },
      { parent: this },
    );
    const member = pulumi.interpolate`serviceAccount:${account.email}`;
    const secrets = createSecrets(name, this, args, member);
    const service = createService(name, this, args, account.email, secrets);
    if (args.public) {
      new gcp.cloudrunv2.ServiceIamMember(
        `${name}-public`,
        { project: args.gcpProject, location: args.region, name: service.name, role: 'roles/run.invoker', member: 'allUsers' },
        { parent: this },
      );
    }
    this.url = service.uri;
    this.serviceName = service.name;
    this.serviceAccountEmail = account.email;
    this.secretIds = secrets.map((s) => s.secret.secretId);
    this.publicAccess = args.public;
    this.registerOutputs({ url: this.url, serviceName: this.serviceName, serviceAccountEmail: this.serviceAccountEmail, secretIds: this.secretIds, publicAccess: this.publicAccess });
  }
}

function validateServiceArgs(args: CloudRunServiceArgs): void {
  const bad: string[] = [];
  if (!args.gcpProject) bad.push('"gcpProject" is required');
  if (!args.region) bad.push('"region" is required');
  if (!/^[a-z](?:[a-z0-9-]{0,47}[a-z0-9])?$/.test(args.serviceName)) bad.push(`"serviceName" ${JSON.stringify(args.serviceName)} is not a Cloud Run service name`);
  if (!/^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/.test(args.serviceAccountId)) bad.push(`"serviceAccountId" ${JSON.stringify(args.serviceAccountId)} is not a service account id`);
  if ('PORT' in args.plainEnv) bad.push('"plainEnv" must not set PORT (Cloud Run sets it from the container port)');
  for (const k of Object.keys(args.secretEnv)) if (k in args.plainEnv) bad.push(`"secretEnv" and "plainEnv" both set ${k}`);
  if (bad.length) throw new Error(`CloudRunService: ${bad.join('; ')}`);
}

interface CreatedSecret {
  name: string;
  secret: gcp.secretmanager.Secret;
  version: gcp.secretmanager.SecretVersion;
  access: gcp.secretmanager.SecretIamMember;
}

/** One secret + version per declared secret, readable by the service account only. */
function createSecrets(name: string, parent: pulumi.Resource, args: CloudRunServiceArgs, member: pulumi.Output<string>): CreatedSecret[] {
  return Object.keys(args.secretEnv)
    .sort()
    .map((key) => {
      const secret = new gcp.secretmanager.Secret(
        `${name}-secret-${key}`,
        { project: args.gcpProject, secretId: args.secretId(key), replication: { auto: {} }, labels: args.labels },
        { parent },
      );
      const version = new gcp.secretmanager.SecretVersion(
        `${name}-secret-${key}-version`,
        { secret: secret.id, secretData: pulumi.secret(args.secretEnv[key]) },
        { parent },
      );
      const access = new gcp.secretmanager.SecretIamMember(
        `${name}-secret-${key}-access`,
        { project: args.gcpProject, secretId: secret.secretId, role: 'roles/secretmanager.secretAccessor', member },
        { parent },
      );
      return { name: key, secret, version, access };
    });
}

function createService(name: string, parent: pulumi.Resource, args: CloudRunServiceArgs, email: pulumi.Output<string>, secrets: CreatedSecret[]): gcp.cloudrunv2.Service {
  const o = args.options;
  const envs: gcp.types.input.cloudrunv2.ServiceTemplateContainerEnv[] = [
    ...Object.keys(args.plainEnv)
      .sort()
      .map((k) => ({ name: k, value: args.plainEnv[k] })),
    ...secrets.map((s) => ({ name: s.name, valueSource: { secretKeyRef: { secret: s.secret.secretId, version: s.version.version } } })),
  ];
  const probe = { httpGet: { path: '/health', port: args.port } };
  return new gcp.cloudrunv2.Service(
    `${name}-service`,
    {
      project: args.gcpProject,
      location: args.region,
      name: args.serviceName,
      ingress: 'INGRESS_TRAFFIC_ALL',
      deletionProtection: args.deletionProtection,
      labels: args.labels,
      ...(args.customAudiences ? { customAudiences: args.customAudiences } : {}),
      template: {
        serviceAccount: email,
        scaling: { minInstanceCount: o.minInstances, maxInstanceCount: o.maxInstances },
        maxInstanceRequestConcurrency: o.concurrency,
        timeout: `${args.timeoutSeconds}s`,
        labels: args.labels,
        containers: [
          {
            image: args.image,
            ports: { containerPort: args.port, name: 'http1' },
            envs,
            resources: { limits: { cpu: o.cpu, memory: o.memory }, cpuIdle: true, startupCpuBoost: true },
            startupProbe: { ...probe, initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
            livenessProbe: { ...probe, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
          },
        ],
      },
    },
    // The revision must be able to read its secrets when it starts.
    { parent, dependsOn: secrets.map((s) => s.access) },
  );
}

/** Request timeout for the service: the slowest workflow's timeout plus a margin, within Cloud Run's cap. */
export function requestTimeoutSeconds(ctx: Pick<TargetContext<unknown>, 'project'>): number {
  const maxMs = Math.max(ctx.project.defaults.timeoutMs, ...ctx.project.workflows.map((w) => w.timeoutMs));
  return Math.min(3600, Math.ceil(maxMs / 1000) + 5);
}

export const target: Target<CloudRunOptions> = {
  name: 'cloudrun',
  configSchema: cloudRunOptions,
  usesImage: true,
  imageDestination(ctx): ImageDestination {
    const { gcpProject, region } = ctx.config;
    const names = cloudRunNames(ctx.project.name, ctx.env);
    const repository = new gcp.artifactregistry.Repository(
      `${ctx.name}-registry`,
      {
        project: gcpProject,
        location: region,
        repositoryId: names.repository,
        format: 'DOCKER',
        description: `Catalyst images of ${ctx.stack}`,
        labels: stackLabels(ctx.project.name, ctx.env),
      },
      { parent: ctx.parent },
    );
    const host = `${region}-docker.pkg.dev`;
    // A short-lived OAuth token of the deploying identity; docker-build ignores password-only
    // changes in its diff, so a fresh token does not rebuild the image.
    const token = gcp.organizations.getClientConfigOutput({ parent: ctx.parent }).accessToken;
    return {
      repository: pulumi.interpolate`${host}/${repository.project}/${repository.repositoryId}/${ctx.project.name}`,
      registry: { address: host, username: 'oauth2accesstoken', password: pulumi.secret(token) },
      dependsOn: [repository],
    };
  },
  deploy(ctx): TargetOutputs {
    const { gcpProject, region } = ctx.config;
    const names = cloudRunNames(ctx.project.name, ctx.env);
    if (!ctx.image) throw new Error('cloudrun: the image is missing (usesImage targets get ctx.image)');
    const base = `${ctx.project.name}-${ctx.env}`;
    const scheduler = ctx.schedules ? schedulerIdentity(gcpProject, region, base, names.service) : undefined;
    const service = new CloudRunService(
      `${ctx.name}-cloudrun`,
      {
        gcpProject,
        region,
        serviceName: names.service,
        serviceAccountId: names.serviceAccount,
        secretId: names.secretId,
        image: ctx.image.pinnedRef,
        port: ctx.port,
        plainEnv: scheduler ? { ...ctx.plainEnv, ...scheduler.env } : ctx.plainEnv,
        secretEnv: ctx.secretEnv,
        options: ctx.config,
        deletionProtection: ctx.config.deletionProtection ?? ctx.stack.endsWith('.prod'),
        public: hasPublicWorkflows(ctx.project),
        timeoutSeconds: requestTimeoutSeconds(ctx),
        labels: stackLabels(ctx.project.name, ctx.env),
        ...(scheduler ? { customAudiences: [scheduler.audience] } : {}),
      },
      { parent: ctx.parent },
    );
    const urls = consoleUrls(gcpProject, region, names.service);
    const scheduled = ctx.schedules
      ? createCloudSchedulerJobs(`${ctx.name}-cloudrun`, ctx.parent, {
          gcpProject,
          region,
          base,
          serviceName: names.service,
          service: service.serviceName,
          url: service.url,
          schedules: ctx.schedules,
          timeoutSeconds: requestTimeoutSeconds(ctx),
        })
      : [];
    return { url: service.url, region, consoleUrl: urls.consoleUrl, logsUrl: urls.logsUrl, resources: [service, ...scheduled] };
  },
};

export function stackLabels(project: string, env: string): Record<string, string> {
  return { 'managed-by': 'catalyst', 'catalyst-project': labelValue(project), 'catalyst-env': labelValue(env) };
}
