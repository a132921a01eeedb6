import { compileValue } from '../../expressions/value.ts';
import { checkOutgoingUrl, HOST_PATTERN } from '../../definitions/urls.ts';
import type { NodeEnv } from '../context.ts';

/**
 * The outgoing-URL rule (docs/security.md, "Outgoing calls") for imported HTTP nodes: the scheme and host
 * are fixed when the app is built, or the node lists the hosts it may call (allowHosts, checked at run
 * time before anything is sent). n8n workflows often keep the base URL in a Set node or build the URL in
 * a Code node; these helpers keep such imports working without letting a run choose the host.
 */

/**
 * A URL whose scheme or host is read from an earlier node breaks the outgoing-URL rule (the host must be
 * fixed when the app is built), unless what it reads is plain text that node always outputs: a Set node's
 * field set to a literal ("Base URL" constants). Those parts are written into the URL, so the host is
 * fixed and no run can change it; anything else is left for the rule to report.
 */
export function fixedHost(env: NodeEnv, url: unknown): unknown {
  if (typeof url !== 'string' || !checkOutgoingUrl(compileValue(url, []), undefined, true, 'url')) return url;
  const folded = url.replace(/\{\{(.*?)\}\}/gs, (whole, src: string) => literalOutput(env, src.trim()) ?? whole);
  if (folded === url || checkOutgoingUrl(compileValue(folded, []), undefined, true, 'url')) return url;
  env.issue('note', 'http-fixed-host', 'the URL reads plain text an earlier node always outputs (a Set node constant); it is written into the URL, so the host is fixed when the app is built', { parameter: 'url' });
  return folded;
}

/** The literal string `nodes.<id>.<path>` (optionally inside str()) always is: a transform's plain-text field. */
function literalOutput(env: NodeEnv, src: string): string | undefined {
  const m = /^(?:str\((.*)\)|(.*))$/s.exec(src)!;
  const ref = /^nodes\.([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_$][A-Za-z0-9_$]*|\['(?:[^'\\]|\\.)*'\])+)$/.exec(m[1] ?? m[2]);
  if (!ref) return undefined;
  const node = env.converted(ref[1]);
  if (node?.type !== 'transform') return undefined;
  let value: unknown = node.set;
  for (const k of ref[2].matchAll(/\.([A-Za-z_$][A-Za-z0-9_$]*)|\['((?:[^'\\]|\\.)*)'\]/g)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const key = k[1] ?? k[2].replace(/\\(.)/g, '$1');
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  // plain text only: nothing the template language would read as an expression or an escape
  return typeof value === 'string' && !/[{}\\]/.test(value) ? value : undefined;
}

/**
 * The hosts written as URL literals (`https://host…`) in the code of the Code nodes the URL reads, when
 * there are one to three of them: the allowHosts of a credentialed node whose URL such code builds. A
 * run that builds any other URL is refused before sending, so the credential only ever goes to these.
 */
export function codeHosts(env: NodeEnv, url: string): string[] | undefined {
  const hosts = new Set<string>();
  for (const m of url.matchAll(/\bnodes\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const node = env.converted(m[1]);
    if (!node || (node.type !== 'javascript' && node.type !== 'code') || typeof node.code !== 'string') continue;
    for (const h of node.code.matchAll(/\bhttps?:\/\/([A-Za-z0-9.-]+)/g)) hosts.add(h[1].toLowerCase());
  }
  const list = [...hosts].sort();
  return list.length >= 1 && list.length <= 3 && list.every((h) => HOST_PATTERN.test(h)) ? list : undefined;
}
