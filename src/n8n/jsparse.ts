/**
 * n8n expressions (the JavaScript inside `{{ … }}`) parsed with acorn, a real JavaScript parser, and
 * reduced to the small tree the translator works on (JsNode). Everything JavaScript allows in an
 * expression parses; what the translator cannot express keeps a node of its own (Regex, Object, Arrow,
 * Spread, New, Assign) so it can be refused with a reason or run as JavaScript instead. What is not one
 * expression (statements, several expressions, `x++`) is a JsSyntaxError with its offset.
 *
 * It is deliberately independent of jsep (which src/expressions configures globally for our own
 * language). Offsets in nodes and errors are relative to the expression text.
 */
import { parseExpressionAt, tokenizer, type Options } from 'acorn';

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

const OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, preserveParens: true };

/** The ESTree shape we read (acorn's nodes, loosely typed). */
interface Es {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** acorn's message without its "(line:column)" suffix, saying where. */
function acornError(err: unknown, src: string, base = 0): JsSyntaxError {
  const e = err as SyntaxError & { pos?: number };
  if (!(err instanceof SyntaxError) || typeof e.pos !== 'number') throw err;
  const pos = base + e.pos;
  const where = pos >= src.trimEnd().length ? 'at the end' : `at "${src.slice(pos, pos + 12).split('\n')[0]}"`;
  return new JsSyntaxError(`${e.message.replace(/\s*\(\d+:\d+\)$/, '')} ${where}`, pos);
}

/** Parse one n8n expression (the text between `{{` and `}}`). */
export function parseJs(src: string): JsNode {
  return convert(parseAcorn(src), src);
}

/** acorn's tree of exactly one expression. */
function parseAcorn(src: string): Es {
  let ast: Es;
  try {
    ast = parseExpressionAt(src, 0, OPTIONS) as unknown as Es;
  } catch (err) {
    if (src.trim() === '') throw new JsSyntaxError('the expression is empty', 0);
    throw acornError(err, src);
  }
  checkRest(src, ast.end);
  return ast;
}

/** After the expression only `;` (and blanks, comments) may follow. */
function checkRest(src: string, from: number): void {
  try {
    for (const tok of tokenizer(src.slice(from), OPTIONS)) {
      if (tok.type.label === ';') continue;
      throw new JsSyntaxError(`unexpected "${src.slice(from + tok.start, from + tok.end)}"`, from + tok.start);
    }
  } catch (err) {
    if (err instanceof JsSyntaxError) throw err;
    throw acornError(err, src, from);
  }
}

function list(v: unknown): Es[] {
  return v as Es[];
}

function convert(n: Es, src: string): JsNode {
  const at = { start: n.start, end: n.end };
  const fail = (message: string, offset = n.start): never => {
    throw new JsSyntaxError(message, offset);
  };
  const sub = (x: unknown): JsNode => convert(x as Es, src);
  const spreadable = (x: Es): JsNode => (x.type === 'SpreadElement' ? { type: 'Spread', argument: sub(x.argument), start: x.start, end: x.end } : sub(x));
  switch (n.type) {
    case 'Literal': {
      if (n.regex) {
        const r = n.regex as { pattern: string; flags: string };
        return { type: 'Regex', pattern: r.pattern, flags: r.flags, ...at };
      }
      if (typeof n.value === 'bigint' || n.bigint !== undefined) return fail('BigInt literals are not supported');
      return { type: 'Literal', value: n.value as string | number | boolean | null, ...at };
    }
    case 'Identifier':
      return { type: 'Identifier', name: n.name as string, ...at };
    case 'ThisExpression':
      return { type: 'Identifier', name: 'this', ...at };
    case 'TemplateLiteral':
      return {
        type: 'Template',
        quasis: list(n.quasis).map((q) => (q.value as { cooked: string }).cooked),
        exprs: list(n.expressions).map(sub),
        ...at,
      };
    case 'TaggedTemplateExpression':
      return fail('tagged template literals are not supported', (n.quasi as Es).start);
    case 'ArrayExpression': {
      const els = n.elements as (Es | null)[];
      const hole = els.indexOf(null);
      if (hole !== -1) return fail('array holes are not supported');
      return { type: 'Array', elements: (els as Es[]).map(spreadable), ...at };
    }
    case 'ObjectExpression':
      return { type: 'Object', props: list(n.properties).map((p) => property(p, src)), ...at };
    case 'ChainExpression':
    case 'ParenthesizedExpression':
      return sub(n.expression);
    case 'MemberExpression': {
      const p = n.property as Es;
      if (p.type === 'PrivateIdentifier') return fail('private fields are not supported', p.start);
      const property: JsNode = n.computed ? sub(p) : { type: 'Literal', value: p.name as string, start: p.start, end: p.end };
      return { type: 'Member', object: sub(n.object), property, computed: n.computed as boolean, optional: n.optional as boolean, ...at };
    }
    case 'CallExpression':
      if ((n.callee as Es).type === 'Super') return fail('super is not supported');
      return { type: 'Call', callee: sub(n.callee), args: list(n.arguments).map(spreadable), optional: n.optional as boolean, ...at };
    case 'NewExpression':
      return { type: 'New', callee: sub(n.callee), args: list(n.arguments).map(spreadable), ...at };
    case 'UnaryExpression':
    case 'AwaitExpression':
      return { type: 'Unary', operator: n.type === 'AwaitExpression' ? 'await' : (n.operator as string), argument: sub(n.argument), ...at };
    case 'UpdateExpression':
      return fail(`"${n.operator as string}" changes a variable; expressions cannot`);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return { type: 'Binary', operator: n.operator as string, left: sub(n.left), right: sub(n.right), ...at };
    case 'ConditionalExpression':
      return { type: 'Conditional', test: sub(n.test), consequent: sub(n.consequent), alternate: sub(n.alternate), ...at };
    case 'ArrowFunctionExpression':
    case 'FunctionExpression': {
      const head = src.slice(n.start, (n.body as Es).start).trim();
      return { type: 'Arrow', params: n.type === 'FunctionExpression' ? head : head.replace(/=>$/, '').trim(), ...at };
    }
    case 'AssignmentExpression':
      return { type: 'Assign', operator: n.operator as string, ...at };
    case 'SequenceExpression':
      return fail('several expressions separated by commas', src.lastIndexOf(',', list(n.expressions)[1].start));
    default:
      return fail(`${n.type.replace(/Expression$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} is not supported in an expression`);
  }
}

function property(p: Es, src: string): JsProp {
  if (p.type === 'SpreadElement') return { spread: convert(p.argument as Es, src) };
  if (p.computed) throw new JsSyntaxError('computed object keys are not supported', (p.key as Es).start);
  if (p.kind !== 'init' || p.method) throw new JsSyntaxError('object methods are not supported', p.start);
  const k = p.key as Es;
  const key = k.type === 'Identifier' ? (k.name as string) : String(k.value);
  return { key, value: convert(p.value as Es, src), computed: false };
}

// ---------------------------------------------------------------- templates

export type TemplatePart = { text: string } | { expr: string; offset: number };

/** True when `code` is exactly one expression (what the text between `{{` and `}}` must be). */
function isExpression(code: string): boolean {
  try {
    parseAcorn(code);
    return true;
  } catch (err) {
    if (err instanceof JsSyntaxError) return false;
    throw err;
  }
}

/**
 * Split an n8n template (the text after the leading `=`) into literal text and `{{ … }}` sources, as
 * n8n does: an expression ends at the first `}}` before which the code is a whole expression (so `}}`
 * inside strings, template literals and object literals does not close it); `\{{` in the text is not an
 * expression (n8n keeps the text as written, backslash included); `\}}` in the code is `}}`.
 */
export function splitN8nTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let buf = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open === -1) {
      buf += text.slice(i);
      break;
    }
    if (open > 0 && text[open - 1] === '\\') {
      buf += text.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    buf += text.slice(i, open);
    const start = open + 2;
    const end = closing(text, start);
    if (buf) parts.push({ text: buf });
    buf = '';
    parts.push({ expr: text.slice(start, end).replace(/\\\}\}/g, '}}'), offset: start });
    i = end + 2;
  }
  if (buf || parts.length === 0) parts.push({ text: buf });
  return parts;
}

/** The index of the `}}` that closes the expression starting at `start`. */
function closing(text: string, start: number): number {
  const candidates: number[] = [];
  for (let j = text.indexOf('}}', start); j !== -1; j = text.indexOf('}}', j + 1)) {
    if (text[j - 1] === '\\' && j - 1 >= start) continue;
    candidates.push(j);
  }
  if (candidates.length === 0) throw new JsSyntaxError('"{{" is never closed by "}}"', start - 2);
  for (const j of candidates) if (isExpression(text.slice(start, j).replace(/\\\}\}/g, '}}'))) return j;
  // No candidate is an expression: the first one closes it (its syntax error is reported).
  return candidates[0];
}
