/**
 * Python code nodes checked with Python's own compiler at validate (and import) time.
 *
 * A code node's body becomes a nested `def user_code(<inputs>):` inside the node's async function in the
 * generated workflow module. `codeLines` is the one place that turns a body into the lines codegen
 * indents; `checkPythonCode` compiles exactly that wrapper with the interpreter and reports, per body,
 * the first problem with its line and column inside the body: a syntax error, a NUL byte, or a line
 * that would end up outside the function (a form feed in the indentation does that), so a generated
 * app always compiles and no user line runs at import time.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isScalar, Scalar } from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.ts';
import type { WorkflowFile } from './schema.ts';
import { diagAt, locate, locateInString, type YamlFile } from './yaml.ts';
import { UserError } from '../shared/errors.ts';

export interface PythonCode {
  /** Parameter names of user_code (the node's inputs, in order). */
  params: readonly string[];
  /** The body as written in the definition. */
  code: string;
}

export interface PythonProblem {
  /** 1-based line and column inside the body as written (after dedent). */
  line: number;
  col: number;
  message: string;
}

/** Thrown when no Python interpreter can be run; the caller reports it (never silently skipped). */
export class PythonUnavailableError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PythonUnavailableError';
  }
}

/** Dedent a body and expand leading tabs, so it can be re-indented safely; trailing blanks dropped. */
export function codeLines(code: string): string[] {
  const lines = code.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n').map((l) => l.replace(/^[\t ]+/, (ws) => ws.replace(/\t/g, '        ')).replace(/[\t ]+$/, ''));
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(cut)));
}

/** Lines of the wrapper before the body; the body's line k is the wrapper's line k + HEADER_LINES. */
const HEADER_LINES = 2;

/** The same nesting the workflow template produces (async node function → def user_code → body). */
export function wrapperSource(item: PythonCode): string {
  const body = codeLines(item.code).map((l) => (l === '' ? '' : `        ${l}`));
  return `async def _node(ctx):\n    def user_code(${item.params.join(', ')}):\n${body.join('\n')}\n\n    return user_code\n`;
}

const CHECKER = String.raw`
import ast, json, sys
HEADER = int(sys.argv[1])
out = []
for src in json.load(sys.stdin):
    problem = None
    try:
        tree = ast.parse(src, "<code>")
        outer = tree.body[0] if len(tree.body) == 1 and isinstance(tree.body[0], ast.AsyncFunctionDef) else None
        inner_ok = outer is not None and len(outer.body) == 2 and isinstance(outer.body[0], ast.FunctionDef) and outer.body[0].name == "user_code" and isinstance(outer.body[1], ast.Return)
        if not inner_ok:
            stray = [n for n in (tree.body[1:] if outer is not None else tree.body) + (outer.body[1:-1] if outer is not None else []) if getattr(n, "lineno", 0) > HEADER]
            first = min(stray, key=lambda n: (n.lineno, n.col_offset)) if stray else None
            problem = {"line": first.lineno if first else HEADER + 1, "col": (first.col_offset + 1) if first else 1,
                       "message": "this line ends up outside the code node's function (a form feed or other control character in its indentation)"}
        else:
            compile(src, "<code>", "exec", dont_inherit=True)
    except SyntaxError as e:
        problem = {"line": e.lineno or HEADER + 1, "col": e.offset or 1, "message": type(e).__name__ + ": " + str(e.msg)}
    except ValueError as e:
        problem = {"line": 0, "col": 0, "message": str(e)}
    out.append(problem)
json.dump(out, sys.stdout)
`;

const cache = new Map<string, PythonProblem | null>();

function interpreter(env: NodeJS.ProcessEnv): string {
  return env.CATALYST_PYTHON || 'python3';
}

/**
 * Check many bodies with one interpreter run. Returns, per item, its first problem or undefined.
 * Throws PythonUnavailableError when the interpreter cannot be run.
 */
