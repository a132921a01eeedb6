import { closest } from '../shared/suggest.ts';
import type { Reference } from '../expressions/parse.ts';
import type { AuthModel } from './model.ts';
import { HOP_BY_HOP_HEADERS, type WorkflowFile } from './schema.ts';

type Report = (path: (string | number)[], message: string, fix?: string) => void;

/**
 * Request headers (docs/workflows.md, "Request headers"). A public workflow reads only the headers its
 * webhook trigger declares (`trigger.headers`, lower case); expressions read them as
 * `request.headers.<name>`. A workflow without a route (called, scheduled) has no request, so it
 * declares none and reads none; a workflowCall never forwards headers.
 *
 * Returns the declared names (file order), or [] when the workflow has none or they are not valid.
 */
export function declaredHeaders(wf: WorkflowFile, d: Report): string[] {
  const t = wf.trigger;
  if (!t || t.type !== 'webhook' || !t.headers) return [];
  const seen = new Map<string, number>();
  let ok = true;
  t.headers.forEach((name, j) => {
    const at = ['trigger', 'headers', j];
    const lower = name.toLowerCase();
    if (name !== lower) {
      ok = false;
      d(at, `header "${name}" is written in lower case here (HTTP header names are case-insensitive; request.headers reads them in lower case)`, `write ${lower}`);
    } else if (HOP_BY_HOP_HEADERS.includes(lower)) {
      ok = false;
      d(at, `"${name}" is a hop-by-hop header: it describes one connection (proxies change or drop it), not the request`, 'remove it');
    } else if (seen.has(lower)) {
      ok = false;
      d(at, `header "${name}" is declared twice (also trigger.headers[${seen.get(lower)}])`, 'remove one of them');
    }
    seen.set(lower, j);
  });
  return ok ? [...t.headers] : [];
}

/** Check one `request.…` reference of an expression against the declared headers. */
export function checkHeaderRef(ref: Extract<Reference, { root: 'request' }>, source: string, at: (string | number)[], wf: WorkflowFile, declared: string[], d: Report): void {
  const t = wf.trigger;
  if (!t || t.type !== 'webhook') {
    const why = t?.type === 'schedule' ? 'runs on a schedule' : 'is triggered by calls from other workflows';
    d(at, `{{ ${source} }}: workflow "${wf.name}" ${why}, so it has no request headers`, 'pass the value in the input instead (a workflowCall never forwards headers)');
    return;
  }
  if (ref.header === undefined) return; // all the declared ones
  const name = ref.header;
  if (declared.includes(name)) return;
  if (name !== name.toLowerCase() && declared.includes(name.toLowerCase())) {
    d(at, `{{ ${source} }}: request header names are read in lower case`, `write request.headers${/^[a-z_][a-z0-9_]*$/.test(name.toLowerCase()) ? `.${name.toLowerCase()}` : `['${name.toLowerCase()}']`}`);
    return;
  }
  if (t.headers?.length && !declared.length) return; // the declaration itself is wrong: reported there
  const hint = closest(name.toLowerCase(), declared);
  d(
    at,
    `{{ ${source} }} reads request header "${name}", which trigger.headers does not declare`,
    hint && hint !== name.toLowerCase() ? `did you mean "${hint}"? (or declare it: trigger.headers: [${[...declared, name.toLowerCase()].join(', ')}])` : `declare it: trigger.headers: [${[...declared, name.toLowerCase()].join(', ')}]`,
  );
}

/** Headers that carry credentials whatever the workflow does with them. */
export const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
/** Parts of a header name (split at - and _) that say it carries a credential (x-api-key, x-auth-token, x-authorization, api_key …). */
const CREDENTIAL_PARTS = new Set(['key', 'apikey', 'token', 'secret', 'password', 'passwd', 'auth', 'authorization', 'session', 'credential', 'credentials', 'jwt', 'bearer', 'csrf', 'xsrf', 'cookie']);
/** …and the endings of a part that do (authtoken, accesstoken, csrftoken, clientsecret, apikey). */
const CREDENTIAL_ENDINGS = /(?:token|secret|password|apikey)$/;

function namesCredential(header: string): boolean {
  return header.split(/[-_]/).some((part) => CREDENTIAL_PARTS.has(part) || CREDENTIAL_ENDINGS.test(part));
}

/**
 * The declared headers whose values are secrets while a request runs (redacted from its log lines and
 * answers): authorization, proxy-authorization and cookie, the header of the route's apiKey auth, and any
 * header whose name says it carries a credential. A signature (x-hub-signature-256, the hmac auth's
 * header) is not one: it proves one body, and webhooks commonly log and echo it.
 */
export function credentialHeaders(declared: readonly string[], auth: AuthModel): string[] {
  const authHeader = auth.type === 'apiKey' ? auth.header.toLowerCase() : undefined;
  return declared.filter((h) => CREDENTIAL_HEADERS.includes(h) || h === authHeader || namesCredential(h));
}
