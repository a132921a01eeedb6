import jsep from 'jsep';
import { BINARY_OPERATORS, FUNCTIONS, ROOTS } from './functions.ts';
import { closest } from '../shared/suggest.ts';
import { UserError } from '../shared/errors.ts';

jsep.addBinaryOp('??', 1);
// Operators we do not support are removed so they are parse errors with a position, not surprises later.
for (const op of ['|', '^', '&', '<<', '>>', '>>>']) jsep.removeBinaryOp(op);
jsep.removeUnaryOp('~');

export type Ast = jsep.Expression;

/** A reference an expression makes to its scope. */
export type Reference =
  | { root: 'input'; path: string[] }
  | { root: 'nodes'; node: string; path: string[] }
  | { root: 'env'; name: string }
  /** A request header (`request.headers.<name>`), or all the declared ones (`request.headers`: header undefined). */
  | { root: 'request'; header?: string };

export interface ParsedExpression {
  source: string;
  ast: Ast;
  refs: Reference[];
}

export class ExpressionError extends UserError {
  /** Offset into the expression source (0-based) where the problem is, when known. */
  readonly offset: number;
  constructor(message: string, offset = 0, fix?: string) {
    super(message, { fix });
    this.name = 'ExpressionError';
    this.offset = offset;
  }
}

/** One piece of a template string: literal text or an expression. */
export type TemplatePart = { text: string } | { expr: ParsedExpression; offset: number };

const REQUEST_READ = "read a request header: request.headers.<name> (request.headers['x-name'] when it has a dash; request.headers alone is all the declared ones)";

const LOGICAL = new Set(['&&', '||', '??']);

/** Longest expression source (between `{{` and `}}`), in characters. */
export const MAX_EXPRESSION_CHARS = 4000;
/**
 * Deepest expression: brackets and operator chains (`a + b + c` is 3 deep). Python's parser refuses
 * more than 200 nested parentheses; this keeps every generated expression well inside that.
 */
export const MAX_EXPRESSION_DEPTH = 64;

/** Deepest bracket nesting outside string literals, and where it first passes the limit. */
function bracketDepth(source: string): { depth: number; at: number } {
  let depth = 0;
  let max = 0;
  let at = -1;
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth > max) max = depth;
      if (depth > MAX_EXPRESSION_DEPTH && at < 0) at = i;
    } else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return { depth: max, at };
}

/** Depth of an AST, without recursion (a long operator chain is a deep left-leaning tree). */
function astDepth(ast: Ast): number {
  let max = 0;
  const todo: [unknown, number][] = [[ast, 1]];
  while (todo.length) {
    const [node, d] = todo.pop()!;
    if (d > max) max = d;
    if (d > MAX_EXPRESSION_DEPTH) break;
    for (const v of Object.values(node as object)) {
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object' && 'type' in x) todo.push([x, d + 1]);
      if (v && typeof v === 'object' && 'type' in v) todo.push([v, d + 1]);
    }
  }
  return max;
}

/** Parse and check one expression (the text between `{{` and `}}`). */
export function parseExpression(source: string): ParsedExpression {
  if (source.trim() === '') throw new ExpressionError('empty expression', 0, 'write an expression between {{ and }}, e.g. {{ input.name }}');
  const split = 'compute it in steps: a transform node, then read its output';
  if (source.length > MAX_EXPRESSION_CHARS) throw new ExpressionError(`expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_CHARS}`, 0, split);
  const brackets = bracketDepth(source);
  if (brackets.at >= 0) throw new ExpressionError(`brackets nest ${brackets.depth} deep; the limit is ${MAX_EXPRESSION_DEPTH}`, brackets.at, split);
  let ast: Ast;
  try {
    ast = jsep(source);
  } catch (err) {
    const e = err as Error & { index?: number; description?: string };
    throw new ExpressionError(`syntax error: ${e.description ?? e.message}`, e.index ?? 0);
  }
  const depth = astDepth(ast);
  if (depth > MAX_EXPRESSION_DEPTH) throw new ExpressionError(`expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep (long operator chains count one level per operator)`, 0, split);
  const refs: Reference[] = [];
  check(ast, refs);
  return { source, ast, refs };
}

