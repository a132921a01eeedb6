import { describeNode, type Converted, type NodeEnv } from '../context.ts';
import { param } from '../defaults.ts';
import { convertToTx, convertValue, escapeText, isN8nExpression } from '../expr.ts';
import { unsupported } from '../issues.ts';
import { splitN8nTemplate } from '../jsparse.ts';
import { convertJson, escapeData } from '../jsontemplate.ts';
import { lodashPath, setAt } from '../paths.ts';
import { NULL, overlayView, type Key, type Tree, type View } from '../views.ts';

/**
 * Set ("Edit Fields"): v1–v2 `values` (grouped by type), v3.0–3.2 `fields`, v3.3+ `assignments`, and raw
 * JSON mode. Becomes a transform node. When n8n keeps the other input fields, the fields are read
 * through to the input item (or copied, when the input's fields are known).
 */

type FieldType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'any';
interface Field {
  name: string;
  value: unknown;
  type: FieldType;
  parameter: string;
}

function fieldsOf(env: NodeEnv): { fields: Field[]; include: 'all' | 'none' | 'selected' | 'except'; raw?: unknown } {
  const n = env.n8n;
  const v = n.typeVersion;
  if (v < 3) {
    const values = param<Record<string, { name: string; value: unknown }[]>>(n, 'values', {});
    const fields: Field[] = [];
    for (const group of ['string', 'number', 'boolean']) {
      (values[group] ?? []).forEach((f, i) => fields.push({ name: String(f.name ?? 'propertyName'), value: f.value ?? (group === 'string' ? '' : group === 'number' ? 0 : false), type: 'any', parameter: `values.${group}[${i}]` }));
    }
    for (const group of Object.keys(values)) if (!['string', 'number', 'boolean'].includes(group)) unsupported('set-values', `value group "${group}" is not supported`);
    return { fields, include: param<boolean>(n, 'keepOnlySet', false) ? 'none' : 'all' };
  }
  const mode = param<string>(n, 'mode', 'manual');
  let include: 'all' | 'none' | 'selected' | 'except';
  if (v < 3.3) include = param(n, 'include', 'all');
  else include = param<boolean>(n, 'includeOtherFields', false) ? param(n, 'include', 'all') : 'none';
  if (mode === 'raw') {
    const raw = convertJson(param(n, 'jsonOutput', ''), env.scope, 'jsonOutput');
    if (raw === undefined) return { fields: [], include };
    if (typeof raw === 'string') return { fields: [], include, raw };
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) unsupported('set-raw', 'the JSON output must be an object');
    return { fields: [], include, raw };
  }
  if (mode !== 'manual') unsupported('set-mode', `mode "${mode}" is not supported`);
  if (v < 3.3) {
    const values = param<{ name?: string; type?: string; [k: string]: unknown }[]>(n, 'fields.values', []);
    return {
      include,
      fields: values.map((f, i) => {
        const t = String(f.type ?? 'stringValue');
        const type = ({ stringValue: 'string', numberValue: 'number', booleanValue: 'boolean', arrayValue: 'array', objectValue: 'object' } as const)[t as 'stringValue'];
        if (!type) unsupported('set-type', `field type "${t}" is not supported`, { parameter: `fields.values[${i}].type` });
        return { name: String(f.name ?? ''), value: f[t] ?? (type === 'string' ? '' : null), type, parameter: `fields.values[${i}]` };
      }),
    };
  }
  const list = param<{ name?: string; type?: string; value?: unknown }[]>(n, 'assignments.assignments', []);
  return {
    include,
    fields: list.map((a, i) => ({ name: String(a.name ?? ''), value: a.value ?? null, type: (a.type ?? 'string') as FieldType, parameter: `assignments.assignments[${i}]` })),
  };
}

/**
 * A string field that is one expression. From v3.2 n8n keeps a null or undefined value as null (other
 * values become text); v3.1 fails the node on it and v3.0 writes "null" / "undefined" (warned).
 */
function stringField(env: NodeEnv, f: Field, raw: string): string | null {
  const t = convertToTx(raw, env.scope);
  if (t.type === 'string') return `{{ ${t.src} }}`;
  const v = env.n8n.typeVersion;
  if (v >= 3.2 && t.src === 'null') return null;
  if (v >= 3.2) return `{{ ${/^[\w.]+$/.test(t.src) ? t.src : `(${t.src})`} == null ? null : str(${t.src}) }}`;
  env.issue('warning', 'set-null', `Set v${v}: when the expression is null or undefined n8n ${v > 3 ? 'fails the node' : 'writes "null" / "undefined"'}; Catalyst writes ""`, { parameter: f.parameter, expression: raw });
  return `{{ str(${t.src}) }}`;
}

