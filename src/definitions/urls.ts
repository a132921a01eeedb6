/**
 * Outgoing URL rules (issue 15, finding 2; docs/security.md "Outgoing calls").
 *
 * The scheme, host and port of every outgoing URL (httpRequest `url`, llm `baseUrl`) are fixed when the
 * app is built: literal text or settings (`env.X`). Request data (`input`, `nodes`) may only follow the
 * origin, after a literal `/`, `?` or `#`, and each piece is percent-encoded at run time (codegen: see
 * `urlEncodedPart`). A node that needs a host chosen at run time declares `allowHosts: [host, …]`
 * (checked at run time) or `allowHosts: any`, which only a node that sends no secret may use.
 */
import type { Value } from '../expressions/value.ts';
import type { ParsedExpression } from '../expressions/parse.ts';

/** A host pattern in allowHosts: a host name, or `*.` and a domain (any subdomain of it). */
export const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export type AllowHosts = 'any' | string[] | undefined;

export interface UrlProblem {
  message: string;
  fix: string;
}

/** Only settings (env) and literals: fixed when the app is deployed. */
function fixedAtBuild(e: ParsedExpression): boolean {
  return e.refs.every((r) => r.root === 'env');
}

/** True when codegen must percent-encode this template part of an outgoing URL (request data). */
export function urlEncodedPart(e: ParsedExpression): boolean {
  return !fixedAtBuild(e);
}

/** What is wrong with the URL of a node (undefined when it follows the rules). */
export function checkOutgoingUrl(value: Value | undefined, allowHosts: AllowHosts, sendsSecret: boolean, field: string): UrlProblem | undefined {
  if (allowHosts === 'any') {
    if (sendsSecret) return { message: 'allowHosts: any sends this node\'s secret to whatever host the URL names at run time', fix: 'list the hosts the secret may go to: allowHosts: [api.example.com]' };
    return undefined;
  }
  if (allowHosts !== undefined || value === undefined || value.kind === 'literal') return undefined;
  const fix = `fix the scheme and host when the app is built, e.g. ${field}: "https://api.example.com/items/{{ input.id }}" or "{{ env.API_BASE }}/items/{{ input.id }}"; or declare the hosts: allowHosts: [api.example.com]${sendsSecret ? '' : ' (or allowHosts: any, for a node that sends no secret)'}`;
  if (value.kind === 'expr') {
    if (fixedAtBuild(value.expr)) return undefined;
    return { message: `the whole ${field} comes from request data ({{ ${value.expr.source.trim()} }}), so a caller chooses the host it is sent to`, fix };
  }
  if (value.kind !== 'template') return { message: `${field} must be text`, fix };
  // The origin ends at the first `/`, `?` or `#` after `scheme://` (or, when an env setting starts the
  // URL, at the first such character of literal text after it); request data may only come after it.
  let seen = '';
  let envStart = false;
  for (const p of value.parts) {
    if ('text' in p) {
      const text = seen + p.text;
      const scheme = text.indexOf('://');
      const from = scheme >= 0 ? scheme + 3 : envStart ? seen.length : -1;
      if (from >= 0 && /[/?#]/.test(text.slice(from))) return undefined;
      seen = text;
      continue;
    }
    if (fixedAtBuild(p.expr)) {
      if (seen === '') envStart = true;
      continue;
    }
    return { message: `{{ ${p.expr.source.trim()} }} is request data inside the scheme, host or port of ${field}, so a caller can choose where the request (and any secret) goes`, fix };
  }
  return undefined;
}
