/**
 * A small, dedicated parser for the JavaScript subset found inside n8n expressions (`{{ … }}`).
 *
 * It is deliberately independent of jsep (which src/expressions configures globally for our own
 * language): n8n expressions use JavaScript syntax our language does not have (object literals, arrow
 * functions, template literals, regular expressions, optional chaining, `new`), and we want to parse
 * those precisely so the translator can refuse them with a clear reason instead of a syntax error.
 */

export type JsNode =
  | { type: 'Literal'; value: string | number | boolean | null; start: number; end: number }
  | { type: 'Identifier'; name: string; start: number; end: number }
  | { type: 'Template'; quasis: string[]; exprs: JsNode[]; start: number; end: number }
  | { type: 'Regex'; pattern: string; flags: string; start: number; end: number }
  | { type: 'Array'; elements: JsNode[]; start: number; end: number }
  | { type: 'Object'; props: JsProp[]; start: number; end: number }
  | { type: 'Spread'; argument: JsNode; start: number; end: number }
  | { type: 'Member'; object: JsNode; property: JsNode; computed: boolean; optional: boolean; start: number; end: number }
  | { type: 'Call'; callee: JsNode; args: JsNode[]; optional: boolean; start: number; end: number }
  | { type: 'New'; callee: JsNode; args: JsNode[]; start: number; end: number }
  | { type: 'Unary'; operator: string; argument: JsNode; start: number; end: number }
  | { type: 'Binary'; operator: string; left: JsNode; right: JsNode; start: number; end: number }
  | { type: 'Conditional'; test: JsNode; consequent: JsNode; alternate: JsNode; start: number; end: number }
  | { type: 'Arrow'; params: string; start: number; end: number }
  | { type: 'Assign'; operator: string; start: number; end: number };

export type JsProp = { key: string; value: JsNode; computed: false } | { spread: JsNode };

export class JsSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsSyntaxError';
    this.offset = offset;
  }
}

type TokType = 'num' | 'str' | 'tmpl' | 'ident' | 'punct' | 'regex' | 'eof';
interface Token {
  type: TokType;
  value: string;
  start: number;
  end: number;
  /** Parsed payload: the number, the decoded string, template parts, or regex parts. */
  num?: number;
  str?: string;
  tmpl?: { quasis: string[]; sources: { text: string; offset: number }[] };
  regex?: { pattern: string; flags: string };
}

const PUNCTS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
  '{', '}', '(', ')', '[', ']', ';', ',', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '?', ':', '=', '.', '@', '#',
];

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

function isIdStart(ch: string): boolean {
  return /[A-Za-z_$\u00c0-\uffff]/.test(ch);
}
function isIdPart(ch: string): boolean {
  return /[A-Za-z0-9_$\u00c0-\uffff]/.test(ch);
}

/** Decode the escapes of a JS string or template chunk. */
function readEscape(src: string, i: number): { text: string; next: number } {
  const c = src[i];
  if (c in ESCAPES && !(c === '0' && /[0-9]/.test(src[i + 1] ?? ''))) return { text: ESCAPES[c], next: i + 1 };
  if (c === 'x') {
    const hex = src.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new JsSyntaxError('bad \\x escape', i);
    return { text: String.fromCharCode(parseInt(hex, 16)), next: i + 3 };
  }
  if (c === 'u') {
    if (src[i + 1] === '{') {
      const close = src.indexOf('}', i + 2);
      const hex = src.slice(i + 2, close);
      if (close === -1 || !/^[0-9a-fA-F]{1,6}$/.test(hex)) throw new JsSyntaxError('bad \\u{…} escape', i);
      return { text: String.fromCodePoint(parseInt(hex, 16)), next: close + 1 };
    }
    const hex = src.slice(i + 1, i + 5);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsSyntaxError('bad \\u escape', i);
    return { text: String.fromCharCode(parseInt(hex, 16)), next: i + 5 };
  }
  if (c === '\r' && src[i + 1] === '\n') return { text: '', next: i + 2 };
  if (c === '\n' || c === '\r') return { text: '', next: i + 1 };
  return { text: c, next: i + 1 };
}