function check(node: Ast, refs: Reference[]): void {
  switch (node.type) {
    case 'Literal': {
      const v = (node as jsep.Literal).value;
      if (v instanceof RegExp) throw new ExpressionError('regular expression literals are not supported');
      if (typeof v === 'number' && !Number.isFinite(v)) throw new ExpressionError('number literal out of range');
      return;
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name === 'undefined') throw new ExpressionError('`undefined` is not a value here', 0, 'use null');
      if (Object.hasOwn(FUNCTIONS, name)) throw new ExpressionError(`"${name}" is a function: call it as ${name}(…)`);
      if (name === 'input') {
        // The whole request input (e.g. to pass it on to a called workflow).
        refs.push({ root: 'input', path: [] });
        return;
      }
      if (name === 'nodes') throw new ExpressionError('read a node\'s output: nodes.<node id>', 0, 'e.g. nodes.fetch.body');
      if (name === 'env') throw new ExpressionError('read one setting: env.NAME', 0);
      if (name === 'request') throw new ExpressionError(REQUEST_READ, 0, 'e.g. request.headers.authorization');
      const hint = closest(name, ROOTS);
      throw new ExpressionError(
        `"${name}" must be read through one of ${ROOTS.join(', ')}`,
        0,
        hint && hint !== name ? `did you mean ${hint}?` : `e.g. input.${name} or nodes.<node>.${name}`,
      );
    }
    case 'MemberExpression': {
      const chain = memberChain(node);
      if (chain) {
        refs.push(chain.ref);
        for (const c of chain.computed) check(c, refs);
        return;
      }
      const m = node as jsep.MemberExpression;
      if (m.optional) throw new ExpressionError('optional chaining (?.) is not supported; missing keys already read as null');
      check(m.object, refs);
      if (m.computed) check(m.property, refs);
      return;
    }
    case 'CallExpression': {
      const c = node as jsep.CallExpression;
      if (c.callee.type !== 'Identifier') throw new ExpressionError('only the built-in functions can be called, e.g. lower(x)');
      const name = (c.callee as jsep.Identifier).name;
      const spec = FUNCTIONS[name];
      if (!spec || !Object.hasOwn(FUNCTIONS, name)) {
        const hint = closest(name, Object.keys(FUNCTIONS));
        throw new ExpressionError(`unknown function "${name}"`, 0, hint ? `did you mean ${hint}()?` : `available: ${Object.keys(FUNCTIONS).join(', ')}`);
      }
      if (c.arguments.length < spec.min || c.arguments.length > spec.max) {
        const want = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
        throw new ExpressionError(`${name}() takes ${want} argument(s), got ${c.arguments.length}`);
      }
      for (const a of c.arguments) check(a, refs);
      return;
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression;
      if (!(b.operator in BINARY_OPERATORS) && !LOGICAL.has(b.operator)) {
        throw new ExpressionError(`operator "${b.operator}" is not supported`);
      }
      check(b.left, refs);
      check(b.right, refs);
      return;
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression;
      if (!['!', '-', '+'].includes(u.operator)) throw new ExpressionError(`operator "${u.operator}" is not supported`);
      check(u.argument, refs);
      return;
    }
    case 'ConditionalExpression': {
      const t = node as jsep.ConditionalExpression;
      check(t.test, refs);
      check(t.consequent, refs);
      check(t.alternate, refs);
      return;
    }
    case 'ArrayExpression': {
      for (const el of (node as jsep.ArrayExpression).elements) {
        if (el === null) throw new ExpressionError('array holes are not supported');
        check(el, refs);
      }
      return;
    }
    case 'Compound':
    case 'SequenceExpression':
      throw new ExpressionError('one expression only (no commas or semicolons outside function calls)');
    case 'ThisExpression':
      throw new ExpressionError('`this` is not supported; read from input, nodes or env');
    default:
      throw new ExpressionError(`unsupported syntax (${node.type})`);
  }
}

