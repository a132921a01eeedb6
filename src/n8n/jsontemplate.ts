import { escapeText, templateParts, translateExpression, translateValueExpression, type ExprScope } from './expr.ts';
import { Unsupported, unsupported } from './issues.ts';
import { JsSyntaxError, parseJs } from './jsparse.ts';

/**
 * JSON parameters (HTTP JSON body/headers/query, Respond to Webhook JSON, Set raw mode). n8n evaluates the
 * `{{ }}` expressions as text first and then parses the result as JSON. We parse the JSON with the
 * expressions still in place: an expression standing for a whole JSON value becomes a typed value, one
 * inside a JSON string becomes part of a string template. Expressions that produce JSON syntax (keys,
 * fragments) cannot be translated.
 */

const OPEN = '\uE000';
const CLOSE = '\uE001';

/** Strip JSON data of our expression syntax: literal `{{` in strings is escaped. */
export function escapeData(v: unknown): unknown {
  if (typeof v === 'string') return escapeText(v);
  if (Array.isArray(v)) return v.map(escapeData);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeData(x)]));
  return v;
}

export function convertJson(raw: unknown, scope: ExprScope, what: string): unknown {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') return escapeData(raw);
  if (!raw.startsWith('=')) {
    try {
      return escapeData(JSON.parse(raw));
    } catch (err) {
      return unsupported('invalid-json', `${what} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const text = raw.slice(1);
  const parts = templateParts(raw);
  const nonBlank = parts.filter((p) => !('text' in p) || p.text.trim() !== '');
  if (nonBlank.length === 1 && 'expr' in nonBlank[0]) return translateValueExpression(nonBlank[0].expr, scope);
  if (parts.every((p) => 'text' in p)) {
    try {
      return escapeData(JSON.parse(text));
    } catch (err) {
      return unsupported('invalid-json', `${what} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const exprs: string[] = [];
  let marked = '';
  for (const p of parts) {
    if ('text' in p) marked += p.text;
    else {
      marked += `${OPEN}${exprs.length}${CLOSE}`;
      exprs.push(p.expr);
    }
  }
  try {
    return new JsonWithExpressions(marked, exprs, scope, what, raw).parse();
  } catch (err) {
    // Expressions that write JSON syntax (keys, entries): n8n's way, as JavaScript — the text first, then JSON.parse.
    if (!(err instanceof Unsupported) || err.code !== 'json-template' || !scope.js) throw err;
    const one = (e: string) => `[(${e.trim().replace(/;\s*$/, '')}\n)].join('')`;
    const textJs = parts.map((p) => ('text' in p ? JSON.stringify(p.text) : one(p.expr))).join(' + ');
    return `{{ ${scope.js(`JSON.parse(${textJs})`).src} }}`;
  }
}

class JsonWithExpressions {
  private i = 0;
  private readonly s: string;
  private readonly exprs: string[];
  private readonly scope: ExprScope;
  private readonly what: string;
  private readonly raw: string;
  constructor(s: string, exprs: string[], scope: ExprScope, what: string, raw: string) {
    this.s = s;
    this.exprs = exprs;
    this.scope = scope;
    this.what = what;
    this.raw = raw;
  }

  private fail(message: string): never {
    throw new Unsupported('json-template', `${this.what}: ${message}`, { expression: this.raw });
  }

  parse(): unknown {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail(this.s[this.i] === OPEN ? 'an expression produces JSON text after a value, which cannot be translated' : `unexpected text after the JSON value at offset ${this.i}`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /[\s]/.test(this.s[this.i])) this.i++;
  }

  private placeholder(): number {
    const close = this.s.indexOf(CLOSE, this.i);
    const n = Number(this.s.slice(this.i + 1, close));
    this.i = close + 1;
    return n;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === OPEN) {
      const n = this.placeholder();
      const next = this.peekNonWs();
      if (next !== undefined && ![',', '}', ']'].includes(next)) this.fail('an expression produces part of the JSON text (not a whole value), which cannot be translated');
      return this.wholeValue(this.exprs[n]);
    }
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const m = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) return this.fail(c === undefined ? 'the JSON ends too early' : `invalid JSON at offset ${this.i} (${JSON.stringify(this.s.slice(this.i, this.i + 12).replace(/[\uE000\uE001]/g, ''))})`);
    this.i += m[0].length;
    if (this.s[this.i] === OPEN) this.fail('an expression is glued to a JSON literal, which cannot be translated');
    return JSON.parse(m[0]);
  }

  private peekNonWs(): string | undefined {
    let j = this.i;
    while (j < this.s.length && /\s/.test(this.s[j])) j++;
    return this.s[j];
  }

  /** An expression standing for a whole JSON value. */
  private wholeValue(js: string): unknown {
    try {
      const ast = parseJs(js);
      // JSON.stringify(x) written into JSON text is just x.
      if (ast.type === 'Call' && ast.args.length === 1 && ast.callee.type === 'Member' && ast.callee.object.type === 'Identifier' && ast.callee.object.name === 'JSON') {
        const prop = ast.callee.property;
        if (prop.type === 'Literal' && prop.value === 'stringify') return translateValueExpression(js.slice(ast.args[0].start, ast.args[0].end), this.scope);
      }
    } catch (err) {
      if (!(err instanceof JsSyntaxError)) throw err;
    }
    const t = translateExpression(js, this.scope);
    // Text written into JSON is parsed by n8n: a string there must itself be JSON.
    if (t.type === 'string') return `{{ parseJson(${t.src}) }}`;
    return `{{ ${t.src} }}`;
  }

  private object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(this.s[this.i] === OPEN ? 'an expression produces a JSON key or entries, which cannot be translated' : `expected a quoted key at offset ${this.i}`);
      const key = this.string();
      if (typeof key !== 'string' || key.includes('{{')) this.fail('expressions in JSON keys cannot be translated');
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected ":" at offset ${this.i}`);
      this.i++;
      out[key as string] = this.value();
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        this.ws();
        if (this.s[this.i] === '}') this.fail('trailing comma in a JSON object');
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      this.fail(this.s[this.i] === OPEN ? 'an expression produces JSON entries, which cannot be translated' : `expected "," or "}" at offset ${this.i}`);
    }
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.fail(`expected "," or "]" at offset ${this.i}`);
    }
  }

  /** A JSON string; expressions inside become a template (a single one keeps string type via str()). */
  private string(): unknown {
    this.i++;
    const parts: ({ text: string } | { expr: string })[] = [];
    let buf = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated JSON string');
      const c = this.s[this.i];
      if (c === '"') break;
      if (c === OPEN) {
        if (buf) parts.push({ text: buf });
        buf = '';
        parts.push({ expr: this.exprs[this.placeholder()] });
        continue;
      }
      if (c === '\\') {
        const e = this.s[this.i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in map) {
          buf += map[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) {
          buf += String.fromCharCode(parseInt(this.s.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else this.fail(`invalid escape in a JSON string at offset ${this.i}`);
        continue;
      }
      if (c === '\n') this.fail('line break inside a JSON string');
      buf += c;
      this.i++;
    }
    this.i++;
    if (buf || parts.length === 0) parts.push({ text: buf });
    if (parts.length === 1 && 'text' in parts[0]) return escapeText(parts[0].text);
    if (parts.length === 1 && 'expr' in parts[0]) {
      const t = translateExpression(parts[0].expr, this.scope, { jsonString: true, text: true });
      return t.type === 'string' ? `{{ ${t.src} }}` : `{{ str(${t.src}) }}`;
    }
    return parts.map((p) => ('text' in p ? escapeText(p.text) : `{{ ${translateExpression(p.expr, this.scope, { jsonString: true, text: true }).src} }}`)).join('');
  }
}
