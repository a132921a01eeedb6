import type { NodeDef } from './schema.ts';

type HttpRequestNode = Extract<NodeDef, { type: 'httpRequest' }>;

type Report = (path: (string | number)[], message: string, fix?: string, key?: boolean) => void;

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * The body of an httpRequest node with bodyType form or multipart: a flat map of field name → text
 * (a string that may hold {{ expressions }}, a number or a boolean), or a list of texts (the field is
 * sent once per item, in order). Nested objects are refused, and so are file fields: Catalyst sends
 * text parts only. bodyType text: the body is one text, sent with the node's Content-Type header. GET
 * requests carry none of these.
 */
export function checkHttpBody(n: HttpRequestNode, i: number, d: Report): void {
  if (n.bodyType === 'json') return;
  const what = { form: 'a form body', multipart: 'a multipart body', text: 'a text body' }[n.bodyType];
  if (n.body === undefined) return d(['nodes', i, 'bodyType'], `bodyType: ${n.bodyType} needs a body`, n.bodyType === 'text' ? 'add body: "…", or remove bodyType' : 'add body: {field: "{{ input.value }}"}, or remove bodyType', true);
  if (n.method === 'GET') d(['nodes', i, 'method'], `a GET request carries no body, so it cannot send ${what}`, `use method: POST (or PUT, PATCH)${n.bodyType === 'text' ? '' : ', or send the fields as query:'}`);
  if (n.bodyType === 'text') {
    if (typeof n.body !== 'string') d(['nodes', i, 'body'], 'a text body is a text (it may hold {{ expressions }})', 'quote it, e.g. body: "<note>{{ input.text }}</note>"; for JSON use bodyType: json');
    return;
  }
  const contentType = Object.keys(n.headers).find((h) => h.toLowerCase() === 'content-type');
  if (contentType) d(['nodes', i, 'headers', contentType], `bodyType: ${n.bodyType} sets the Content-Type header itself (with the multipart boundary)`, 'remove the Content-Type header', true);
  if (n.body === null || typeof n.body !== 'object' || Array.isArray(n.body)) {
    return d(['nodes', i, 'body'], `${what} is a map of field names to values`, 'write body: {name: "{{ input.name }}", tags: [a, b]}');
  }
  for (const [k, v] of Object.entries(n.body as Record<string, unknown>)) {
    if (k === '') d(['nodes', i, 'body', k], 'a form field needs a name', 'give the field a name', true);
    if (isScalar(v)) continue;
    if (Array.isArray(v)) {
      v.forEach((item, j) => {
        if (!isScalar(item)) d(['nodes', i, 'body', k, j], `the items of form field "${k}" are texts, numbers or booleans (${what} has no nested values)`, `make it a text, e.g. "{{ input.${k} }}"`);
      });
      continue;
    }
    const file = v !== null && typeof v === 'object' && ['file', 'filename', 'binary', 'content'].some((x) => x in v);
    d(
      ['nodes', i, 'body', k],
      file ? `form field "${k}" looks like a file; Catalyst sends text fields only (no file uploads)` : `form field "${k}" is an object; ${what} holds texts, numbers, booleans and lists of them`,
      file ? 'send the file from another service, or its text content as a field' : `flatten it into fields (e.g. "${k}[name]": …), or use bodyType: json`,
    );
  }
}