export function checkPythonCode(items: readonly PythonCode[], env: NodeJS.ProcessEnv = process.env): (PythonProblem | undefined)[] {
  const sources = items.map(wrapperSource);
  const keys = sources.map((s) => createHash('sha256').update(s).digest('hex'));
  const todo = [...new Set(keys.filter((k) => !cache.has(k)))];
  if (todo.length) {
    const bySrc = new Map(keys.map((k, i) => [k, sources[i]]));
    const cmd = interpreter(env);
    const r = spawnSync(cmd, ['-I', '-S', '-c', CHECKER, String(HEADER_LINES)], {
      input: JSON.stringify(todo.map((k) => bySrc.get(k))),
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
      throw new PythonUnavailableError(`cannot run ${cmd} to check Python code nodes (${why}); install Python 3.11+ or set CATALYST_PYTHON to an interpreter`);
    }
    const results = JSON.parse(r.stdout) as (PythonProblem | null)[];
    todo.forEach((k, i) => cache.set(k, results[i]));
  }
  return keys.map((k, i) => {
    const p = cache.get(k);
    if (!p) return undefined;
    const lines = codeLines(items[i].code);
    if (p.line === 0 || /null bytes/.test(p.message)) {
      // Python refused the source as a whole (NUL byte): point at the first one.
      const at = lines.findIndex((l) => l.includes('\0'));
      return { line: at + 1, col: (at >= 0 ? lines[at].indexOf('\0') : 0) + 1, message: 'the code contains a NUL byte; write "\\0" inside a string literal instead' };
    }
    const line = Math.min(Math.max(p.line - HEADER_LINES, 1), Math.max(lines.length, 1));
    // Body lines are indented by 8 in the wrapper.
    const col = p.line - HEADER_LINES === line && p.line > HEADER_LINES ? Math.max(p.col - 8, 1) : 1;
    return { line, col, message: p.message };
  });
}

/** Where body line/col `p` of the scalar at `path` is in the file (exact for block and one-line scalars). */
function positionInFile(y: YamlFile, path: (string | number)[], p: PythonProblem, lines: string[]): { line: number; col: number; exact: boolean } {
  const start = locate(y, path);
  const node = y.doc.getIn(path, true);
  if (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL) && typeof node.value === 'string') {
    const fileLine = (y.text.split('\n')[start.line - 1 + p.line] ?? '').replace(/\r$/, '').trimEnd();
    const body = lines[p.line - 1] ?? '';
    return { line: start.line + p.line, col: Math.max(1, fileLine.length - body.length + p.col), exact: true };
  }
  if (lines.length === 1 && p.line === 1) {
    const at = locateInString(y, path, p.col - 1 + ((node as Scalar | undefined)?.value as string ?? '').search(/\S|$/));
    return { ...at, exact: true };
  }
  return { ...start, exact: false };
}

/**
 * Check every code node of the given workflows with Python (one interpreter run) and push a positioned
 * diagnostic per broken body. An interpreter that cannot run is reported on each code node.
 */
export function checkCodeNodes(workflows: readonly { y: YamlFile; def: WorkflowFile }[], out: Diagnostic[], env: NodeJS.ProcessEnv = process.env): void {
  const found: { y: YamlFile; i: number; item: PythonCode }[] = [];
  for (const w of workflows) {
    w.def.nodes.forEach((n, i) => {
      if (n.type === 'code') found.push({ y: w.y, i, item: { params: Object.keys(n.inputs), code: n.code } });
    });
  }
  if (!found.length) return;
  let problems: (PythonProblem | undefined)[];
  try {
    problems = checkPythonCode(found.map((f) => f.item), env);
  } catch (err) {
    if (!(err instanceof PythonUnavailableError)) throw err;
    for (const f of found) out.push(diagAt(f.y, ['nodes', f.i, 'code'], err.message));
    return;
  }
  problems.forEach((p, k) => {
    if (!p) return;
    const { y, i, item } = found[k];
    const path = ['nodes', i, 'code'];
    const pos = positionInFile(y, path, p, codeLines(item.code));
    out.push({
      file: y.file,
      line: pos.line,
      col: pos.col,
      path: formatPath(path),
      message: `Python: ${p.message}${pos.exact ? '' : ` (line ${p.line}, column ${p.col} of the code)`}`,
      fix: 'the code must compile as the body of a Python function; fix it and run validate again',
    });
  });
}