export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const regexAllowed = (): boolean => {
    const prev = toks[toks.length - 1];
    if (!prev) return true;
    if (prev.type === 'num' || prev.type === 'str' || prev.type === 'tmpl' || prev.type === 'regex') return false;
    if (prev.type === 'ident') return ['return', 'typeof', 'in', 'of', 'new', 'delete', 'void', 'instanceof'].includes(prev.value);
    return ![')', ']', '}'].includes(prev.value);
  };
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close === -1) throw new JsSyntaxError('unterminated comment', i);
      i = close + 2;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][+-]?[0-9]+)?)n?/.exec(src.slice(i));
      const text = m![0];
      if (text.endsWith('n')) throw new JsSyntaxError('BigInt literals are not supported', i);
      const num = Number(text.replace(/_/g, ''));
      i += text.length;
      if (i < src.length && isIdStart(src[i])) throw new JsSyntaxError('identifier directly after a number', i);
      toks.push({ type: 'num', value: text, num, start, end: i });
      continue;
    }
    if (ch === '"' || ch === "'") {
      let out = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new JsSyntaxError('unterminated string', start);
        const c = src[i];
        if (c === ch) break;
        if (c === '\n') throw new JsSyntaxError('line break inside a string', i);
        if (c === '\\') {
          const e = readEscape(src, i + 1);
          out += e.text;
          i = e.next;
        } else {
          out += c;
          i++;
        }
      }
      i++;
      toks.push({ type: 'str', value: src.slice(start, i), str: out, start, end: i });
      continue;
    }
    if (ch === '`') {
      const quasis: string[] = [];
      const sources: { text: string; offset: number }[] = [];
      let cur = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new JsSyntaxError('unterminated template literal', start);
        const c = src[i];
        if (c === '`') break;
        if (c === '\\') {
          const e = readEscape(src, i + 1);
          cur += e.text;
          i = e.next;
          continue;
        }
        if (c === '$' && src[i + 1] === '{') {
          quasis.push(cur);
          cur = '';
          const exprStart = i + 2;
          const exprEnd = skipBalanced(src, exprStart, '}');
          sources.push({ text: src.slice(exprStart, exprEnd), offset: exprStart });
          i = exprEnd + 1;
          continue;
        }
        cur += c;
        i++;
      }
      quasis.push(cur);
      i++;
      toks.push({ type: 'tmpl', value: src.slice(start, i), tmpl: { quasis, sources }, start, end: i });
      continue;
    }
    if (ch === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      for (;;) {
        if (j >= src.length || src[j] === '\n') throw new JsSyntaxError('unterminated regular expression', start);
        const c = src[j];
        if (c === '\\') j += 2;
        else {
          if (c === '[') inClass = true;
          else if (c === ']') inClass = false;
          else if (c === '/' && !inClass) break;
          j++;
        }
      }
      const pattern = src.slice(i + 1, j);
      j++;
      let flags = '';
      while (j < src.length && /[a-z]/.test(src[j])) flags += src[j++];
      i = j;
      toks.push({ type: 'regex', value: src.slice(start, i), regex: { pattern, flags }, start, end: i });
      continue;
    }
    if (isIdStart(ch)) {
      while (i < src.length && isIdPart(src[i])) i++;
      toks.push({ type: 'ident', value: src.slice(start, i), start, end: i });
      continue;
    }
    const p = PUNCTS.find((x) => src.startsWith(x, i));
    if (!p) throw new JsSyntaxError(`unexpected character ${JSON.stringify(ch)}`, i);
    // `?.` followed by a digit is the conditional operator and a number (a?.5:1).
    if (p === '?.' && /[0-9]/.test(src[i + 2] ?? '')) {
      toks.push({ type: 'punct', value: '?', start, end: i + 1 });
      i += 1;
      continue;
    }
    i += p.length;
    toks.push({ type: 'punct', value: p, start, end: i });
  }
  toks.push({ type: 'eof', value: '', start: src.length, end: src.length });
  return toks;
}

/** Index of the closing bracket matching an opening one just before `from` (strings and nesting aware). */
export function skipBalanced(src: string, from: number, close: '}' | ')' | ']'): number {
  const stack: string[] = [close];
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(src, i);
      continue;
    }
    if (c === '{') stack.push('}');
    else if (c === '(') stack.push(')');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ')' || c === ']') {
      if (stack[stack.length - 1] !== c) throw new JsSyntaxError(`unbalanced ${c}`, i);
      stack.pop();
      if (stack.length === 0) return i;
    }
    i++;
  }
  throw new JsSyntaxError(`missing ${close}`, from);
}

function skipString(src: string, i: number): number {
  const q = src[i];
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (q === '`' && c === '$' && src[j + 1] === '{') {
      j = skipBalanced(src, j + 2, '}') + 1;
      continue;
    }
    if (c === q) return j + 1;
    j++;
  }
  throw new JsSyntaxError('unterminated string', i);
}

