/**
 * The functions available inside `{{ … }}` expressions. The generated Python runtime implements each as
 * `rx.fn_<name>`; keep this table and templates/app/catalyst_runtime/expr.py.ejs in step.
 */
export interface FunctionSpec {
  min: number;
  max: number;
  doc: string;
}

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  abs: { min: 1, max: 1, doc: 'absolute value of a number' },
  bool: { min: 1, max: 1, doc: 'truthiness of a value as true/false' },
  checkType: { min: 2, max: 2, doc: 'the value when it is null or of the type (string, number, boolean, array, object), else the node fails' },
  coalesce: { min: 1, max: 16, doc: 'first argument that is not null' },
  concat: { min: 1, max: 16, doc: 'join strings, or concatenate lists' },
  contains: { min: 2, max: 2, doc: 'substring in string, item in list, key in object' },
  default: { min: 2, max: 2, doc: 'the value, or the fallback when it is null or missing' },
  endsWith: { min: 2, max: 2, doc: 'string ends with suffix' },
  float: { min: 1, max: 1, doc: 'convert to a floating point number' },
  int: { min: 1, max: 1, doc: 'convert to an integer (truncates)' },
  join: { min: 1, max: 2, doc: 'join a list into a string with a separator (default ",")' },
  json: { min: 1, max: 1, doc: 'serialize a value to a JSON string' },
  keys: { min: 1, max: 1, doc: 'keys of an object, sorted' },
  len: { min: 1, max: 1, doc: 'length of a string, list or object (0 for null)' },
  lower: { min: 1, max: 1, doc: 'lower-case a string' },
  max: { min: 1, max: 16, doc: 'largest of the arguments, or of one list' },
  min: { min: 1, max: 16, doc: 'smallest of the arguments, or of one list' },
  now: { min: 0, max: 0, doc: 'current UTC time as an ISO-8601 string' },
  parseJson: { min: 1, max: 1, doc: 'parse a JSON string' },
  replace: { min: 3, max: 3, doc: 'replace every occurrence of a substring' },
  round: { min: 1, max: 2, doc: 'round a number to n decimals (default 0)' },
  slice: { min: 2, max: 3, doc: 'slice of a string or list from start to end' },
  split: { min: 2, max: 2, doc: 'split a string by a separator' },
  startsWith: { min: 2, max: 2, doc: 'string starts with prefix' },
  str: { min: 1, max: 1, doc: 'convert to a string (null becomes "")' },
  trim: { min: 1, max: 1, doc: 'strip surrounding whitespace' },
  upper: { min: 1, max: 1, doc: 'upper-case a string' },
  uuid: { min: 0, max: 0, doc: 'a random UUID v4 string' },
  values: { min: 1, max: 1, doc: 'values of an object, by sorted key' },
});

/** The roots an expression may read. */
export const ROOTS = ['input', 'nodes', 'env', 'request'] as const;
export type Root = (typeof ROOTS)[number];

export const BINARY_OPERATORS: Readonly<Record<string, string>> = Object.freeze({
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '==': 'eq',
  '===': 'eq',
  '!=': 'ne',
  '!==': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
});
