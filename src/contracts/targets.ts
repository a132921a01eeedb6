/**
 * The deploy targets Catalyst knows: the one list of their names. The stack config (`catalyst:target`),
 * the target registry (src/infra/targets/index.ts, typed by this list so a name without an
 * implementation does not compile), the stack outputs contract and the report all read it.
 * Adding a target: its name here, its folder under src/infra/targets/, its line in that registry.
 */
export const TARGET_NAMES = ['cloudrun', 'fly', 'render', 'railway', 'local', 'docker'] as const;

export type TargetName = (typeof TARGET_NAMES)[number];

export function isTargetName(name: unknown): name is TargetName {
  return typeof name === 'string' && (TARGET_NAMES as readonly string[]).includes(name);
}
