/**
 * The translator of one n8n expression (JavaScript) into our expression language: operators, literals,
 * templates and member chains here; item access, globals and methods in their own files. What it cannot
 * express throws Unsupported with a code (see RUNS_AS_JS in ../expr.ts) and the reason.
 */
import { unsupported } from '../issues.ts';
import type { JsNode } from '../jsparse.ts';
import { path, type Key, type Tx } from '../views.ts';
import { globalValue } from './globals.ts';
import { itemRoot } from './items.ts';
import { method } from './methods.ts';
import { atom, call, containsObject, describe, flatten, litTx, op, paren, scalarList, staticKey, type Ctx, type ExprScope, type Seg } from './tx.ts';

export class Translator implements Ctx {
  readonly scope: ExprScope;
  readonly src: string;
  /** Inside a JSON string: `.replaceAll('"', '\\"')` (escaping for JSON text) is not needed in our templates. */
  readonly jsonString: boolean;
  constructor(scope: ExprScope, src: string, jsonString = false) {
    this.scope = scope;
    this.src = src;
    this.jsonString = jsonString;
  }

  fail(n: JsNode, code: string, reason: string): never {
    return unsupported(code, `${reason} (in \`${describe(n, this.src)}\`)`);
  }

  /**
   * A value interpolated into text (a template literal's part, or text around `{{ }}`): JavaScript turns
   * a list into its items joined by ",", flattening nested lists; lists of plain values are translated,
   * lists that may hold lists or objects are not.
   */
  textPart(n: JsNode): Tx {
    const tx = this.expr(n);
    if (tx.type !== 'array') return tx;
    if (!scalarList(n)) this.fail(n, 'template-list', 'a list that may hold lists or objects, interpolated into text, cannot be translated');
    return call('join', [tx, litTx(',')], 'string');
  }

  /** Translate an expression that may be an item reference, a global call or a method chain. */
  chain(n: JsNode): Tx {
    const { root, segs } = flatten(n);
    const item = itemRoot(this, root, segs);
    let cur: Tx;
    let rest: Seg[];
    if (item && 'view' in item) {
      // Consume the static keys, then read them from the view in one go.
      const keys: Key[] = [];
      let i = 0;
      for (; i < item.rest.length; i++) {
        const key = staticKey(item.rest[i]);
        if (key === undefined) break;
        // `.length` and methods are not data keys.
        if (key === 'length' && !(item.rest[i] as { computed: boolean }).computed) break;
        if (item.rest[i + 1]?.kind === 'call') break;
        keys.push(key);
      }
      cur = keys.length === 0 ? item.view.whole() : item.view.at(keys);
      rest = item.rest.slice(i);
    } else if (item) {
      const v = item.value;
      cur = v === true || v === false || v === null || typeof v === 'number' || typeof v === 'string' ? litTx(v) : this.fail(root, 'node-params', 'unsupported parameter value');
      rest = item.rest;
    } else {
      const g = globalValue(this, root, segs);
      cur = g.tx;
      rest = segs.slice(g.used);
    }
    for (let i = 0; i < rest.length; i++) {
      const s = rest[i];
      if (s.kind === 'call') this.fail(s.node, 'call', 'only the supported methods can be called');
      const name = !s.computed && s.key.type === 'Literal' ? String(s.key.value) : undefined;
      const next = rest[i + 1];
      if (name !== undefined && next?.kind === 'call') {
        if (next.optional) this.fail(next.node, 'optional-call', 'optional calls (?.()) are not supported');
        cur = method(this, s.node, cur, name, next.args);
        i++;
        continue;
      }
      if (name === 'length') {
        cur = call('len', [cur], 'number');
        continue;
      }
      if (s.computed) {
        const key = s.key.type === 'Literal' ? litTx(s.key.value) : this.expr(s.key);
        if (key.type === 'number' && key.src.startsWith('-')) this.fail(s.node, 'negative-index', 'negative indexes read undefined in JavaScript; write the index you mean');
        cur = atom(`${paren(cur)}[${key.src}]`);
      } else cur = atom(path(paren(cur), [name!]));
    }
    return cur;
  }

