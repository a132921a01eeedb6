/**
 * JavaScript in definitions (the `javascript` node): parsed with acorn at validation time, so a syntax
 * error is reported with its line and column in the YAML file instead of failing at run time. The code is
 * the body of a function (as in an n8n Code node): `return` and `await` are allowed at its top level.
 */
import { parse, type Node as AcornNode, type Options } from 'acorn';
import { isScalar, Scalar } from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.ts';
import { diagAt, locate, type YamlFile } from './yaml.ts';

export const JS_PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  locations: true,
};

export interface JsSyntaxError {
  message: string;
  /** 1-based line and 0-based column inside the code. */
  line: number;
  column: number;
}

/** Parse a function body; the syntax error (without acorn's "(l:c)" suffix) or the program. */
export function parseFunctionBody(code: string): { ok: true; ast: AcornNode } | { ok: false; error: JsSyntaxError } {
  try {
    return { ok: true, ast: parse(code, JS_PARSE_OPTIONS) };
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    if (!(err instanceof SyntaxError) || !err.loc) throw e;
    return { ok: false, error: { message: err.message.replace(/\s*\(\d+:\d+\)$/, ''), line: err.loc.line, column: err.loc.column } };
  }
}

/** True when the body awaits at its top level (it then runs as an async function). */
export function usesAwait(code: string): boolean {
  return /\bawait\b/.test(code);
}

/**
 * Position in the YAML file of (line, column) inside the string at `path`: exact for block scalars
 * (`code: |`) and one-line plain or quoted strings, the scalar's start otherwise.
 */
export function locateInCode(y: YamlFile, path: readonly (string | number)[], line: number, column: number): { line: number; col: number } {
  const start = locate(y, path);
  const node = y.doc.getIn(path as (string | number)[], true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return start;
  if (node.type === Scalar.BLOCK_LITERAL) {
    const raw = y.text.slice(node.range[0], node.range[1]);
    const body = raw.slice(raw.indexOf('\n') + 1);
    const first = body.split('\n').find((l) => l.trim() !== '') ?? '';
    const indent = first.length - first.trimStart().length;
    return { line: start.line + line, col: indent + column + 1 };
  }
  if (line === 1 && !node.value.includes('\n') && node.type === Scalar.PLAIN) return { line: start.line, col: start.col + column };
  return start;
}

/** The checks of one `javascript` node: its syntax and the env settings it reads. */
export function checkJavascriptNode(
  y: YamlFile,
  index: number,
  node: { code: string; env: string[] },
  project: { name: string; secrets?: Record<string, string>; env?: Record<string, unknown> },
  out: Diagnostic[],
): void {
  const parsed = parseFunctionBody(node.code);
  if (!parsed.ok) {
    const path = ['nodes', index, 'code'];
    const pos = locateInCode(y, path, parsed.error.line, parsed.error.column);
    out.push({ file: y.file, line: pos.line, col: pos.col, path: formatPath(path), message: `JavaScript syntax error: ${parsed.error.message} (line ${parsed.error.line} of the code)` });
  }
  node.env.forEach((name, j) => {
    const path = ['nodes', index, 'env', j];
    if (Object.hasOwn(project.secrets ?? {}, name)) out.push(diagAt(y, path, `"${name}" is a secret; JavaScript code cannot read secrets`, 'remove it from env (secrets are only used by the nodes that name them)'));
    else if (!Object.hasOwn(project.env ?? {}, name)) out.push(diagAt(y, path, `env "${name}" is not set by project "${project.name}"`, `add it under env: in project.yaml`));
  });
}
