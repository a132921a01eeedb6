/**
 * Cross-project call authentication (docs/security.md, "Cross-project calls"): the names the
 * callee's stack, the caller's stack and both generated apps share.
 *
 * A project whose authenticated public workflows are called by other projects has a peer key: the
 * secret stack config `catalyst:peerKey` (and, during a rotation, `catalyst:peerKeyPrevious`). Its app
 * reads them as CATALYST_PEER_KEY / CATALYST_PEER_KEY_PREVIOUS and accepts either in the
 * X-Catalyst-Peer-Key header on those workflows, besides their own `auth:`. Its stack exports the
 * current key as the secret output `peerKey`; each caller's stack reads it by StackReference and hands
 * it to its app as CATALYST_PEER_<PROJECT>_KEY, which the app sends on every call to that project.
 */

/** The request header a caller sends the callee's peer key in. */
export const PEER_KEY_HEADER = 'X-Catalyst-Peer-Key';

/** Stack config keys (without `catalyst:`) of the callee's peer key: the current one, and the previous one during a rotation. */
export const PEER_KEY_CONFIG = 'peerKey';
export const PEER_KEY_PREVIOUS_CONFIG = 'peerKeyPrevious';

/** The callee app's variables holding its accepted peer keys. */
export const PEER_KEY_ENV = 'CATALYST_PEER_KEY';
export const PEER_KEY_PREVIOUS_ENV = 'CATALYST_PEER_KEY_PREVIOUS';

/** `CATALYST_PEER_<PROJECT_UPPER_SNAKE>_KEY`: the caller app's variable holding a peer project's key. */
export function peerKeyEnvName(project: string): string {
  return `CATALYST_PEER_${project.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_KEY`;
}