interface Chain {
  ref: Reference;
  /** Computed subscripts inside the chain whose own references must be checked. */
  computed: Ast[];
}

/** A member chain rooted at one of our roots, e.g. nodes.fetch.body.items[0]. */
function memberChain(node: Ast): Chain | undefined {
  const steps: Ast[] = [];
  let cur: Ast = node;
  while (cur.type === 'MemberExpression') {
    const m = cur as jsep.MemberExpression;
    if (m.optional) throw new ExpressionError('optional chaining (?.) is not supported; missing keys already read as null');
    steps.unshift(cur);
    cur = m.object;
  }
  if (cur.type !== 'Identifier') return undefined;
  const root = (cur as jsep.Identifier).name;
  if (!(ROOTS as readonly string[]).includes(root)) return undefined;
  const path: string[] = [];
  const computed: Ast[] = [];
  let staticPrefix = true;
  for (const s of steps) {
    const m = s as jsep.MemberExpression;
    const key = staticKey(m);
    if (key !== undefined && staticPrefix) path.push(key);
    else {
      staticPrefix = false;
      if (m.computed) computed.push(m.property);
    }
  }
  if (root === 'input') return { ref: { root: 'input', path }, computed };
  if (root === 'env') {
    if (path.length === 0) throw new ExpressionError('read one setting: env.NAME', 0);
    if (path.length > 1) throw new ExpressionError(`env.${path[0]} is a plain value; it has no fields`);
    return { ref: { root: 'env', name: path[0] }, computed };
  }
  if (root === 'request') {
    if (path[0] !== 'headers') throw new ExpressionError(REQUEST_READ, 0, 'e.g. request.headers.authorization');
    if (path.length > 2) throw new ExpressionError(`request.headers.${path[1]} is text; it has no fields`);
    return { ref: path.length === 2 ? { root: 'request', header: path[1] } : { root: 'request' }, computed };
  }
  if (path.length === 0) throw new ExpressionError('read a node\'s output: nodes.<node id>', 0, 'e.g. nodes.fetch.body');
  return { ref: { root: 'nodes', node: path[0], path: path.slice(1) }, computed };
}

function staticKey(m: jsep.MemberExpression): string | undefined {
  if (!m.computed && m.property.type === 'Identifier') return (m.property as jsep.Identifier).name;
  if (m.computed && m.property.type === 'Literal') {
    const v = (m.property as jsep.Literal).value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  }
  return undefined;
}

/**
 * Split a string into literal text and `{{ expression }}` parts. `}}` inside a quoted string literal
 * does not close the expression. `\{{` is a literal `{{`.
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let buf = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\{{', i)) {
      buf += '{{';
      i += 3;
      continue;
    }
    if (!text.startsWith('{{', i)) {
      buf += text[i];
      i++;
      continue;
    }
    const start = i + 2;
    let j = start;
    let quote: string | undefined;
    let end = -1;
    while (j < text.length) {
      const ch = text[j];
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (text.startsWith('}}', j)) {
        end = j;
        break;
      }
      j++;
    }
    if (end === -1) throw new ExpressionError('"{{" is never closed by "}}"', i, 'close the expression with }}, or write \\{{ for a literal {{');
    if (buf) parts.push({ text: buf });
    buf = '';
    const source = text.slice(start, end);
    try {
      parts.push({ expr: parseExpression(source), offset: start });
    } catch (err) {
      if (err instanceof ExpressionError) throw new ExpressionError(err.message, start + err.offset, err.fix);
      throw err;
    }
    i = end + 2;
  }
  if (buf || parts.length === 0) parts.push({ text: buf });
  return parts;
}

/** True when the string contains an expression (so it is not a plain literal). */
export function hasExpression(text: string): boolean {
  return text.includes('{{');
}
