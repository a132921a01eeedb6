/**
 * Platform resource names derived from `<project>-<env>`: each platform has its own alphabet and
 * length limit, so names are normalized and, when too long, shortened with a stable hash suffix
 * (the same stack always gets the same names).
 */
import { createHash } from 'node:crypto';

export function shortHash(text: string, length = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * Lower-case letters, digits and `-`; starts with a letter; no trailing `-`; at most `max` characters
 * (shortened as `<prefix>-<hash6>` when longer).
 */
export function dnsName(text: string, max: number): string {
  let s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(s)) s = `c-${s}`;
  if (s.length <= max) return s;
  const hash = shortHash(text);
  return `${s.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** A label value for GCP (lower-case letters, digits, `_` and `-`, at most 63 characters). */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 63);
}

/** `CATALYST_PEER_<PROJECT_UPPER_SNAKE>_URL`: the env var a generated app reads a peer's URL from. */
export function peerEnvName(project: string): string {
  return `CATALYST_PEER_${project.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;
}
