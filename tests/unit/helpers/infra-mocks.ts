/**
 * Pulumi mocks for the infra tests: records every registered resource with its inputs as the mock
 * monitor sees them (secret inputs arrive wrapped in the RPC secret marker, pushed up to the
 * top-level property), answers the provider functions we call, and fakes the outputs providers
 * compute (Cloud Run URI, image digest, uptime check id, …).
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const ACCESS_TOKEN = 'ya29.mock-access-token';

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Top-level input properties that arrived marked secret. */
  secretProps: string[];
  custom: boolean;
}

export const registered: Registered[] = [];

/**
 * The example project billing declares BILLING_API_KEY (its lookup takes an API key), and support-bot
 * calls lookup with billing's peer key: every billing stack carries both (planted values, scanned for).
 */
export const BILLING_SECRETS = { BILLING_API_KEY: 'bk-PLANTED-billing-api-4e1f', peerKey: 'pk-PLANTED-billing-peer-8c2d' } as const;

/** The secrets a stack of an example project needs besides the ones a test gives it. */
export function exampleSecrets(stack: string): Record<string, string> {
  return stack.startsWith('billing.') ? { ...BILLING_SECRETS } : {};
}

/** Outputs of peer stacks, by fully-qualified stack name (absent → the read fails like a missing stack). */
export const peerStacks = new Map<string, Record<string, unknown>>();

export const isSecret = (v: unknown): boolean => pulumi.runtime.isRpcSecret(v);
export const unwrap = <T = unknown>(v: unknown): T => (isSecret(v) ? (v as { value: T }).value : (v as T));

function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'pulumi:pulumi:StackReference': {
      const fq = String(inputs.name);
      const outputs = peerStacks.get(fq);
      if (!outputs) throw new Error(`unknown stack "${fq}"`);
      // As the engine reads a stack: its secret outputs (the peer key) are listed as such.
      return { outputs, secretOutputNames: 'peerKey' in outputs ? ['peerKey'] : [] };
    }
    case 'pulumi:index:Stash':
      return { output: inputs.input };
    case 'gcp:serviceaccount/account:Account':
      return { email: `${unwrap(inputs.accountId)}@${unwrap(inputs.project)}.iam.gserviceaccount.com` };
    case 'gcp:cloudrunv2/service:Service':
      return { uri: `https://${unwrap(inputs.name)}-x7k2q9-ew.a.run.app` };
    case 'gcp:secretmanager/secret:Secret':
      return { name: `projects/123/secrets/${unwrap(inputs.secretId)}` };
    case 'gcp:secretmanager/secretVersion:SecretVersion':
      return { version: '1' };
    case 'gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig':
      return { uptimeCheckId: `catalyst-${name}-0a1b2c`, name: `projects/mon/uptimeCheckConfigs/catalyst-${name}-0a1b2c` };
    case 'gcp:monitoring/notificationChannel:NotificationChannel':
      return { name: `projects/mon/notificationChannels/${name}` };
    case 'gcp:monitoring/alertPolicy:AlertPolicy':
      return { name: `projects/mon/alertPolicies/${name}` };
    case 'docker-build:index:Image':
      return { digest: DIGEST, contextHash: 'ctx' };
    case 'pulumi-nodejs:dynamic/catalyst:DockerCliImage':
      return { digest: DIGEST, imageId: `sha256:${'ef'.repeat(32)}` };
    case 'docker:index/remoteImage:RemoteImage':
      return { imageId: `sha256:${'cd'.repeat(32)}` };
    case 'pulumi-nodejs:dynamic/catalyst:LocalApp': {
      const i = inputs as { host: string; port: number };
      return { url: `http://${i.host}:${i.port}`, pid: 4242, logFile: '/tmp/app.log' };
    }
    default:
      if (type.endsWith(':FlyAppSecrets')) return { version: 3 };
      if (type.endsWith(':RenderService')) return { url: `https://${unwrap(inputs.name)}-x1y2.onrender.com` };
      if (type.endsWith(':RenderEnvVars')) return { digest: 'env-digest-1' };
      if (type.endsWith(':RailwayProject')) return { projectId: 'prj-1', environmentId: 'env-1', projectCreated: true, environmentCreated: true };
      if (type.endsWith(':RailwayService')) return { url: `https://${unwrap(inputs.name)}-production-a1b2.up.railway.app` };
      if (type.endsWith(':RailwayVariables')) return { digest: 'vars-digest-1' };
      return {};
  }
}

let installedFor = '';

/** (Re)install the mocks for a stack. Call before importing or running the program. */
export function installMocks(stack: string, project = 'catalyst'): void {
  installedFor = stack;
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const secretProps = Object.entries(args.inputs)
          .filter(([, v]) => isSecret(v))
          .map(([k]) => k);
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, secretProps, custom: args.custom ?? false });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs) } };
      },
      call(args) {
        if (args.token === 'gcp:organizations/getClientConfig:getClientConfig') return { accessToken: ACCESS_TOKEN, project: 'acme-prod-1', region: 'europe-west1', zone: '', id: 'cfg' };
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );
}

export function currentStack(): string {
  return installedFor;
}

/** Resolve an Input (or a plain value) to its value. */
export function valueOf<T>(o: pulumi.Input<T> | T): Promise<T> {
  if (!pulumi.Output.isInstance(o)) return Promise.resolve(o as T);
  return new Promise((resolve) => (o as pulumi.Output<T>).apply((v) => resolve(v as T)));
}

/** Resolve every value of an outputs object. */
export async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) out[k] = await valueOf(v as pulumi.Input<unknown>);
  return out;
}

/** Wait until no new resources register for a few ticks. */
export async function settle(): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 5) {
    await new Promise((r) => setTimeout(r, 10));
    if (registered.length === last) stable++;
    else {
      stable = 0;
      last = registered.length;
    }
  }
}

/** A temporary repository root with the example projects plus the test fixtures' projects. */
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'catalyst-infra-'));
  cpSync(join(ROOT, 'projects'), join(root, 'projects'), { recursive: true });
  cpSync(join(ROOT, 'tests', 'fixtures', 'infra', 'projects'), join(root, 'projects'), { recursive: true });
  return root;
}

/**
 * Every string in `value` outside secret-marked subtrees (paths of the plain parts), for scans of
 * planted secret values.
 */
export function plainStrings(value: unknown, path = ''): { path: string; text: string }[] {
  if (isSecret(value)) return [];
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => plainStrings(v, path ? `${path}.${k}` : k));
  return [];
}
