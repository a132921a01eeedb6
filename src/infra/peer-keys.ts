/**
 * The callee's side of cross-project call authentication (src/contracts/peer-key.ts): the secret
 * stack config `catalyst:peerKey` (required when another project calls an authenticated workflow of
 * this one) and `catalyst:peerKeyPrevious` (optional, during a rotation), checked like declared
 * secrets: set, set as secrets, at least MIN_SECRET_LENGTH characters.
 */
import type * as pulumi from '@pulumi/pulumi';
import { PEER_KEY_CONFIG, PEER_KEY_PREVIOUS_CONFIG } from '../contracts/peer-key.ts';
import { plainTextSecretProblem, setSecretCommand, shortSecretProblem, type ConfigProblem } from './config-problems.ts';
import { isSecretHandle } from './options.ts';

export const PEER_KEY_KEYS = [PEER_KEY_CONFIG, PEER_KEY_PREVIOUS_CONFIG] as const;

export interface PeerKeys {
  current: pulumi.Output<string>;
  previous: pulumi.Output<string> | null;
}

/** What the check reads (a subset of config.ts's Check). */
interface PeerKeyInput {
  stack: string;
  values: Record<string, unknown>;
  secretKeys: ReadonlySet<string>;
  shortSecretKeys: ReadonlySet<string>;
  problems: ConfigProblem[];
  warnings: string[];
  requireSecrets: boolean;
}

/**
 * Checks `catalyst:peerKey` and `catalyst:peerKeyPrevious`; `keyed` are the project's workflows that
 * other projects call with its peer key (none: the keys are not needed, and a set one is a warning).
 */
export function checkPeerKeys(c: PeerKeyInput, project: string, keyed: readonly string[]): PeerKeys | null {
  const read = (key: string): pulumi.Output<string> | null => {
    const v = c.values[key];
    if (v === undefined) return null;
    if (!c.secretKeys.has(key) || !isSecretHandle(v)) c.problems.push(plainTextSecretProblem(c.stack, key));
    else if (c.shortSecretKeys.has(key)) c.problems.push(shortSecretProblem(c.stack, key));
    else return v as pulumi.Output<string>;
    return null;
  };
  const set = PEER_KEY_KEYS.filter((k) => c.values[k] !== undefined);
  if (!keyed.length) {
    for (const k of set) c.warnings.push(`catalyst:${k} is set, but no other project calls an authenticated workflow of project ${project}, so nothing uses it; if that stays so: pulumi config rm catalyst:${k} --stack ${c.stack}`);
    return null;
  }
  const current = read(PEER_KEY_CONFIG);
  const previous = read(PEER_KEY_PREVIOUS_CONFIG);
  if (c.values[PEER_KEY_CONFIG] === undefined && c.requireSecrets) {
    c.problems.push({
      key: `catalyst:${PEER_KEY_CONFIG}`,
      message: `other projects call ${keyed.join(', ')} of project ${project} (auth other than none), so the stack needs the peer key they present; it is not set`,
      fix: `${setSecretCommand(c.stack, PEER_KEY_CONFIG)} (a random value of at least 32 characters, e.g. from: openssl rand -hex 32)`,
    });
  }
  return current ? { current, previous } : null;
}
