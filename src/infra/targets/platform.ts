/**
 * What the targets that run the app image on a hosting platform (fly, railway, render) check and
 * build alike: the port and env names of the context, the image repository option, and the push
 * credentials of a registry the user names.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import type { TargetContext } from './types.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface EnvRules {
  /** The target sets PORT itself: the secret env must not hold it either. */
  portInEnv: boolean;
  /** A prefix the platform keeps for its own variables, e.g. `{ prefix: 'RAILWAY_', owner: 'Railway' }`. */
  reserved?: { prefix: string; owner: string };
}

/** Throws (naming the target and the arg) when the port or an env name is not usable on the platform. */
export function checkPortAndEnv(target: string, ctx: Pick<TargetContext<unknown>, 'port' | 'plainEnv' | 'secretEnv'>, rules: EnvRules): void {
  if (!Number.isInteger(ctx.port) || ctx.port < 1 || ctx.port > 65535) throw new Error(`${target} target: "port" must be an integer 1–65535, got ${ctx.port}`);
  for (const key of [...Object.keys(ctx.plainEnv), ...Object.keys(ctx.secretEnv)]) {
    if (!ENV_NAME.test(key)) throw new Error(`${target} target: environment variable name "${key}" is not valid (letters, digits, underscore)`);
    if (rules.reserved && key.startsWith(rules.reserved.prefix)) {
      throw new Error(`${target} target: environment variable name "${key}" is reserved by ${rules.reserved.owner} (${rules.reserved.prefix}*)`);
    }
  }
  const clash = Object.keys(ctx.secretEnv).filter((k) => k in ctx.plainEnv || (rules.portInEnv && k === 'PORT'));
  if (clash.length > 0) throw new Error(`${target} target: "${clash.join('", "')}" is in both "plainEnv" and "secretEnv"${rules.portInEnv ? ' (or is PORT)' : ''}`);
}

/** The `<target>ImageRepository` option: `host/path` without tag (`base` may carry its own "required" message). */
export const imageRepositoryOption = (base: z.ZodString = z.string()) =>
  base.regex(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+$/, 'an image repository is "host/path" without tag, e.g. "ghcr.io/acme/support-bot"');

/** The registry user and its `--secret` password come together: the issues of a config that has only one. */
export function registryPairIssues(c: Record<string, unknown>, userKey: string, passwordKey: string, ctx: z.RefinementCtx): void {
  if (c[userKey] && !c[passwordKey]) {
    ctx.addIssue({ code: 'custom', path: [passwordKey], message: `"${userKey}" needs "${passwordKey}" (pulumi config set --secret catalyst:${passwordKey})` });
  }
  if (c[passwordKey] && !c[userKey]) {
    ctx.addIssue({ code: 'custom', path: [userKey], message: `"${passwordKey}" is set but "${userKey}" is not` });
  }
}

/** Push credentials for `repository`'s registry (its first path part), or null without a user and password. */
export function registryOf(
  repository: string,
  username: string | undefined,
  password: pulumi.Output<string> | undefined,
): { address: string; username: string; password: pulumi.Output<string> } | null {
  if (!username || !password) return null;
  return { address: repository.split('/')[0], username, password: pulumi.secret(password) };
}
