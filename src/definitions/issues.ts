import type { z } from 'zod';
import { closest } from '../shared/suggest.ts';
import type { Diagnostic } from './diagnostics.ts';
import { diagAt, type YamlFile } from './yaml.ts';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  innerType?: AnySchema;
  getter?: () => AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  in?: AnySchema;
}
const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(s: AnySchema): AnySchema {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
  return s;
}

/** The object schema that applies at `path` of `data` (following discriminated unions by the data). */
export function schemaAt(schema: AnySchema, path: readonly PropertyKey[], data: unknown): AnySchema | undefined {
  let s = unwrap(schema);
  let value: unknown = data;
  for (const seg of path) {
    s = pickUnionOption(s, value);
    const d = defOf(s);
    if (d.type === 'object' && d.shape) s = d.shape[String(seg)];
    else if (d.type === 'array' && d.element) s = d.element;
    else if (d.type === 'record' && d.valueType) s = d.valueType;
    else return undefined;
    if (!s) return undefined;
    s = unwrap(s);
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[String(seg)] : undefined;
  }
  return pickUnionOption(s, value);
}

function pickUnionOption(s: AnySchema, value: unknown): AnySchema {
  const d = defOf(s);
  if (d.type !== 'union' || !d.options) return s;
  if (d.discriminator && value && typeof value === 'object') {
    const tag = (value as Record<string, unknown>)[d.discriminator];
    for (const o of d.options) {
      const od = defOf(unwrap(o));
      const lit = od.shape?.[d.discriminator];
      const values = lit ? (defOf(lit) as unknown as { values?: unknown[] }).values : undefined;
      if (values?.includes(tag)) return unwrap(o);
    }
  }
  // A word-or-mapping union (`none | {type: …}`): for a mapping, the one mapping form (maybe itself a union).
  const objects = d.options.map(unwrap).filter((o) => defOf(o).type === 'object' || (defOf(o).type === 'union' && defOf(o).discriminator));
  if (objects.length !== 1) return s;
  return defOf(objects[0]).type === 'union' ? pickUnionOption(objects[0], value) : objects[0];
}

export function knownKeys(schema: AnySchema, path: readonly PropertyKey[], data: unknown): string[] {
  const s = schemaAt(schema, path, data);
  const d = s ? defOf(s) : undefined;
  return d?.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[String(seg)] : undefined;
  return v;
}

/** Turn zod issues into positioned diagnostics with fixes ("did you mean"). */
/**
 * A union of a word and a mapping (e.g. `auth: none | {type: …}`): when only one form fits the value's
 * type, report that form's own problems instead of "matches none of the allowed forms".
 */
function narrowUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const branches = issue.code === 'invalid_union' ? (issue as { errors?: z.core.$ZodIssue[][] }).errors : undefined;
    const rootMismatch = (b: z.core.$ZodIssue[]) => b.length === 1 && b[0].path.length === 0 && (b[0].code === 'invalid_type' || b[0].code === 'invalid_value');
    const fitting = branches?.filter((b) => b.length > 0 && !rootMismatch(b)) ?? [];
    if (branches && branches.length > 1 && fitting.length === 1) out.push(...narrowUnions(fitting[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue)));
    else out.push(issue);
  }
  return out;
}

