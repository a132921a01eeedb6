import type { Attach, Converted, NodeEnv } from '../context.ts';
import { describeNode } from '../context.ts';
import { param } from '../defaults.ts';
import { convertToTx, litTx, type ExprScope } from '../expr.ts';
import { Unsupported, unsupported } from '../issues.ts';
import { splitN8nTemplate } from '../jsparse.ts';
import type { Tx } from '../views.ts';

/**
 * IF (v1 typed conditions, v2 filter), Switch (v1–v2 rules with value1/value2, v3 filter rules, fallback
 * output). Each condition becomes one expression of our language; n8n's comparison rules are written out
 * (e.g. v1 number comparisons treat empty values as 0).
 */

const p = (t: Tx) => (t.kind === 'op' ? `(${t.src})` : t.src);
const bin = (l: Tx, o: string, r: Tx): Tx => ({ src: `${p(l)} ${o} ${p(r)}`, kind: 'op', type: 'boolean' });
const not = (t: Tx): Tx => ({ src: `!${p(t)}`, kind: 'op', type: 'boolean' });
const fn = (name: string, ...args: Tx[]): Tx => ({ src: `${name}(${args.map((a) => a.src).join(', ')})`, kind: 'atom', type: 'boolean' });
const orZero = (t: Tx): Tx => (t.type === 'number' ? t : { src: `${p(t)} || 0`, kind: 'op', type: 'unknown' });
const asText = (t: Tx): Tx => (t.type === 'string' ? t : { src: `str(${t.src})`, kind: 'atom', type: 'string' });
const isEmpty = (t: Tx): Tx => ({ src: `${p(t)} == null || ${p(t)} == ''`, kind: 'op', type: 'boolean' });
export const TRUE: Tx = { src: 'true', kind: 'atom', type: 'boolean' };

function combine(parts: Tx[], op: '&&' | '||'): Tx {
  if (parts.length === 0) return { src: op === '&&' ? 'true' : 'false', kind: 'atom', type: 'boolean' };
  if (parts.length === 1) return parts[0];
  return { src: parts.map(p).join(` ${op} `), kind: 'op', type: 'boolean' };
}

/** Runs one regex test as JavaScript (n8n's own rule), when the node can run JavaScript. */
type RegexJs = (() => Tx) | undefined;

/** An n8n parameter (text, or a `=` template) as a JavaScript expression giving its value. */
function paramJs(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('=')) return JSON.stringify(raw ?? null);
  const parts = splitN8nTemplate(raw.slice(1));
  const one = (e: string) => `(${e.trim().replace(/;\s*$/, '')}\n)`;
  if (parts.length === 1 && 'expr' in parts[0]) return one(parts[0].expr);
  return `[${parts.map((x) => ('text' in x ? JSON.stringify(x.text) : one(x.expr))).join(', ')}].join('')`;
}

/**
 * n8n's regex comparison as JavaScript: the pattern is `/body/flags` or a bare pattern, the value is
 * matched as text (`(value || '').toString()`, as n8n does).
 */
export function regexJs(value: unknown, pattern: unknown, strict = false): string {
  // strict type validation (IF v2 / Switch v3 default): a value that is not text fails the node, as in n8n
  const check = strict ? "for (const x of [v, p]) if (x != null && typeof x !== 'string') throw new Error(`Wrong type: ${JSON.stringify(x)} is not a string`); " : '';
  return `((v, p) => { ${check}const s = (p || '').toString(); const m = s.match(/^\\/(.*?)\\/([gimusy]*)$/); return !!(v || '').toString().match(m ? new RegExp(m[1], m[2]) : new RegExp(s)); })(${paramJs(value)}, ${paramJs(pattern)})`;
}

/**
 * A regular expression that is plain text (optionally anchored) becomes a string test; one using regex
 * syntax (or given by an expression) runs as JavaScript where the node can (`js`), else is refused.
 */
