import { createHash, randomBytes } from 'node:crypto';

/**
 * Salted SHA-256 over a name → value map, for diffing secret values without storing them.
 * The digest is still marked a secret output (a hash of a short secret can be brute-forced);
 * the salt makes it useless across resources and stacks.
 */
export function secretDigest(values: Record<string, string>, salt: string): string {
  const h = createHash('sha256');
  h.update(salt);
  for (const key of Object.keys(values).sort()) {
    h.update('\0');
    h.update(key);
    h.update('\0');
    h.update(values[key]);
  }
  return h.digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** A plain + secret environment as an env resource holds it (Railway variables, Render env vars). */
export interface SplitEnv {
  plain: Record<string, string>;
  secret: Record<string, string>;
}

/** {@link secretDigest} over both halves of an env, each name prefixed with its half. */
export function envDigest(env: SplitEnv, salt: string): string {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(env.plain)) all[`plain:${k}`] = v;
  for (const [k, v] of Object.entries(env.secret)) all[`secret:${k}`] = v;
  return secretDigest(all, salt);
}

/** What an env resource keeps of its env in the state: the names, the salt and the digest (no value). */
export function envState(env: SplitEnv, salt: string): { plainKeys: string[]; secretKeys: string[]; salt: string; digest: string } {
  return { plainKeys: Object.keys(env.plain).sort(), secretKeys: Object.keys(env.secret).sort(), salt, digest: envDigest(env, salt) };
}
