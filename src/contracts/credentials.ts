/**
 * Where the pipeline's secrets go: the one place that names them. Target credentials can come from
 * the stack's secret config (`pulumi config set --secret catalyst:<key>`, encrypted in the committed
 * stack file) or, when the stack does not hold them, from an environment variable of the same
 * meaning: the GitHub secret the generated pipeline passes to that target's jobs. The program reads
 * the config key first, else the variable (src/infra/credentials.ts); the preflight accepts either;
 * `catalyst ci init` passes exactly these variables; docs/gitops.md lists them from here.
 */
import type { TargetName } from './targets.ts';

export interface Credential {
  /** The target that needs it. */
  target: TargetName;
  /** The environment variable (and GitHub secret) that feeds the config key. */
  env: string;
}

/** Config key (without `catalyst:`) → the target and the environment variable that feeds it. */
export const CREDENTIAL_ENV: Readonly<Record<string, Credential>> = {
  flyApiToken: { target: 'fly', env: 'FLY_API_TOKEN' },
  renderApiKey: { target: 'render', env: 'RENDER_API_KEY' },
  railwayToken: { target: 'railway', env: 'RAILWAY_API_TOKEN' },
};

/** GitHub secrets for Pulumi's state backend (Pulumi reads them from the environment). */
export const STATE_BACKEND_SECRETS = ['PULUMI_ACCESS_TOKEN', 'PULUMI_BACKEND_URL', 'PULUMI_CONFIG_PASSPHRASE'] as const;

/** The value of the variable that feeds `key`, when it is set and not empty. */
export function credentialFromEnv(key: string, env: NodeJS.ProcessEnv): string | undefined {
  const name = CREDENTIAL_ENV[key]?.env;
  const value = name ? env[name] : undefined;
  return value ? value : undefined;
}

/** The environment variables (GitHub secrets) a target's deploy job needs, sorted. */
export function credentialEnvsOf(target: string | null): string[] {
  return Object.values(CREDENTIAL_ENV)
    .filter((c) => c.target === target)
    .map((c) => c.env)
    .sort();
}