function regexTest(value: Tx, pattern: Tx, where: string, js: RegexJs): Tx {
  const src = pattern.type === 'string' && pattern.kind === 'atom' && pattern.src.startsWith("'") ? evalLit(pattern.src) : undefined;
  if (src === undefined) {
    if (js) return { ...js(), kind: 'atom', type: 'boolean' };
    unsupported('regex', `${where}: a regular expression given by an expression cannot be translated`);
  }
  let body = src!;
  let flags = '';
  const m = /^\/(.*)\/([a-z]*)$/s.exec(body);
  if (m) {
    body = m[1];
    flags = m[2];
  }
  const start = body.startsWith('^');
  const end = body.endsWith('$') && !body.endsWith('\\$');
  const core = body.slice(start ? 1 : 0, end ? -1 : undefined);
  if (/[\\.*+?()[\]{}|^$]/.test(core) || /[^gi]/.test(flags)) {
    if (js) return { ...js(), kind: 'atom', type: 'boolean' };
    unsupported('regex', `${where}: the regular expression ${JSON.stringify(src)} cannot be translated (only plain text, optionally anchored with ^ and $)`);
  }
  const ci = flags.includes('i');
  const v = ci ? fn('lower', asText(value)) : asText(value);
  const needle = litTx(ci ? core.toLowerCase() : core);
  if (start && end) return bin(v, '==', needle);
  if (start) return fn('startsWith', v, needle);
  if (end) return fn('endsWith', v, needle);
  return fn('contains', v, needle);
}

