/**
 * Translates n8n expressions (JavaScript inside `{{ … }}`) and parameter templates into our expression
 * language. The supported subset is listed in docs/n8n-import.md; everything else throws Unsupported
 * with the reason, or runs as JavaScript in the app where the node allows it (RUNS_AS_JS). The
 * translator itself is in translate/.
 */
import { ExpressionError, parseExpression } from '../expressions/parse.ts';
import { Unsupported, unsupported } from './issues.ts';
import { JsSyntaxError, parseJs, splitN8nTemplate } from './jsparse.ts';
import { itemRoot } from './translate/items.ts';
import { Translator } from './translate/translator.ts';
import { call, flatten, litTx, type ExprScope } from './translate/tx.ts';
import { NULL, type Tx } from './views.ts';

export type { ExprScope };

/** Refusals of the translator that running the expression as JavaScript resolves. */
const RUNS_AS_JS = new Set([
  'date', 'regex', 'function', 'spread', 'operator', 'method', 'object-literal', 'new', 'math', 'object-fn', 'json-indent', 'parse-int-radix',
  'substring', 'negative-index', 'call', 'optional-call', 'call-arity', 'unsupported-call', 'translation', 'syntax', 'items', 'workflow-meta', 'item-object',
  'template-list', 'js-global',
]);

/** Translate, or (for what only JavaScript can express) run it as JavaScript when the scope allows. */
function orJs<T>(js: string, scope: ExprScope, translate: () => T, fromTx: (t: Tx) => T): T {
  try {
    return translate();
  } catch (err) {
    if (scope.js && err instanceof Unsupported && RUNS_AS_JS.has(err.code)) return fromTx(scope.js(js));
    throw err;
  }
}

// ---------------------------------------------------------------- entry points

function checked(src: string, expression: string): string {
  try {
    parseExpression(src);
  } catch (err) {
    if (err instanceof ExpressionError) throw new Unsupported('translation', `the translation \`${src}\` is not a valid Catalyst expression: ${err.message}`, { expression });
    throw err;
  }
  return src;
}

function withExpression<T>(expression: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Unsupported) {
      err.expression ??= expression;
      throw err;
    }
    if (err instanceof JsSyntaxError) throw new Unsupported('syntax', `cannot parse the n8n expression: ${err.message}`, { expression });
    throw err;
  }
}

/**
 * Translate one n8n expression (the JavaScript between `{{ }}`) to our expression source. `text`: the
 * value is interpolated into text (a list becomes its items joined by ",", as n8n does).
 */
export function translateExpression(js: string, scope: ExprScope, opts: { jsonString?: boolean; text?: boolean } = {}): Tx {
  const translate = () =>
    withExpression(js, () => {
      const t = new Translator(scope, js, opts.jsonString);
      const ast = parseJs(js);
      const tx = opts.text ? t.textPart(ast) : t.expr(ast);
      checked(tx.src, js);
      return tx;
    });
  // Run as JavaScript, a value for text becomes text as n8n makes it: [v].join('') (null → '', lists flattened).
  const body = js.trim().replace(/[\s;]+$/, '');
  const source = opts.text ? `[${body}${body.includes('//') ? '\n' : ''}].join('')` : js;
  return orJs(source, scope, translate, (t) => t);
}

/** Translate one n8n expression used as a whole parameter value: may produce an object. */
export function translateValueExpression(js: string, scope: ExprScope): unknown {
  return orJs(
    js,
    scope,
    () =>
      withExpression(js, () => {
        const v = new Translator(scope, js).value(parseJs(js));
        checkValue(v, js);
        return v;
      }),
    (t) => `{{ ${t.src} }}`,
  );
}

function checkValue(v: unknown, js: string): void {
  if (typeof v === 'string' && v.startsWith('{{ ') && v.endsWith(' }}')) checked(v.slice(3, -3), js);
  else if (Array.isArray(v)) v.forEach((x) => checkValue(x, js));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => checkValue(x, js));
}

/**
 * The parts of an n8n template parameter (`=` then text with `{{ js }}`); an expression that does not
 * parse is the import problem `syntax`, naming the parameter as written.
 */
export function templateParts(raw: string): ReturnType<typeof splitN8nTemplate> {
  try {
    return splitN8nTemplate(raw.slice(1));
  } catch (err) {
    if (err instanceof JsSyntaxError) throw new Unsupported('syntax', `cannot parse the n8n expression: ${err.message}`, { expression: raw });
    throw err;
  }
}

/** True when an n8n parameter is exactly one expression reading a whole item (`={{ $json }}`, `={{ $('X').item.json }}`). */
export function isWholeItem(raw: unknown, scope: ExprScope): boolean {
  if (typeof raw !== 'string' || !raw.startsWith('=')) return false;
  try {
    const parts = splitN8nTemplate(raw.slice(1));
    if (parts.length !== 1 || !('expr' in parts[0])) return false;
    const { root, segs } = flatten(parseJs(parts[0].expr));
    const item = itemRoot(new Translator(scope, parts[0].expr), root, segs);
    return !!item && 'view' in item && item.rest.length === 0;
  } catch {
    return false;
  }
}

/** Escape literal text for our templates: a literal `{{` is written `\{{`. */
export function escapeText(s: string): string {
  return s.replace(/\{\{/g, '\\{{');
}

/** True when an n8n parameter string is an expression (starts with `=`). */
export function isN8nExpression(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('=');
}

/**
 * Convert an n8n parameter value to our definition value. Strings starting with `=` are n8n templates:
 * text mixed with `{{ js }}`. A template that is exactly one expression keeps the expression's type (and
 * an object literal becomes an object). `want: 'string'` forces a text result.
 */
export function convertValue(raw: unknown, scope: ExprScope, want: 'any' | 'string' = 'any'): unknown {
  if (typeof raw !== 'string') return raw === undefined ? null : raw;
  if (!raw.startsWith('=')) return escapeText(raw);
  const text = raw.slice(1);
  const parts = templateParts(raw);
  const exprs = parts.filter((p) => 'expr' in p);
  if (exprs.length === 0) return escapeText(text);
  if (parts.length === 1 && 'expr' in parts[0]) {
    const js = parts[0].expr;
    if (want === 'string') {
      const t = translateExpression(js, scope);
      return t.type === 'string' ? `{{ ${t.src} }}` : `{{ str(${t.src}) }}`;
    }
    return translateValueExpression(js, scope);
  }
  let out = '';
  for (const p of parts) {
    if ('text' in p) out += escapeText(p.text);
    else {
      out += `{{ ${translateExpression(p.expr, scope, { text: true }).src} }}`;
    }
  }
  return out;
}

/** The expression (as a Tx) for a parameter used inside a larger expression (conditions, comparisons). */
export function convertToTx(raw: unknown, scope: ExprScope): Tx {
  if (raw === undefined || raw === null) return NULL;
  if (typeof raw === 'number' || typeof raw === 'boolean') return litTx(raw);
  if (typeof raw !== 'string') return unsupported('value', `unsupported parameter value ${JSON.stringify(raw).slice(0, 40)}`);
  if (!raw.startsWith('=')) return litTx(raw);
  const parts = templateParts(raw);
  if (parts.length === 1 && 'text' in parts[0]) return litTx(parts[0].text);
  if (parts.length === 1 && 'expr' in parts[0]) return translateExpression(parts[0].expr, scope);
  const txs = parts.map((p) => ('text' in p ? litTx(p.text) : translateExpression(p.expr, scope, { text: true })));
  if (txs[0].type !== 'string') txs.unshift(litTx(''));
  return call('concat', txs, 'string');
}

export { litTx };