  primary(n: JsNode): Tx {
    switch (n.type) {
      case 'Literal':
        return litTx(n.value);
      case 'Array':
        return atom(`[${n.elements.map((e) => (e.type === 'Spread' ? this.fail(e, 'spread', 'spread (...) is not supported') : this.expr(e).src)).join(', ')}]`, 'array');
      case 'Template': {
        if (n.exprs.length === 0) return litTx(n.quasis[0]);
        const parts: Tx[] = [];
        n.quasis.forEach((q, i) => {
          if (q) parts.push(litTx(q));
          if (i < n.exprs.length) parts.push(this.textPart(n.exprs[i]));
        });
        if (parts.length === 1) return call('str', parts, 'string');
        if (parts[0].type !== 'string') parts.unshift(litTx(''));
        return call('concat', parts, 'string');
      }
      case 'Regex':
        return this.fail(n, 'regex', 'regular expressions are not supported');
      case 'Object':
        return this.fail(n, 'object-literal', 'object literals are supported only as a whole parameter value');
      case 'Arrow':
        return this.fail(n, 'function', 'functions cannot be translated');
      case 'Assign':
        return this.fail(n, 'assignment', 'assignments cannot be translated (expressions must not change data)');
      case 'Spread':
        return this.fail(n, 'spread', 'spread (...) is not supported');
      case 'New':
        return this.fail(n, 'new', '`new` is not supported');
      case 'Identifier':
        return globalValue(this, n, []).tx;
      /* c8 ignore next 2 */
      default:
        return this.fail(n, 'syntax', `unsupported syntax ${n.type}`);
    }
  }

  expr(n: JsNode): Tx {
    switch (n.type) {
      case 'Member':
      case 'Call':
      case 'Identifier':
        return this.chain(n);
      case 'New':
        return this.chain(n);
      case 'Unary': {
        const a = this.expr(n.argument);
        if (n.operator === '!') return op(`!${paren(a)}`, 'boolean');
        if (n.operator === '-') return op(`-${paren(a)}`, 'number');
        if (n.operator === '+') return call('float', [a], 'number');
        return this.fail(n, 'operator', `operator "${n.operator}" is not supported`);
      }
      case 'Binary': {
        const o = n.operator;
        const map: Record<string, string> = { '===': '==', '!==': '!=', '==': '==', '!=': '!=' };
        if (['+', '-', '*', '/', '%', '<', '<=', '>', '>=', '&&', '||', '??'].includes(o) || o in map) {
          const l = this.expr(n.left);
          const r = this.expr(n.right);
          const type: Tx['type'] = ['<', '<=', '>', '>=', '==', '!=', '===', '!=='].includes(o)
            ? 'boolean'
            : o === '+'
              ? l.type === 'string' || r.type === 'string'
                ? 'string'
                : l.type === 'number' && r.type === 'number'
                  ? 'number'
                  : 'unknown'
              : ['-', '*', '/', '%'].includes(o)
                ? 'number'
                : 'unknown';
          return op(`${paren(l)} ${map[o] ?? o} ${paren(r)}`, type);
        }
        return this.fail(n, 'operator', `operator "${o}" is not supported`);
      }
      case 'Conditional': {
        const t = this.expr(n.test);
        const a = this.expr(n.consequent);
        const b = this.expr(n.alternate);
        return op(`${paren(t)} ? ${paren(a)} : ${paren(b)}`, a.type === b.type ? a.type : 'unknown');
      }
      default:
        return this.primary(n);
    }
  }

  /** A whole parameter value: object literals become objects; a bare item reference becomes the item's value. */
  value(n: JsNode): unknown {
    if (n.type === 'Object') {
      const out: Record<string, unknown> = {};
      for (const p of n.props) {
        if ('spread' in p) return this.fail(n, 'spread', 'spread (...) in an object is not supported');
        out[p.key] = this.value(p.value);
      }
      return out;
    }
    if (n.type === 'Array' && containsObject(n)) {
      return n.elements.map((e) => (e.type === 'Spread' ? this.fail(e, 'spread', 'spread (...) is not supported') : this.value(e)));
    }
    if (n.type === 'Literal') return n.value;
    if (n.type === 'Call' && n.callee.type === 'Member' && n.callee.object.type === 'Identifier' && n.callee.object.name === 'JSON') {
      // fall through to expr()
    } else {
      const { root, segs } = flatten(n);
      const item = itemRoot(this, root, segs);
      if (item && 'view' in item && item.rest.length === 0) return item.view.value();
    }
    return `{{ ${this.expr(n).src} }}`;
  }
}
