/**
 * Workflow input schemas → pydantic v2 model classes (view model for templates/app/app/models.py.ejs).
 * Every field gets the Python name `f_<name>` and `alias="<name>"`, so no input field can collide with a
 * keyword, a BaseModel attribute or a name the module uses; the aliases are what the API shows.
 */
import type { InputField, InputSchema } from '../definitions/schema.ts';
import type { Json } from '../expressions/value.ts';
import { pyLiteral, pyNumber, pyStr } from '../expressions/python.ts';
import { NameAllocator } from './names.ts';

export interface FieldView {
  pyName: string;
  annotation: string;
  /** Arguments of `Field(…)`, as Python source. */
  args: string;
}

export interface ModelClassView {
  name: string;
  /** `ConfigDict(…)` arguments, as Python source. */
  config: string;
  fields: FieldView[];
}

export interface ModelsView {
  classes: ModelClassView[];
  /** The names after `from typing import`, or '' when none is needed. */
  typingImportsPy: string;
  /** The names after `from pydantic import`. */
  pydanticImportsPy: string;
  /** Some field checks a string format (so `catalyst_runtime.formats` is imported). */
  usesFormats: boolean;
}

interface Ctx {
  classes: ModelClassView[];
  names: NameAllocator;
  /** Query-string models coerce strings ("lax"); JSON bodies are validated strictly. */
  lax: boolean;
  flags: { annotated: boolean; literal: boolean; any: boolean; formats: boolean };
}

const FORMAT_FN: Record<NonNullable<InputField['format']>, string> = {
  email: 'email',
  uri: 'uri',
  date: 'date_',
  'date-time': 'date_time',
  uuid: 'uuid_',
};

/** Constraint arguments of Field(…) or of an item's Annotated[…, Field(…)]. */
function constraintArgs(f: InputField): string[] {
  const a: string[] = [];
  if (f.description !== undefined) a.push(`description=${pyStr(f.description)}`);
  if (f.type === 'string') {
    if (f.minLength !== undefined) a.push(`min_length=${f.minLength}`);
    if (f.maxLength !== undefined) a.push(`max_length=${f.maxLength}`);
    if (f.pattern !== undefined) a.push(`pattern=${pyStr(f.pattern)}`);
    if (f.format !== undefined) a.push(`json_schema_extra={"format": ${pyStr(f.format)}}`);
  }
  if (f.type === 'number' || f.type === 'integer') {
    if (f.minimum !== undefined) a.push(`ge=${pyNumber(f.minimum)}`);
    if (f.maximum !== undefined) a.push(`le=${pyNumber(f.maximum)}`);
    if (f.type === 'number') a.push('allow_inf_nan=False');
  }
  if (f.type === 'array') {
    if (f.minItems !== undefined) a.push(`min_length=${f.minItems}`);
    if (f.maxItems !== undefined) a.push(`max_length=${f.maxItems}`);
  }
  return a;
}

/** The Python type of a field (without its constraints), declaring nested classes as needed. */
function typeOf(f: InputField, owner: string, field: string, ctx: Ctx): string {
  if (f.enum && f.enum.length) {
    ctx.flags.literal = true;
    return `Literal[${f.enum.map((v) => pyLiteral(v)).join(', ')}]`;
  }
  switch (f.type) {
    case 'string':
      if (f.format) {
        ctx.flags.annotated = true;
        ctx.flags.formats = true;
        return `Annotated[str, AfterValidator(formats.${FORMAT_FN[f.format]})]`;
      }
      return 'str';
    case 'number':
      return 'float';
    case 'integer':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'array': {
      if (!f.items) {
        ctx.flags.any = true;
        return 'list[Any]';
      }
      const item = typeOf(f.items, owner, `${field}_item`, ctx);
      const args = constraintArgs(f.items);
      if (!args.length) return `list[${item}]`;
      ctx.flags.annotated = true;
      return `list[Annotated[${item}, Field(${args.join(', ')})]]`;
    }
    case 'object': {
      if (!f.properties || Object.keys(f.properties).length === 0) {
        ctx.flags.any = true;
        return 'dict[str, Any]';
      }
      return declareClass(ctx.names.take(`${owner}_${field}`), f.properties, f.required ?? [], f.additionalProperties ?? true, undefined, ctx);
    }
  }
}

function declareClass(
  name: string,
  properties: Record<string, InputField>,
  required: string[],
  additional: boolean,
  description: string | undefined,
  ctx: Ctx,
): string {
  const fields: FieldView[] = [];
  // Fields keep the definition's order (it is the order the API documents).
  for (const [key, f] of Object.entries(properties)) {
    const annotation = typeOf(f, name, key, ctx);
    const args = [`alias=${pyStr(key)}`];
    if (f.default !== undefined) args.push(`default=${pyLiteral(f.default as Json)}`);
    else if (!required.includes(key)) args.push('default=None');
    args.push(...constraintArgs(f));
    fields.push({ pyName: `f_${key}`, annotation, args: args.join(', ') });
  }
  const config = [`title=${pyStr(name)}`, `extra=${additional ? '"allow"' : '"forbid"'}`, 'regex_engine="python-re"'];
  if (!ctx.lax) config.push('strict=True');
  if (description) config.push(`json_schema_extra={"description": ${pyStr(description)}}`);
  ctx.classes.push({ name, config: config.join(', '), fields });
  return name;
}

/**
 * One input model per workflow (className must be unique and is reserved before any nested class is
 * named). Nested classes come before the class that uses them.
 */
export function buildModels(workflows: { name: string; className: string; input: InputSchema; lax: boolean }[]): ModelsView {
  const names = new NameAllocator();
  // Reserve the top-level names first so nested classes never take them.
  for (const w of workflows) names.take(w.className);
  const classes: ModelClassView[] = [];
  const flags = { annotated: false, literal: false, any: false, formats: false };
  for (const w of workflows) {
    const ctx: Ctx = { classes, names, lax: w.lax, flags };
    declareClass(w.className, w.input.properties, w.input.required, w.input.additionalProperties, w.input.description, ctx);
  }
  const typing = [...(flags.annotated ? ['Annotated'] : []), ...(flags.any ? ['Any'] : []), ...(flags.literal ? ['Literal'] : [])];
  // `Field` only when some class declares a field.
  const pydantic = [...(flags.formats ? ['AfterValidator'] : []), 'BaseModel', 'ConfigDict', ...(classes.some((c) => c.fields.length > 0) ? ['Field'] : [])];
  return { classes, typingImportsPy: typing.join(', '), pydanticImportsPy: pydantic.join(', '), usesFormats: flags.formats };
}
