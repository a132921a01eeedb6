/**
 * JavaScript node code as the generated app runs it. A node's code runs as a plain (not async) function
 * inside one V8 context whose time limit covers only synchronous work, so every `await x` becomes
 * `__catalyst.awaited(x)`, which passes values through and refuses promises: JavaScript nodes have no
 * network, timers or other I/O that a promise could wait on.
 */
import { parseFunctionBody } from '../definitions/javascript.ts';

interface AstNode {
  type: string;
  start: number;
  end: number;
  argument?: AstNode;
  [key: string]: unknown;
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  if (!node || typeof node !== 'object' || typeof (node as AstNode).type !== 'string') return;
  visit(node as AstNode);
  for (const [k, v] of Object.entries(node)) if (k !== 'loc' && v && typeof v === 'object') walk(v, visit);
}

/** The code with each `await x` replaced by `__catalyst.awaited(x)` (unchanged when it does not parse). */
export function syncAwait(code: string): string {
  if (!/\bawait\b/.test(code)) return code;
  const parsed = parseFunctionBody(code);
  if (!parsed.ok) return code;
  const edits: { at: number; remove: number; text: string }[] = [];
  walk(parsed.ast, (n) => {
    if (n.type !== 'AwaitExpression' || !n.argument) return;
    edits.push({ at: n.start, remove: n.argument.start - n.start, text: '__catalyst.awaited(' });
    edits.push({ at: n.argument.end, remove: 0, text: ')' });
  });
  edits.sort((a, b) => b.at - a.at);
  let out = code;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at + e.remove);
  return out;
}