const BINARY_PREC: Record<string, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '|': 4,
  '^': 5,
  '&': 6,
  '==': 7, '!=': 7, '===': 7, '!==': 7,
  '<': 8, '>': 8, '<=': 8, '>=': 8, in: 8, instanceof: 8,
  '<<': 9, '>>': 9, '>>>': 9,
  '+': 10, '-': 10,
  '*': 11, '/': 11, '%': 11,
  '**': 12,
};
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=']);

class Parser {
  private toks: Token[];
  private pos = 0;
  private readonly src: string;
  private readonly base: number;
  constructor(src: string, base: number) {
    this.src = src;
    this.base = base;
    this.toks = tokenize(src);
  }
  private get t(): Token {
    return this.toks[this.pos];
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)];
  }
  private is(value: string): boolean {
    return (this.t.type === 'punct' || this.t.type === 'ident') && this.t.value === value;
  }
  private eat(value: string): Token {
    if (!this.is(value)) throw this.err(`expected "${value}"${this.t.type === 'eof' ? ' before the end' : ` but found "${this.t.value}"`}`);
    return this.toks[this.pos++];
  }
  private err(message: string, at = this.t.start): JsSyntaxError {
    return new JsSyntaxError(message, this.base + at);
  }
  private s(n: number): number {
    return this.base + n;
  }

  parseProgram(): JsNode {
    const e = this.parseExpression();
    while (this.is(';')) this.pos++;
    if (this.t.type !== 'eof') {
      if (this.is(',') ) throw this.err('several expressions separated by commas');
      throw this.err(`unexpected "${this.t.value}"`);
    }
    return e;
  }

  parseExpression(): JsNode {
    const e = this.parseAssign();
    if (this.is(',')) throw this.err('several expressions separated by commas');
    return e;
  }

  private parseAssign(): JsNode {
    const arrow = this.tryArrow();
    if (arrow) return arrow;
    const left = this.parseConditional();
    if (this.t.type === 'punct' && ASSIGN_OPS.has(this.t.value)) {
      const op = this.t.value;
      this.pos++;
      const right = this.parseAssign();
      return { type: 'Assign', operator: op, start: left.start, end: right.end };
    }
    return left;
  }

  private tryArrow(): JsNode | undefined {
    const start = this.t.start;
    let paramsEnd = -1;
    if (this.t.type === 'ident' && this.peek().value === '=>' && this.peek().type === 'punct') {
      paramsEnd = this.pos + 1;
    } else if (this.is('async') && this.peek().type === 'ident' && this.peek(2).value === '=>') {
      paramsEnd = this.pos + 2;
    } else if (this.is('(') || (this.is('async') && this.peek().value === '(')) {
      let depth = 0;
      let j = this.is('async') ? this.pos + 1 : this.pos;
      for (; j < this.toks.length; j++) {
        const v = this.toks[j];
        if (v.type !== 'punct') continue;
        if (v.value === '(' || v.value === '[' || v.value === '{') depth++;
        else if (v.value === ')' || v.value === ']' || v.value === '}') {
          depth--;
          if (depth === 0) break;
        }
      }
      if (j < this.toks.length - 1 && this.toks[j + 1].type === 'punct' && this.toks[j + 1].value === '=>') paramsEnd = j + 1;
    }
    if (paramsEnd === -1) return undefined;
    const params = this.src.slice(this.t.start, this.toks[paramsEnd].start).trim();
    this.pos = paramsEnd + 1;
    let end: number;
    if (this.is('{')) {
      const close = skipBalanced(this.src, this.t.start + 1, '}');
      while (this.t.type !== 'eof' && this.t.start <= close) this.pos++;
      end = close + 1;
    } else {
      const body = this.parseAssign();
      end = body.end - this.base;
    }
    return { type: 'Arrow', params, start: this.s(start), end: this.s(end) };
  }

  private parseConditional(): JsNode {
    const test = this.parseBinary(0);
    if (!this.is('?')) return test;
    this.pos++;
    const consequent = this.parseAssign();
    this.eat(':');
    const alternate = this.parseAssign();
    return { type: 'Conditional', test, consequent, alternate, start: test.start, end: alternate.end };
  }

  private binaryOp(): string | undefined {
    const t = this.t;
    if (t.type === 'punct' && t.value in BINARY_PREC) return t.value;
    if (t.type === 'ident' && (t.value === 'in' || t.value === 'instanceof')) return t.value;
    return undefined;
  }

  private parseBinary(minPrec: number): JsNode {
    let left = this.parseUnary();
    for (;;) {
      const op = this.binaryOp();
      if (!op) return left;
      const prec = BINARY_PREC[op];
      if (prec <= minPrec && !(op === '**' && prec === minPrec)) return left;
      this.pos++;
      const right = this.parseBinary(op === '**' ? prec - 1 : prec);
      left = { type: 'Binary', operator: op, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(): JsNode {
    const t = this.t;
    if ((t.type === 'punct' && ['!', '-', '+', '~'].includes(t.value)) || (t.type === 'ident' && ['typeof', 'void', 'delete', 'await'].includes(t.value))) {
      this.pos++;
      const argument = this.parseUnary();
      return { type: 'Unary', operator: t.value, argument, start: this.s(t.start), end: argument.end };
    }
    if (t.type === 'punct' && (t.value === '++' || t.value === '--')) throw this.err(`"${t.value}" changes a variable; expressions cannot`);
    const e = this.parsePostfix();
    if (this.t.type === 'punct' && (this.t.value === '++' || this.t.value === '--')) throw this.err(`"${this.t.value}" changes a variable; expressions cannot`);
    return e;
  }

  private parseArgs(): JsNode[] {
    this.eat('(');
    const args: JsNode[] = [];
    while (!this.is(')')) {
      if (this.is('...')) {
        const s = this.t.start;
        this.pos++;
        const a = this.parseAssign();
        args.push({ type: 'Spread', argument: a, start: this.s(s), end: a.end });
      } else args.push(this.parseAssign());
      if (!this.is(')')) this.eat(',');
    }
    this.eat(')');
    return args;
  }

  private parsePostfix(): JsNode {
    let e: JsNode;
    if (this.is('new')) {
      const s = this.t.start;
      this.pos++;
      let callee = this.parsePrimary();
      while (this.is('.') || this.is('[')) callee = this.member(callee, false);
      const args = this.is('(') ? this.parseArgs() : [];
      e = { type: 'New', callee, args, start: this.s(s), end: this.s(this.toks[this.pos - 1].end) };
    } else e = this.parsePrimary();
    for (;;) {
      if (this.is('.') || this.is('[')) e = this.member(e, false);
      else if (this.is('?.')) {
        this.pos++;
        if (this.is('(')) {
          const args = this.parseArgs();
          e = { type: 'Call', callee: e, args, optional: true, start: e.start, end: this.s(this.toks[this.pos - 1].end) };
        } else if (this.is('[')) e = this.member(e, true);
        else e = this.member(e, true, true);
      } else if (this.is('(')) {
        const args = this.parseArgs();
        e = { type: 'Call', callee: e, args, optional: false, start: e.start, end: this.s(this.toks[this.pos - 1].end) };
      } else if (this.t.type === 'tmpl') throw this.err('tagged template literals are not supported');
      else return e;
    }
  }

  private member(object: JsNode, optional: boolean, afterDot = false): JsNode {
    if (afterDot || this.is('.')) {
      if (!afterDot) this.pos++;
      const t = this.t;
      if (t.type === 'punct' && t.value === '#') throw this.err('private fields are not supported');
      if (t.type !== 'ident') throw this.err('expected a property name after "."');
      this.pos++;
      return {
        type: 'Member',
        object,
        property: { type: 'Literal', value: t.value, start: this.s(t.start), end: this.s(t.end) },
        computed: false,
        optional,
        start: object.start,
        end: this.s(t.end),
      };
    }
    this.eat('[');
    const property = this.parseExpression();
    const close = this.eat(']');
    return { type: 'Member', object, property, computed: true, optional, start: object.start, end: this.s(close.end) };
  }

  private parsePrimary(): JsNode {
    const t = this.t;
    const start = this.s(t.start);
    const end = this.s(t.end);
    switch (t.type) {
      case 'num':
        this.pos++;
        return { type: 'Literal', value: t.num!, start, end };
      case 'str':
        this.pos++;
        return { type: 'Literal', value: t.str!, start, end };
      case 'regex':
        this.pos++;
        return { type: 'Regex', pattern: t.regex!.pattern, flags: t.regex!.flags, start, end };
      case 'tmpl': {
        this.pos++;
        const exprs = t.tmpl!.sources.map((s) => new Parser(s.text, this.base + s.offset).parseProgram());
        return { type: 'Template', quasis: t.tmpl!.quasis, exprs, start, end };
      }
      case 'ident': {
        this.pos++;
        if (t.value === 'true' || t.value === 'false') return { type: 'Literal', value: t.value === 'true', start, end };
        if (t.value === 'null') return { type: 'Literal', value: null, start, end };
        if (['function', 'class', 'let', 'const', 'var', 'if', 'for', 'while', 'return', 'throw', 'try', 'switch', 'do', 'yield'].includes(t.value)) {
          throw new JsSyntaxError(`"${t.value}" statements are not expressions`, start);
        }
        return { type: 'Identifier', name: t.value, start, end };
      }
      case 'punct': {
        if (t.value === '(') {
          this.pos++;
          const e = this.parseExpression();
          this.eat(')');
          return e;
        }
        if (t.value === '[') return this.parseArray();
        if (t.value === '{') return this.parseObject();
        throw this.err(`unexpected "${t.value}"`);
      }
      case 'eof':
        throw this.err('the expression ends too early');
    }
    /* c8 ignore next */
    throw this.err('unexpected token');
  }

  private parseArray(): JsNode {
    const open = this.eat('[');
    const elements: JsNode[] = [];
    while (!this.is(']')) {
      if (this.is(',')) throw this.err('array holes are not supported');
      if (this.is('...')) {
        const s = this.t.start;
        this.pos++;
        const a = this.parseAssign();
        elements.push({ type: 'Spread', argument: a, start: this.s(s), end: a.end });
      } else elements.push(this.parseAssign());
      if (!this.is(']')) this.eat(',');
    }
    const close = this.eat(']');
    return { type: 'Array', elements, start: this.s(open.start), end: this.s(close.end) };
  }

  private parseObject(): JsNode {
    const open = this.eat('{');
    const props: JsProp[] = [];
    while (!this.is('}')) {
      if (this.is('...')) {
        this.pos++;
        props.push({ spread: this.parseAssign() });
      } else {
        const k = this.t;
        let key: string;
        if (k.type === 'str') key = k.str!;
        else if (k.type === 'num') key = String(k.num);
        else if (k.type === 'ident') key = k.value;
        else if (k.type === 'punct' && k.value === '[') throw this.err('computed object keys are not supported');
        else throw this.err('expected a property name');
        this.pos++;
        if (this.is(':')) {
          this.pos++;
          props.push({ key, value: this.parseAssign(), computed: false });
        } else if (k.type === 'ident' && (this.is(',') || this.is('}'))) {
          props.push({ key, value: { type: 'Identifier', name: key, start: this.s(k.start), end: this.s(k.end) }, computed: false });
        } else if (this.is('(')) throw this.err('object methods are not supported');
        else throw this.err('expected ":" after the property name');
      }
      if (!this.is('}')) this.eat(',');
    }
    const close = this.eat('}');
    return { type: 'Object', props, start: this.s(open.start), end: this.s(close.end) };
  }
}

/** Parse one n8n expression (the text between `{{` and `}}`). Offsets in nodes and errors are relative to `src`. */
export function parseJs(src: string): JsNode {
  return new Parser(src, 0).parseProgram();
}

/**
 * Split an n8n template (the text after the leading `=`) into literal text and `{{ … }}` sources.
 * `}}` inside a string, template literal or nested braces does not close an expression.
 */
export function splitN8nTemplate(text: string): ({ text: string } | { expr: string; offset: number })[] {
  const parts: ({ text: string } | { expr: string; offset: number })[] = [];
  let buf = '';
  let i = 0;
  while (i < text.length) {
    if (!text.startsWith('{{', i)) {
      buf += text[i++];
      continue;
    }
    const start = i + 2;
    let j = start;
    let depth = 0;
    let end = -1;
    while (j < text.length) {
      const c = text[j];
      if (c === '"' || c === "'" || c === '`') {
        try {
          j = skipString(text, j);
        } catch {
          j = text.length;
        }
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0 && text[j + 1] === '}') {
          end = j;
          break;
        }
        depth = Math.max(0, depth - 1);
      }
      j++;
    }
    if (end === -1) throw new JsSyntaxError('"{{" is never closed by "}}"', i);
    if (buf) parts.push({ text: buf });
    buf = '';
    parts.push({ expr: text.slice(start, end), offset: start });
    i = end + 2;
  }
  if (buf || parts.length === 0) parts.push({ text: buf });
  return parts;
}
