import { describeNode, type Converted, type NodeEnv } from '../context.ts';
import { param } from '../defaults.ts';
import { unsupported } from '../issues.ts';
import { baseView, type View } from '../views.ts';

/** Merge: append / pass-through joins branches (no node); combine by position → merge. */

export type MergeKind = 'join' | 'combine';

/** How a Merge node maps: append/pass-through joins branches; combine-by-position merges fields. */
export function mergeKind(n: { type: string; typeVersion: number; parameters: Record<string, unknown> }): MergeKind {
  const node = n as Parameters<typeof param>[0];
  const mode = param<string>(node, 'mode', 'append');
  const v = n.typeVersion;
  if (mode === 'append' || (v < 2 && mode === 'passThrough')) return 'join';
  if (v < 2 && mode === 'mergeByIndex') return 'combine';
  if (mode === 'combine') {
    const by = v < 3 ? param<string>(node, 'combinationMode', 'mergeByFields') : param<string>(node, 'combineBy', 'combineByFields');
    if (by === 'mergeByPosition' || by === 'combineByPosition') return 'combine';
    return unsupported('merge-mode', `combining items by ${by === 'combineAll' || by === 'multiplex' ? 'all combinations' : 'matching fields'} works on lists of items; a Catalyst workflow handles one item`, { parameter: v < 3 ? 'combinationMode' : 'combineBy' });
  }
  return unsupported('merge-mode', `merge mode "${mode}" is not supported (append and combine by position are)`, { parameter: 'mode' });
}

export function convertMergeCombine(env: NodeEnv, inputs: { view: View; from?: string }[]): Converted {
  for (const i of inputs) {
    const whole = (() => {
      try {
        return i.view.whole().src;
      } catch {
        return undefined;
      }
    })();
    if (!i.from || whole !== `nodes.${i.from}`) {
      unsupported('merge-input', `combining by position needs inputs whose items are whole node outputs; ${i.view.label} is not`);
    }
  }
  const keys = inputs.every((i) => i.view.keys) ? [...new Set(inputs.flatMap((i) => i.view.keys!))] : undefined;
  return {
    nodes: [{ id: env.id, type: 'merge', description: describeNode(env.n8n), mode: 'object' }],
    view: baseView(`the output of merge node "${env.n8n.name}"`, `nodes.${env.id}`, keys),
  };
}