export function issuesToDiagnostics(y: YamlFile, schema: AnySchema, rawIssues: z.core.$ZodIssue[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const issues = narrowUnions(rawIssues);
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    const value = valueAt(y.data, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(schema, path, y.data);
        for (const k of issue.keys) {
          if (k === 'headers' && path.length === 1 && path[0] === 'trigger' && known.length) {
            // request headers on a schedule or call trigger: there is no request
            out.push(diagAt(y, [...path, k], 'only a webhook trigger has request headers; a scheduled or called workflow has no request', 'remove headers (pass what the workflow needs in its input)', true));
            continue;
          }
          const hint = closest(k, known);
          out.push(
            diagAt(y, [...path, k], `unknown field "${k}"`, hint ? `did you mean "${hint}"?` : known.length ? `allowed here: ${known.filter((x) => x !== '$schema').join(', ')}` : 'remove it', true),
          );
        }
        break;
      }
      case 'invalid_union': {
        const parentValue = valueAt(y.data, path.slice(0, -1));
        const disc = (issue as { discriminator?: string }).discriminator ?? (path.length ? String(path[path.length - 1]) : undefined);
        const parentSchema = path.length ? schemaAt(schema, path.slice(0, -1), y.data) : undefined;
        const pd = parentSchema ? defOf(parentSchema) : undefined;
        const options =
          pd?.type === 'union' && pd.discriminator
            ? pd.options!.map((o) => (defOf(defOf(unwrap(o)).shape![pd.discriminator!]) as unknown as { values: unknown[] }).values[0] as string)
            : [];
        if (options.length && disc) {
          const got = parentValue && typeof parentValue === 'object' ? (parentValue as Record<string, unknown>)[disc] : undefined;
          const hint = typeof got === 'string' ? closest(got, options) : undefined;
          const typo = got === undefined && parentValue && typeof parentValue === 'object' ? closest(disc, Object.keys(parentValue)) : undefined;
          if (typo) {
            out.push(diagAt(y, [...path.slice(0, -1), typo], `unknown field "${typo}"`, `did you mean "${disc}"?`, true));
            break;
          }
          out.push(
            diagAt(
              y,
              path,
              got === undefined ? `missing "${disc}"` : `unknown ${disc} ${JSON.stringify(got)}`,
              hint ? `did you mean "${hint}"?` : `one of: ${options.join(', ')}`,
            ),
          );
        } else if (value === undefined) out.push(diagAt(y, path, `missing required field "${String(path[path.length - 1] ?? '')}"`));
        else {
          const words = ((issue as { errors?: z.core.$ZodIssue[][] }).errors ?? []).flatMap((b) => (b.length === 1 && b[0].code === 'invalid_value' && b[0].path.length === 0 ? b[0].values.map(String) : []));
          const hint = typeof value === 'string' ? closest(value, words) : undefined;
          out.push(diagAt(y, path, `${describeType(value)} matches none of the allowed forms`, hint ? `did you mean "${hint}"?` : words.length ? `write ${words.join(' or ')}, or a mapping (see the schema)` : undefined));
        }
        break;
      }
      case 'invalid_type': {
        if (value === undefined) out.push(diagAt(y, path, `missing required field "${String(path[path.length - 1] ?? '')}"`, `add ${String(path[path.length - 1] ?? 'it')}: <${issue.expected}>`));
        else out.push(diagAt(y, path, `expected ${issue.expected}, got ${describeType(value)}`));
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map((v) => JSON.stringify(v));
        if (value === undefined) {
          // A missing enum/literal field is reported by zod as an invalid value; say what is missing.
          const key = String(path[path.length - 1] ?? '');
          const isVersion = key === 'catalyst' && path.length === 1;
          out.push(diagAt(y, path, isVersion ? 'missing the format version' : `missing required field "${key}"`, isVersion ? 'start the file with `catalyst: 1`' : `add ${key}: ${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.map(String).join(', ')}`}`));
          break;
        }
        if (path[path.length - 1] === 'catalyst' && path.length === 1) {
          out.push(diagAt(y, path, `unsupported format version ${JSON.stringify(value)}; this Catalyst reads version 1`, 'set `catalyst: 1`, or upgrade Catalyst'));
          break;
        }
        const hint = typeof value === 'string' ? closest(value, issue.values.map(String)) : undefined;
        out.push(diagAt(y, path, `${describeType(value)} is not allowed here`, hint ? `did you mean "${hint}"?` : `one of: ${allowed.join(', ')}`));
        break;
      }
      case 'invalid_key': {
        // A record key that fails its own schema (e.g. a secret name): say which key, and why.
        const why = issue.issues.map((i) => i.message).join('; ');
        out.push(diagAt(y, path, `invalid key ${JSON.stringify(String(path[path.length - 1] ?? ''))}: ${why}`, undefined, true));
        break;
      }
      default:
        out.push(diagAt(y, path, issue.message));
    }
  }
  return out;
}
