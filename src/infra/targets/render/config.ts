/**
 * Stack config of the `render` target: `catalyst:<key>` (docs/targets-fly-render.md).
 * The API key is not here: it is the secret config `catalyst:renderApiKey` (the target's
 * `secretKeys`), read as a secret Output (./index.ts). The optional registry password is an option
 * set with `--secret`, so it arrives as a secret handle.
 */
import { z } from 'zod';
import { configInt, secretOption } from '../../options.ts';
import { imageRepositoryOption, registryPairIssues } from '../platform.ts';

export const RENDER_API_DEFAULT = 'https://api.render.com/v1';

/** Enums of the Render API description (`#/components/schemas/region`, `paidPlan`). */
export const RENDER_REGIONS = ['frankfurt', 'oregon', 'ohio', 'singapore', 'virginia'] as const;
export const RENDER_PLANS = ['starter', 'standard', 'pro', 'pro_plus', 'pro_max', 'pro_ultra'] as const;

export const renderConfigSchema = z
  .object({
  /** Owner (workspace/team) id, `usr-…` or `tea-…` (`GET /owners`). */
  renderOwnerId: z.string().regex(/^(usr|tea)-[a-z0-9]+$/, 'a Render owner id looks like "usr-…" or "tea-…" (see GET /v1/owners)'),
  /** Service name; default `<project>-<env>`. */
  renderServiceName: z.string().min(1).max(100).optional(),
  renderRegion: z.enum(RENDER_REGIONS).default('oregon'),
  renderPlan: z.enum(RENDER_PLANS).default('starter'),
  renderNumInstances: configInt(1, 100).default(1),
  /** Image repository without tag (`ghcr.io/acme/support-bot`, `docker.io/acme/support-bot`). */
  renderImageRepository: imageRepositoryOption(),
  /** Render registry credential (`rgc-…`) Render pulls a private image with. */
  renderRegistryCredentialId: z.string().min(1).optional(),
  /** User for pushing to the repository; the password is the secret `catalyst:renderRegistryPassword`. */
  renderRegistryUsername: z.string().min(1).optional(),
  /** Overrides the image's command (Render `dockerCommand`). */
  renderDockerCommand: z.string().min(1).optional(),
  renderApiBaseUrl: z.url().default(RENDER_API_DEFAULT),
  /** How long `up` waits for a deploy to go live. */
  renderDeployTimeoutSeconds: configInt(30, 7200).default(900),
  /** Password/token for `renderRegistryUsername` (set with --secret). */
  renderRegistryPassword: secretOption('renderRegistryPassword').optional(),
})
  .superRefine((c, ctx) => {
    registryPairIssues(c, 'renderRegistryUsername', 'renderRegistryPassword', ctx);
  });

export type RenderConfig = z.infer<typeof renderConfigSchema>;

export function defaultRenderServiceName(project: string, env: string): string {
  return `${project}-${env}`;
}