/** Decode a string literal we produced with lit(). */
function evalLit(src: string): string {
  return src
    .slice(1, -1)
    .replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** IF v1 / Switch v1–v2 comparison of value1 and value2 with a typed operation. */
export function compareV1(type: string, operation: string, a: Tx, b: Tx, where: string, js?: RegexJs): Tx {
  switch (type) {
    case 'boolean':
      if (operation === 'equal') return bin(a, '==', b);
      if (operation === 'notEqual') return bin(a, '!=', b);
      break;
    case 'number': {
      const ops: Record<string, string> = { smaller: '<', smallerEqual: '<=', larger: '>', largerEqual: '>=' };
      if (operation in ops) return bin(orZero(a), ops[operation], orZero(b));
      if (operation === 'equal') return bin(a, '==', b);
      if (operation === 'notEqual') return bin(a, '!=', b);
      if (operation === 'isEmpty') return isEmpty(a);
      if (operation === 'isNotEmpty') return not(isEmpty(a));
      break;
    }
    case 'string': {
      switch (operation) {
        case 'equal':
          return bin(a, '==', b);
        case 'notEqual':
          return bin(a, '!=', b);
        case 'contains':
          return fn('contains', asText(a), asText(b));
        case 'notContains':
          return not(fn('contains', asText(a), asText(b)));
        case 'startsWith':
          return fn('startsWith', a, b);
        case 'notStartsWith':
          return not(fn('startsWith', a, b));
        case 'endsWith':
          return fn('endsWith', a, b);
        case 'notEndsWith':
          return not(fn('endsWith', a, b));
        case 'regex':
          return regexTest(a, b, where, js);
        case 'notRegex':
          return not(regexTest(a, b, where, js));
        case 'isEmpty':
          return isEmpty(a);
        case 'isNotEmpty':
          return not(isEmpty(a));
      }
      break;
    }
    case 'dateTime':
      return unsupported('date', `${where}: date comparisons are not supported (Catalyst expressions have no dates)`);
  }
  return unsupported('condition-operation', `${where}: ${type} operation "${operation}" is not supported`);
}

const V1_DEFAULT_OP: Record<string, string> = { boolean: 'equal', number: 'smaller', string: 'equal', dateTime: 'after' };
const V1_DEFAULT_VALUE: Record<string, unknown> = { boolean: false, number: 0, string: '', dateTime: '' };

/** IF v1: conditions grouped by type, combined with all/any. */
export function ifV1Condition(env: NodeEnv): Tx {
  const conditions = param<Record<string, { value1?: unknown; value2?: unknown; operation?: string }[]>>(env.n8n, 'conditions', {});
  const parts: Tx[] = [];
  for (const type of ['boolean', 'dateTime', 'number', 'string']) {
    (conditions[type] ?? []).forEach((c, i) => {
      const where = `conditions.${type}[${i}]`;
      const a = withParam(`${where}.value1`, () => convertToTx(c.value1 ?? V1_DEFAULT_VALUE[type], env.scope));
      const b = withParam(`${where}.value2`, () => convertToTx(c.value2 ?? V1_DEFAULT_VALUE[type], env.scope));
      const js = env.scope.js ? () => env.scope.js!(regexJs(c.value1 ?? '', c.value2 ?? '')) : undefined;
      parts.push(withParam(where, () => compareV1(type, c.operation ?? V1_DEFAULT_OP[type], a, b, where, js)));
    });
  }
  for (const type of Object.keys(conditions)) if (!(type in V1_DEFAULT_OP)) unsupported('condition-type', `condition type "${type}" is not supported`);
  return combine(parts, param<string>(env.n8n, 'combineOperation', 'all') === 'any' ? '||' : '&&');
}

interface FilterCondition {
  leftValue?: unknown;
  rightValue?: unknown;
  operator?: { type?: string; operation?: string; singleValue?: boolean };
}
interface FilterValue {
  options?: { caseSensitive?: boolean; typeValidation?: string };
  combinator?: string;
  conditions?: FilterCondition[];
}

/** The n8n filter structure (IF v2, Switch v3 rules): conditions with typed operators. */
export function filterCondition(value: FilterValue | undefined, scope: ExprScope, where: string, opts: { ignoreCase?: boolean; loose?: boolean } = {}): Tx {
  const conds = value?.conditions ?? [];
  const caseSensitive = opts.ignoreCase ? false : (value?.options?.caseSensitive ?? true);
  const loose = opts.loose || value?.options?.typeValidation === 'loose';
  const parts = conds.map((c, i) => {
    const at = `${where}.conditions[${i}]`;
    const type = c.operator?.type ?? 'string';
    const operation = c.operator?.operation ?? 'equals';
    let a = withParam(`${at}.leftValue`, () => convertToTx(c.leftValue ?? '', scope));
    let b = withParam(`${at}.rightValue`, () => convertToTx(c.rightValue ?? '', scope));
    // Strict type validation (n8n's default): a value of another type fails the node ("Wrong type").
    if (!loose && STRICT_TYPES.has(type) && !['exists', 'notExists', 'empty', 'notEmpty'].includes(operation)) {
      a = strictly(a, type);
      const right = type === 'array' ? (operation.startsWith('length') ? 'number' : undefined) : type;
      if (!c.operator?.singleValue && right) b = strictly(b, right);
    }
    if (type === 'number' && loose) {
      if (a.type !== 'number') a = { src: `float(${a.src})`, kind: 'atom', type: 'number' };
      if (b.type !== 'number' && !['exists', 'notExists', 'empty', 'notEmpty'].includes(operation)) b = { src: `float(${b.src})`, kind: 'atom', type: 'number' };
    }
    if (type === 'string' && !caseSensitive) {
      a = { src: `lower(${a.src})`, kind: 'atom', type: 'string' };
      b = b.type === 'string' && b.src.startsWith("'") ? litTx(evalLit(b.src).toLowerCase()) : { src: `lower(${b.src})`, kind: 'atom', type: 'string' };
    }
    // n8n lowers both sides for a case-insensitive regex too; that path stays with the translation.
    const js = scope.js && caseSensitive ? () => scope.js!(regexJs(c.leftValue ?? '', c.rightValue ?? '', !loose)) : undefined;
    return withParam(at, () => filterOp(type, operation, a, b, at, js));
  });
  return combine(parts, value?.combinator === 'or' ? '||' : '&&');
}

const STRICT_TYPES = new Set(['string', 'number', 'boolean', 'array', 'object']);
/** A value checked against the operator's type at run time, unless its type is known (literals). */
function strictly(t: Tx, type: string): Tx {
  if (t.type === type || t.type === 'null' || (t.kind === 'atom' && /^(?:'|-?\d|true$|false$|null$)/.test(t.src))) return t;
  return { src: `checkType(${t.src}, '${type}')`, kind: 'atom', type: t.type };
}

function filterOp(type: string, operation: string, a: Tx, b: Tx, where: string, js?: RegexJs): Tx {
  const exists = bin(a, '!=', { src: 'null', kind: 'atom', type: 'null' });
  switch (operation) {
    case 'exists':
      return exists;
    case 'notExists':
      return not(exists);
    case 'empty':
      return type === 'array' || type === 'object' ? bin(fn('len', a), '==', litTx(0)) : isEmpty(a);
    case 'notEmpty':
      return type === 'array' || type === 'object' ? bin(fn('len', a), '>', litTx(0)) : not(isEmpty(a));
  }
  if (type === 'dateTime') return unsupported('date', `${where}: date comparisons are not supported (Catalyst expressions have no dates)`);
  const cmp: Record<string, string> = { equals: '==', notEquals: '!=', gt: '>', lt: '<', gte: '>=', lte: '<=' };
  if (type === 'string') {
    if (operation === 'equals' || operation === 'notEquals') return bin(a, cmp[operation], b);
    const map: Record<string, [string, boolean]> = {
      contains: ['contains', false],
      notContains: ['contains', true],
      startsWith: ['startsWith', false],
      notStartsWith: ['startsWith', true],
      endsWith: ['endsWith', false],
      notEndsWith: ['endsWith', true],
    };
    if (operation in map) {
      const [f, negate] = map[operation];
      const t = fn(f, asText(a), b);
      return negate ? not(t) : t;
    }
    if (operation === 'regex') return regexTest(a, b, where, js);
    if (operation === 'notRegex') return not(regexTest(a, b, where, js));
  }
  if (type === 'number' && operation in cmp) return bin(a, cmp[operation], b);
  if (type === 'boolean') {
    if (operation === 'true') return bin(a, '==', TRUE);
    if (operation === 'false') return bin(a, '==', { src: 'false', kind: 'atom', type: 'boolean' });
    if (operation === 'equals' || operation === 'notEquals') return bin(a, cmp[operation], b);
  }
  if (type === 'array') {
    if (operation === 'contains') return fn('contains', a, b);
    if (operation === 'notContains') return not(fn('contains', a, b));
    const len: Record<string, string> = { lengthEquals: '==', lengthNotEquals: '!=', lengthGt: '>', lengthLt: '<', lengthGte: '>=', lengthLte: '<=' };
    if (operation in len) return bin(fn('len', a), len[operation], b);
  }
  return unsupported('condition-operation', `${where}: ${type} operation "${operation}" is not supported`);
}

function withParam<T>(parameter: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Unsupported) err.parameter ??= parameter;
    throw err;
  }
}

export function convertIf(env: NodeEnv): Converted {
  const cond = env.n8n.typeVersion < 2 ? ifV1Condition(env) : filterCondition(param(env.n8n, 'conditions'), env.scope, 'conditions', { loose: param<boolean>(env.n8n, 'looseTypeValidation', false) });
  return {
    nodes: [{ id: env.id, type: 'condition', description: describeNode(env.n8n), if: cond.src === 'true' || cond.src === 'false' ? cond.src === 'true' : `{{ ${cond.src} }}` }],
    outputs: [[{ from: env.id, branch: 'true' }], [{ from: env.id, branch: 'false' }]],
    view: 'pass',
    branching: true,
  };
}

/** Branch names for switch cases: from the output names, unique, never "default". */
function branchName(key: unknown, index: number, taken: Set<string>): string {
  let base = String(key ?? '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  if (!base || base === 'default') base = `output_${index}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

export function convertSwitch(env: NodeEnv): Converted {
  const n = env.n8n;
  const v = n.typeVersion;
  const mode = param<string>(n, 'mode', 'rules');
  const taken = new Set<string>(['default']);
  const cases: { branch: string; when?: unknown; equals?: unknown }[] = [];
  /** Output index → branch names leading there. */
  const outs = new Map<number, string[]>();
  const route = (output: number, branch: string) => outs.set(output, [...(outs.get(output) ?? []), branch]);
  let value: unknown;
  let outputCount = 0;

  if (mode === 'expression') {
    const expr = withParam('output', () => convertToTx(param(n, 'output', 0), env.scope));
    outputCount = v < 2 ? 4 : v < 3 ? param<number>(n, 'outputsAmount', 4) : param<number>(n, 'numberOutputs', 4);
    value = `{{ ${expr.src} }}`;
    for (let i = 0; i < outputCount; i++) {
      const b = branchName(`output_${i}`, i, taken);
      cases.push({ branch: b, equals: i });
      route(i, b);
    }
  } else if (mode !== 'rules') {
    unsupported('switch-mode', `mode "${mode}" is not supported`);
  } else if (v < 3) {
    const dataType = param<string>(n, 'dataType', 'number');
    const rules = param<{ operation?: string; value2?: unknown; output?: number; outputKey?: string }[]>(n, 'rules.rules', []);
    const a = withParam('value1', () => convertToTx(param(n, 'value1', V1_DEFAULT_VALUE[dataType]), env.scope));
    rules.forEach((r, i) => {
      const where = `rules.rules[${i}]`;
      const b = withParam(`${where}.value2`, () => convertToTx(r.value2 ?? V1_DEFAULT_VALUE[dataType], env.scope));
      const js = env.scope.js ? () => env.scope.js!(regexJs(param(n, 'value1', ''), r.value2 ?? '')) : undefined;
      const cond = withParam(where, () => compareV1(dataType, r.operation ?? V1_DEFAULT_OP[dataType], a, b, where, js));
      const output = v < 2 ? (r.output ?? 0) : i;
      const br = branchName(v < 2 ? `output_${output}` : r.outputKey, output, taken);
      cases.push({ branch: br, when: `{{ ${cond.src} }}` });
      route(output, br);
    });
    outputCount = v < 2 ? 4 : rules.length;
  } else {
    const rules = param<{ conditions?: FilterValue; outputKey?: string; renameOutput?: boolean }[]>(n, 'rules.values', []);
    const ignoreCase = param<boolean>(n, 'options.ignoreCase', false);
    const loose = param<boolean>(n, 'options.looseTypeValidation', false);
    if (param<boolean>(n, 'options.allMatchingOutputs', false)) unsupported('switch-all-matching', 'sending an item to every matching output runs several branches with the same item; Catalyst takes one branch', { parameter: 'options.allMatchingOutputs' });
    rules.forEach((r, i) => {
      const cond = filterCondition(r.conditions, env.scope, `rules.values[${i}].conditions`, { ignoreCase, loose });
      const br = branchName(r.renameOutput || r.outputKey ? r.outputKey : undefined, i, taken);
      cases.push({ branch: br, when: `{{ ${cond.src} }}` });
      route(i, br);
    });
    outputCount = rules.length;
  }
  if (cases.length === 0) unsupported('switch-empty', 'the switch has no routing rules');

  // Fallback: where items matching no rule go (default branch of our switch).
  let fallback: number | 'extra' | 'none' = 'none';
  if (mode === 'rules') {
    const raw = v < 3 ? param<number | string>(n, 'fallbackOutput', -1) : param<number | string>(n, 'options.fallbackOutput', 'none');
    if (raw === 'extra') fallback = 'extra';
    else if (raw === 'none' || raw === -1 || raw === '-1') fallback = 'none';
    else if (typeof raw === 'number' || /^\d+$/.test(String(raw))) fallback = Number(raw);
    else unsupported('switch-fallback', `fallback output ${JSON.stringify(raw)} is not supported`, { parameter: 'options.fallbackOutput' });
  }
  if (fallback === 'extra') {
    route(outputCount, 'default');
    outputCount++;
  } else if (typeof fallback === 'number') route(fallback, 'default');

  const outputs: Attach[][] = [];
  const max = Math.max(outputCount, ...[...outs.keys()].map((k) => k + 1));
  for (let i = 0; i < max; i++) outputs.push((outs.get(i) ?? []).map((branch) => ({ from: env.id, branch })));
  const node: Record<string, unknown> = { id: env.id, type: 'switch', description: describeNode(n) };
  if (value !== undefined) node.value = value;
  node.cases = cases;
  return {
    nodes: [node as Converted['nodes'][number]],
    outputs,
    view: 'pass',
    branching: true,
    // Items matching no rule (without a fallback output) stop here.
    ...(fallback === 'none' ? { unrouted: [{ from: env.id, branch: 'default' }] } : {}),
  };
}
