/**
 * The `encryptionsalt` of a stack that uses Pulumi's passphrase secrets provider, written by
 * `catalyst stack init` so that Pulumi has nothing to add to the committed stack file on first use
 * (a stack file without it is rewritten by the first preview or up). Pulumi's format:
 * `v1:<base64 8-byte salt>:v1:<base64 12-byte nonce>:<base64 AES-256-GCM of "pulumi">`, the key
 * being PBKDF2-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes); Pulumi checks a passphrase
 * by decrypting that message.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCAL_DEV_PASSPHRASE } from './pulumi.ts';

const ITERATIONS = 1_000_000;

function key(passphrase: string, salt: Buffer): Buffer {
  return pbkdf2Sync(passphrase, salt, ITERATIONS, 32, 'sha256');
}

/** A new `encryptionsalt` value for `passphrase`. */
export function encryptionSalt(passphrase: string): string {
  const salt = randomBytes(8);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(passphrase, salt), nonce);
  const sealed = Buffer.concat([cipher.update('pulumi', 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1:${salt.toString('base64')}:v1:${nonce.toString('base64')}:${sealed.toString('base64')}`;
}

/** True when `passphrase` opens `salt` (what Pulumi checks before using a stack's secrets). */
export function saltMatches(salt: string, passphrase: string): boolean {
  const parts = salt.split(':');
  if (parts.length !== 5 || parts[0] !== 'v1' || parts[2] !== 'v1') return false;
  const [s, nonce, sealed] = [parts[1], parts[3], parts[4]].map((p) => Buffer.from(p, 'base64'));
  try {
    const d = createDecipheriv('aes-256-gcm', key(passphrase, s), nonce);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]).toString('utf8') === 'pulumi';
  } catch {
    return false;
  }
}

/**
 * The passphrase Pulumi will use for `stack`, as Pulumi reads it: PULUMI_CONFIG_PASSPHRASE (even
 * empty), else the trimmed contents of PULUMI_CONFIG_PASSPHRASE_FILE, else for `*.local` stacks the
 * documented development passphrase (what `catalyst up` sets). Undefined when none is known.
 */
export function knownPassphrase(stack: string, env: NodeJS.ProcessEnv, cwd: string): { passphrase: string; source: string } | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return { passphrase: env.PULUMI_CONFIG_PASSPHRASE, source: 'PULUMI_CONFIG_PASSPHRASE' };
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    return { passphrase: readFileSync(resolve(cwd, env.PULUMI_CONFIG_PASSPHRASE_FILE), 'utf8').trim(), source: 'PULUMI_CONFIG_PASSPHRASE_FILE' };
  }
  if (stack.endsWith('.local')) return { passphrase: LOCAL_DEV_PASSPHRASE, source: 'the development passphrase of *.local stacks' };
  return undefined;
}
