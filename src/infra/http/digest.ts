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
