import { checkPythonCode, PythonUnavailableError } from '../../definitions/python-check.ts';
import { describeNode, type Converted, type NodeEnv } from '../context.ts';
import { param } from '../defaults.ts';
import { Unsupported, unsupported } from '../issues.ts';
import { codeNode } from '../jsrun.ts';
import { baseView, noteJsHeaders } from '../views.ts';

/**
 * Code node. JavaScript becomes a javascript node; Python becomes a code node that runs inside a small
 * shim providing n8n's `_input`, `_json` and `_('Node')` for one item and turning the returned item(s)
 * back into one object: our node returns {"json": item}.
 */

/**
 * The user's Python is carried over verbatim; it was not written against the generated app's lint rules,
 * so each line that can take a comment gets `# noqa` (not inside multi-line strings or after a backslash
 * continuation). Lint still applies to everything Catalyst generates.
 */
export function noqa(code: string): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  let triple: string | undefined;
  return lines
    .map((line) => {
      let i = 0;
      let comment = false;
      if (triple) {
        const end = line.indexOf(triple);
        if (end === -1) return line;
        i = end + 3;
        triple = undefined;
      }
      while (i < line.length) {
        const c = line[i];
        if (c === '#') {
          comment = true;
          break;
        }
        if (c === '"' || c === "'") {
          if (line.startsWith(c.repeat(3), i)) {
            const end = line.indexOf(c.repeat(3), i + 3);
            if (end === -1) {
              triple = c.repeat(3);
              return line;
            }
            i = end + 3;
            continue;
          }
          let j = i + 1;
          while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
          i = j + 1;
          continue;
        }
        i++;
      }
      if (line.trim() === '' || (!comment && /\\\s*$/.test(line))) return line;
      return comment ? (/#\s*noqa\b/.test(line) ? line : `${line.replace(/\s+$/, '')}  # noqa`) : `${line.replace(/\s+$/, '')}  # noqa`;
    })
    .join('\n');
}

export function pythonShim(n: { name: string }, code: string, eachItem: boolean): string {
  const body = noqa(code)
    .split('\n')
    .map((l) => {
      const m = /^[ \t]*/.exec(l)![0];
      return l.trim() === '' ? '' : `    ${m.replace(/\t/g, '    ')}${l.slice(m.length)}`;
    })
    .join('\n')
    .replace(/\n+$/, '');
  return [
    `# n8n Code node ${JSON.stringify(n.name)} (Python), with n8n's _input / _json / _() for one item.`,
    'class _N8nItem(dict):',
    '    def __getattr__(self, key):',
    '        try:',
    '            value = self[key]',
    '        except KeyError:',
    '            raise AttributeError(key) from None',
    '        return _N8nItem(value) if isinstance(value, dict) and not isinstance(value, _N8nItem) else value',
    '',
    'class _N8nItems:',
    '    def __init__(self, data):',
    '        self.item = _N8nItem({"json": _N8nItem(data) if isinstance(data, dict) else data})',
    '',
    '    def all(self):',
    '        return [self.item]',
    '',
    '    def first(self):',
    '        return self.item',
    '',
    '    def last(self):',
    '        return self.item',
    '',
    '_input = _N8nItems(n8n_item)',
    '',
    'def _(name):',
    '    return _N8nItems(n8n_nodes[name])',
    '',
    ...(eachItem ? ['_json = _input.item.json', '_item = _input.item', ''] : []),
    'def _n8n_main():',
    body || '    return None',
    '',
    '_result = _n8n_main()',
    'if isinstance(_result, list):',
    '    if len(_result) != 1:',
    '        raise RuntimeError(f"the n8n code returned {len(_result)} items; a Catalyst workflow handles one item")',
    '    _result = _result[0]',
    'if isinstance(_result, dict) and isinstance(_result.get("json"), dict):',
    '    _result = _result["json"]',
    'return {"json": _result}',
  ].join('\n');
}

/**
 * Compile the shim with Python now, so a Code node that cannot compile is reported at its line and
 * column in the n8n code (a stub with --allow-partial), never left to break the generated app. Without
 * an interpreter the definitions check that follows reports it.
 */
function compilePython(shim: string): void {
  let problem;
  try {
    [problem] = checkPythonCode([{ params: ['n8n_item', 'n8n_nodes'], code: shim }]);
  } catch (err) {
    if (err instanceof PythonUnavailableError) return;
    throw err;
  }
  if (!problem) return;
  const lines = shim.split('\n');
  const first = lines.indexOf('def _n8n_main():') + 2;
  const last = lines.lastIndexOf('_result = _n8n_main()') - 1;
  const inBody = problem.line >= first && problem.line < last;
  const where = inBody ? ` (line ${problem.line - first + 1}, column ${Math.max(1, problem.col - 4)} of the Python code)` : '';
  unsupported('code-syntax', `the Python code does not compile: ${problem.message}${where}`, { parameter: 'pythonCode' });
}

export function convertCode(env: NodeEnv): Converted {
  const n = env.n8n;
  const language = param<string>(n, 'language', 'javaScript');
  if (language !== 'python' && language !== 'pythonNative') {
    const js = param<string>(n, 'jsCode', '');
    if (!js.trim()) unsupported('code-empty', 'the code is empty', { parameter: 'jsCode' });
    const eachJs = param<string>(n, 'mode', 'runOnceForAllItems') === 'runOnceForEachItem';
    try {
      const node = codeNode(env.id, describeNode(n), js, eachJs, env.scope, env.input);
      noteJsHeaders(node, env, 'jsCode');
      return { nodes: [node], view: baseView(`the output of code node "${n.name}"`, `nodes.${env.id}`) };
    } catch (err) {
      if (err instanceof Unsupported) err.parameter ??= 'jsCode';
      throw err;
    }
  }
  const code = param<string>(n, 'pythonCode', '');
  if (!code.trim()) unsupported('code-empty', 'the code is empty', { parameter: 'pythonCode' });
  const eachItem = param<string>(n, 'mode', 'runOnceForAllItems') === 'runOnceForEachItem';
  if (/\b_(?:items|node|env|vars|execution|workflow|prevNode|now|today|jmespath|getWorkflowStaticData)\b/.test(code)) {
    const m = /\b(_(?:items|node|env|vars|execution|workflow|prevNode|now|today|jmespath|getWorkflowStaticData))\b/.exec(code)!;
    unsupported('code-builtin', `the Python code uses ${m[1]}, which the import cannot provide (available: _input, _json, _('Node'))`, { parameter: 'pythonCode' });
  }
  const refs = [...code.matchAll(/\b_\(\s*(['"])(.*?)\1\s*\)/g)].map((m) => m[2]);
  const nodesInput: Record<string, unknown> = {};
  for (const name of [...new Set(refs)].sort()) nodesInput[name] = env.scope.node(name).value();
  const item = env.input && /\b_(?:input|json|item)\b/.test(code) ? env.input.value() : {};
  const shim = pythonShim(n, code, eachItem);
  compilePython(shim);
  return {
    nodes: [
      {
        id: env.id,
        type: 'code',
        description: describeNode(n),
        inputs: { n8n_item: item, n8n_nodes: nodesInput },
        outputs: ['json'],
        code: shim,
      },
    ],
    view: baseView(`the output of code node "${n.name}"`, `nodes.${env.id}.json`),
  };
}