/** The value of one field, converted to its declared type the way n8n does. */
function fieldValue(env: NodeEnv, f: Field): unknown {
  const raw = f.value;
  if (isN8nExpression(raw)) {
    const parts = splitN8nTemplate(raw.slice(1));
    const single = parts.length === 1 && 'expr' in parts[0];
    const anyExpr = parts.some((p) => 'expr' in p);
    if (!anyExpr) return fieldValue(env, { ...f, value: raw.slice(1) });
    switch (f.type) {
      case 'string':
        return single ? stringField(env, f, raw) : convertValue(raw, env.scope, 'string');
      case 'number': {
        const t = convertToTx(raw, env.scope);
        return t.type === 'number' || (single && t.type === 'unknown') ? `{{ ${t.src} }}` : `{{ float(${t.src}) }}`;
      }
      case 'boolean': {
        if (!single) unsupported('set-type', 'a boolean field built from text cannot be converted', { parameter: f.parameter, expression: raw });
        return convertValue(raw, env.scope);
      }
      case 'array':
      case 'object': {
        // n8n parses a string as JSON text; a value that already is a list or an object is kept.
        const t = convertToTx(raw, env.scope);
        if (single && (t.type === 'array' || t.type === 'object')) return `{{ ${t.src} }}`;
        return `{{ parseJson(${t.src}) }}`;
      }
      default:
        return convertValue(raw, env.scope);
    }
  }
  switch (f.type) {
    case 'string':
      return typeof raw === 'string' ? escapeText(raw) : raw === null ? (env.n8n.typeVersion >= 3.2 ? null : '') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    case 'number': {
      if (typeof raw === 'number') return raw;
      if (raw === '' || raw === null) return null;
      const num = Number(raw);
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(num)) return num;
      return unsupported('set-type', `"${String(raw).slice(0, 40)}" is not a number (n8n fails on it at run time)`, { parameter: f.parameter });
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      if (raw === '' || raw === null) return false;
      return unsupported('set-type', `"${String(raw).slice(0, 40)}" is not a boolean`, { parameter: f.parameter });
    case 'array':
    case 'object': {
      if (typeof raw !== 'string') return escapeData(raw);
      if (raw.trim() === '') return f.type === 'array' ? [] : {};
      try {
        const parsed = JSON.parse(raw);
        if ((f.type === 'array') !== Array.isArray(parsed)) unsupported('set-type', `the value is not ${f.type === 'array' ? 'an array' : 'an object'}`, { parameter: f.parameter });
        return escapeData(parsed);
      } catch (err) {
        if (err instanceof SyntaxError) return unsupported('set-type', `the ${f.type} value is not valid JSON: ${err.message}`, { parameter: f.parameter });
        throw err;
      }
    }
    default:
      return typeof raw === 'string' ? escapeText(raw) : raw;
  }
}

/** A view of the input item with some fields removed (Set's "all except"). */
function exceptView(parent: View, excluded: Set<string>): View {
  return {
    label: parent.label,
    at: (p: Key[]) => (typeof p[0] === 'string' && excluded.has(p[0]) ? NULL : parent.at(p)),
    whole: () => unsupported('set-except', 'the item without the excluded fields cannot be read as one value'),
    value: () => unsupported('set-except', 'the item without the excluded fields cannot be read as one value'),
    keys: parent.keys?.filter((k) => !excluded.has(k)),
  };
}

const list = (s: unknown): string[] =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function convertSet(env: NodeEnv): Converted {
  const n = env.n8n;
  const { fields, include, raw } = fieldsOf(env);
  const dot = param<boolean>(n, 'options.dotNotation', true);
  if (param<boolean>(n, 'options.includeBinary', false)) env.issue('warning', 'binary', 'binary data is not supported; "include binary" has no effect');

  const obj: Record<string, unknown> = {};
  const tree: Tree = new Map();
  let parent: View | undefined;
  const input = env.input;
  if (include !== 'none' && !input) unsupported('set-include', 'the node keeps input fields but has no input');

  // Fields kept from the input come first (n8n keeps the input item and sets fields on it).
  let kept: View | undefined;
  if (include === 'all') kept = input;
  else if (include === 'except') kept = exceptView(input!, new Set(list(param(n, 'excludeFields', ''))));
  else if (include === 'selected') {
    for (const f of list(param(n, 'includeFields', ''))) setAt(obj, tree, [f], `{{ ${input!.at([f]).src} }}`);
  }
  if (include === 'all' && fields.length === 0 && raw === undefined) return { nodes: [], view: 'pass', outputs: 'pass' };

  const setKeys: (string | number)[][] = [];
  if (raw !== undefined) {
    if (typeof raw === 'string') unsupported('set-raw', 'the JSON output is an expression whose fields are unknown; n8n merges it into the item');
    for (const k of Object.keys(raw as Record<string, unknown>)) setKeys.push([k]);
  } else {
    for (const f of fields) {
      let name = f.name;
      if (name.startsWith('=')) {
        if (name.includes('{{')) unsupported('set-dynamic-name', 'field names computed by expressions are not supported', { parameter: `${f.parameter}.name`, expression: name });
        name = name.slice(1);
      }
      if (name === '') unsupported('set-name', 'a field has no name', { parameter: f.parameter });
      setKeys.push(dot ? lodashPath(name) : [name]);
    }
  }
  if (kept) {
    const touched = new Set(setKeys.map((k) => k[0]));
    const deep = new Set(setKeys.filter((k) => k.length > 1).map((k) => k[0]));
    if (kept.keys && ![...deep].some((k) => kept!.keys!.includes(String(k)))) {
      for (const k of kept.keys) if (!touched.has(k)) setAt(obj, tree, [k], `{{ ${kept.at([k]).src} }}`);
    } else parent = kept;
  }
  if (raw !== undefined) for (const [k, v] of Object.entries(raw as Record<string, unknown>)) setAt(obj, tree, [k], v);
  else fields.forEach((f, i) => setAt(obj, tree, setKeys[i], fieldValue(env, f)));

  return {
    nodes: [{ id: env.id, type: 'transform', description: describeNode(n), set: obj }],
    view: overlayView(env.id, n.name, tree, parent),
  };
}
