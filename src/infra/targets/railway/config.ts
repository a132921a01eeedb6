/**
 * Stack config of the `railway` target: `catalyst:<key>` (docs/railway.md).
 * The API token is not here: it is the secret config `catalyst:railwayToken` (the target's
 * `secretKeys`), read as a secret Output (./index.ts). The optional registry password is an
 * option set with `--secret`, so it arrives as a secret handle.
 */
import { z } from 'zod';
import { configInt, secretOption } from '../../options.ts';
import { imageRepositoryOption, registryPairIssues } from '../platform.ts';

export const RAILWAY_API_DEFAULT = 'https://backboard.railway.com/graphql/v2';

/** Railway's `RestartPolicyType` enum (railway-graphql-schema.json, railway.schema.json). */
export const RAILWAY_RESTART_POLICIES = ['ON_FAILURE', 'ALWAYS', 'NEVER'] as const;

/**
 * Deploy settings every Railway service of Catalyst gets unless the stack says otherwise; the
 * generated `railway.json` carries the same values (a test keeps them equal).
 */
export const RAILWAY_DEPLOY_DEFAULTS = {
  healthcheckPath: '/health',
  healthcheckTimeout: 60,
  restartPolicyType: 'ON_FAILURE',
  restartPolicyMaxRetries: 3,
} as const;

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/, `a Railway ${what} name is 1–63 letters, digits, spaces, dots, dashes or underscores`);

export const railwayConfigSchema = z
  .object({
    /** Railway project (found by name or created); default `<project>-<env>`. */
    railwayProject: name('project').optional(),
    /** Environment inside the project (found by name or created); default `<env>`. */
    railwayEnvironment: name('environment').optional(),
    /** Workspace the project is listed in and created in (a workspace token needs it). */
    railwayWorkspaceId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'a Railway workspace id looks like a UUID (Workspace settings → General)').optional(),
    /** Service name inside the project; default `<project>`. */
    railwayServiceName: name('service').optional(),
    /** Deploy region, e.g. `us-west2`, `us-east4-eqdc4a`, `europe-west4-drams3a`, `asia-southeast1-eqsg3a`; default Railway's. */
    railwayRegion: z.string().regex(/^[a-z]+-[a-z0-9-]+$/, 'a Railway region looks like "us-west2" or "europe-west4-drams3a"').optional(),
    railwayReplicas: configInt(1, 50).default(1),
    /** Seconds a new deployment has to answer 200 on /health before Railway fails it. */
    railwayHealthcheckTimeoutSeconds: configInt(5, 3600).default(RAILWAY_DEPLOY_DEFAULTS.healthcheckTimeout),
    railwayRestartPolicy: z.enum(RAILWAY_RESTART_POLICIES).default(RAILWAY_DEPLOY_DEFAULTS.restartPolicyType),
    /** Restarts after a crash with the ON_FAILURE policy. */
    railwayRestartMaxRetries: configInt(0, 100).default(RAILWAY_DEPLOY_DEFAULTS.restartPolicyMaxRetries),
    /** Image repository without tag that Catalyst pushes to and Railway pulls from. */
    railwayImageRepository: imageRepositoryOption(
      z.string({ error: (iss) => (iss.input === undefined ? 'required: the repository Catalyst pushes the image to, e.g. "ghcr.io/acme/support-bot"' : 'must be a string') }),
    ),
    /** User for pushing and for Railway's pulls of a private image; the password is `railwayRegistryPassword`. */
    railwayRegistryUsername: z.string().min(1).optional(),
    railwayApiBaseUrl: z.url().default(RAILWAY_API_DEFAULT),
    /** How long `up` waits for a deployment to pass its healthcheck. */
    railwayDeployTimeoutSeconds: configInt(30, 7200).default(900),
    /** Password/token for `railwayRegistryUsername` (set with --secret). */
    railwayRegistryPassword: secretOption('railwayRegistryPassword').optional(),
  })
  .superRefine((c, ctx) => {
    registryPairIssues(c, 'railwayRegistryUsername', 'railwayRegistryPassword', ctx);
    if (c.railwayRestartPolicy !== 'ON_FAILURE' && c.railwayRestartMaxRetries !== RAILWAY_DEPLOY_DEFAULTS.restartPolicyMaxRetries) {
      ctx.addIssue({ code: 'custom', path: ['railwayRestartMaxRetries'], message: '"railwayRestartMaxRetries" applies only to "railwayRestartPolicy" ON_FAILURE' });
    }
  });

export type RailwayConfig = z.infer<typeof railwayConfigSchema>;

export const defaultRailwayProjectName = (project: string, env: string): string => `${project}-${env}`;
