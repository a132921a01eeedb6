import { describe, expect, it } from 'vitest';
import { DEFAULTS, knownVersion, param } from '../../src/n8n/defaults.ts';
import { JsSyntaxError, parseJs, splitN8nTemplate, type JsNode } from '../../src/n8n/jsparse.ts';
import { noqa, pythonShim } from '../../src/n8n/nodes/code.ts';
import { kebabName, lodashPath, Names, setAt, snakeId, upperSnake } from '../../src/n8n/paths.ts';
import { formatReport, buildReport } from '../../src/n8n/report.ts';

/** A compact rendering of the AST, to check shape and precedence. */
function show(n: JsNode): string {
  switch (n.type) {
    case 'Literal':
      return JSON.stringify(n.value);
    case 'Identifier':
      return n.name;
    case 'Member':
      return `${show(n.object)}${n.optional ? '?.' : ''}[${show(n.property)}]`;
    case 'Call':
      return `${show(n.callee)}(${n.args.map(show).join(',')})`;
    case 'New':
      return `new ${show(n.callee)}(${n.args.map(show).join(',')})`;
    case 'Binary':
      return `(${show(n.left)} ${n.operator} ${show(n.right)})`;
    case 'Unary':
      return `${n.operator}${show(n.argument)}`;
    case 'Conditional':
      return `(${show(n.test)} ? ${show(n.consequent)} : ${show(n.alternate)})`;
    case 'Array':
      return `[${n.elements.map(show).join(',')}]`;
    case 'Object':
      return `{${n.props.map((p) => ('spread' in p ? `...${show(p.spread)}` : `${p.key}:${show(p.value)}`)).join(',')}}`;
    case 'Template':
      return `\`${n.quasis.join('${}')}\`(${n.exprs.map(show).join(',')})`;
    case 'Regex':
      return `/${n.pattern}/${n.flags}`;
    case 'Arrow':
      return `arrow(${n.params})`;
    case 'Spread':
      return `...${show(n.argument)}`;
    case 'Assign':
      return `assign(${n.operator})`;
  }
}

describe('n8n expressions parsed with acorn', () => {
  it.each([
    ['$json.a.b[0]', '$json["a"]["b"][0]'],
    ['a + b * c - d', '((a + (b * c)) - d)'],
    ['(a || b && c) ?? d', '((a || (b && c)) ?? d)'],
    ['2 ** 3 ** 2', '(2 ** (3 ** 2))'],
    ['!a === b', '(!a === b)'],
    ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
    ['a?.b?.[0]?.()', 'a?.["b"]?.[0]()'],
    ["$('Node').item.json['x y']", '$("Node")["item"]["json"]["x y"]'],
    ['{ "a": 1, b, "c d": [1, {x: 2}] }', '{a:1,b:b,c d:[1,{x:2}]}'],
    ['{ ...x, y: 1 }', '{...x,y:1}'],
    ['`a${b}c${d + 1}`', '`a${}c${}`(b,(d + 1))'],
    ['x.match(/[a-z]+/gi)', 'x["match"](/[a-z]+/gi)'],
    ['a / b / c', '((a / b) / c)'],
    ['list.map(x => x.id)', 'list["map"](arrow(x))'],
    ['list.map((a, b) => { return a })', 'list["map"](arrow((a, b)))'],
    ['new Date().toISOString()', 'new Date()["toISOString"]()'],
    ['typeof x', 'typeofx'],
    ['a in b', '(a in b)'],
    ['[1, ...rest]', '[1,...rest]'],
    ['f(...args)', 'f(...args)'],
    ['0x1F + 1e3 + .5', '((31 + 1000) + 0.5)'],
    ['"\\u0041\\x42\\n\\t"', '"AB\\n\\t"'],
    ['a = 1', 'assign(=)'],
    ['true && null', '(true && null)'],
    ['x // comment\n + /* c */ 1', '(x + 1)'],
    ["'it\\'s' + \"q\\\"\"", '("it\'s" + "q\\"")'],
    ['`${`${a}`}`', '`${}`(`${}`(a))'],
    ['function (a) { return a }', 'arrow(function (a))'],
    ['x.y;;', 'x["y"]'],
    ['({ a: 1 })', '{a:1}'],
    ['await x', 'awaitx'],
  ])('%s', (src, ast) => {
    expect(show(parseJs(src))).toBe(ast);
  });

  it.each([
    ['a +', 'Unexpected token at the end', 3],
    ['a b', 'unexpected "b"', 2],
    ['a, b', 'commas', 1],
    ['a || b ?? c', 'cannot be mixed', 7],
    ['"open', 'Unterminated string constant', 0],
    ['`open', 'Unterminated template', 1],
    ['/open', 'Unterminated regular expression', 1],
    ['a++', 'changes a variable', 0],
    ['++a', 'changes a variable', 0],
    ['{ [k]: 1 }', 'computed object keys', 3],
    ['{ m() {} }', 'object methods', 2],
    ['{ get m() { return 1 } }', 'object methods', 2],
    ['{ 1 }', 'Unexpected token at "}"', 4],
    ['[1,,2]', 'holes', 0],
    ['class {}', 'class is not supported', 0],
    ['a.#x', 'Private field', 2],
    ['a.1', 'unexpected ".1"', 1],
    ['1a', 'Identifier directly after number', 1],
    ['10n', 'BigInt', 0],
    ['a ¤ b', "Unexpected character '¤'", 2],
    ['/* open', 'Unterminated comment', 0],
    ['tag`x`', 'tagged template', 3],
    ['"\\xZZ"', 'Bad character escape sequence', 3],
    ['(a', 'Unexpected token at the end', 2],
    ['  ', 'the expression is empty', 0],
    ['x; y', 'unexpected "y"', 3],
  ])('refuses %s', (src, message, offset) => {
    let err: unknown;
    try {
      parseJs(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsSyntaxError);
    expect((err as Error).message).toContain(message);
    expect((err as JsSyntaxError).offset).toBe(offset);
  });

  it('keeps source offsets on every node', () => {
    const n = parseJs(' $json.a + `x${ $json.b }`');
    expect(n).toMatchObject({ type: 'Binary', start: 1, end: 26, left: { type: 'Member', start: 1, end: 8, property: { start: 7, end: 8 } } });
    expect(n.type === 'Binary' && n.right.type === 'Template' && n.right.exprs[0]).toMatchObject({ type: 'Member', start: 16, end: 23 });
  });

  it('splits n8n templates; }} inside strings, templates and objects does not close', () => {
    expect(splitN8nTemplate('Hi {{ $json.a }}!')).toEqual([{ text: 'Hi ' }, { expr: ' $json.a ', offset: 5 }, { text: '!' }]);
    expect(splitN8nTemplate('{{ { a: {b: 1}} }}')).toEqual([{ expr: ' { a: {b: 1}} ', offset: 2 }]);
    expect(splitN8nTemplate('{{ "}}" + `}}` }}')).toEqual([{ expr: ' "}}" + `}}` ', offset: 2 }]);
    expect(splitN8nTemplate('')).toEqual([{ text: '' }]);
    expect(() => splitN8nTemplate('{{ open')).toThrow('never closed');
  });

  it('closes an expression at the first }} where the code before it is one expression (as n8n does)', () => {
    expect(splitN8nTemplate('{{ {a: 1}}}!')).toEqual([{ expr: ' {a: 1}', offset: 2 }, { text: '!' }]);
    expect(splitN8nTemplate('{{ `${ {b: 2}.b }}` }}')).toEqual([{ expr: ' `${ {b: 2}.b }}` ', offset: 2 }]);
    // nothing before any }} parses: the first one closes it and the syntax error is reported there
    expect(splitN8nTemplate("{{ $('open }} x }}")).toEqual([{ expr: " $('open ", offset: 2 }, { text: ' x }}' }]);
  });

  it('\\{{ in the text is not an expression (n8n keeps it, backslash included); \\}} in the code is }}', () => {
    expect(splitN8nTemplate('a \\{{ $json.x }} b')).toEqual([{ text: 'a \\{{ $json.x }} b' }]);
    expect(splitN8nTemplate('\\{{ x }} {{ y }}')).toEqual([{ text: '\\{{ x }} ' }, { expr: ' y ', offset: 11 }]);
    expect(splitN8nTemplate('{{ "a\\}}" }}')).toEqual([{ expr: ' "a}}" ', offset: 2 }]);
  });
});

describe('node defaults by type and typeVersion', () => {
  it.each([
    ['n8n-nodes-base.webhook', 1, 'httpMethod', 'GET'],
    ['n8n-nodes-base.webhook', 2, 'responseMode', 'onReceived'],
    ['n8n-nodes-base.set', 2, 'keepOnlySet', false],
    ['n8n-nodes-base.set', 3.2, 'include', 'all'],
    ['n8n-nodes-base.set', 3.4, 'includeOtherFields', false],
    ['n8n-nodes-base.switch', 1, 'dataType', 'number'],
    ['n8n-nodes-base.switch', 2, 'fallbackOutput', -1],
    ['n8n-nodes-base.httpRequest', 1, 'requestMethod', 'GET'],
    ['n8n-nodes-base.httpRequest', 4.2, 'contentType', 'json'],
    ['n8n-nodes-base.httpRequest', 4.2, 'specifyBody', 'keypair'],
    ['n8n-nodes-base.code', 2, 'language', 'javaScript'],
    ['n8n-nodes-base.executeWorkflowTrigger', 1, 'inputSource', 'passthrough'],
    ['n8n-nodes-base.executeWorkflowTrigger', 1.1, 'inputSource', 'workflowInputs'],
    ['n8n-nodes-base.merge', 3, 'mode', 'append'],
    ['@n8n/n8n-nodes-langchain.chainLlm', 1.3, 'promptType', 'auto'],
    ['@n8n/n8n-nodes-langchain.respondToWebhook', 1, 'nothing', undefined],
  ])('%s v%s: %s = %j', (type, typeVersion, path, want) => {
    expect(param({ type, typeVersion, parameters: {} }, path)).toEqual(want);
  });

  it('a parameter set in the export wins; nested paths; fallbacks', () => {
    const n = { type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { httpMethod: 'POST', options: { a: { b: 1 } } } };
    expect(param(n, 'httpMethod')).toBe('POST');
    expect(param(n, 'options.a.b')).toBe(1);
    expect(param(n, 'options.missing', 'fb')).toBe('fb');
    expect(knownVersion(n)).toBe(true);
    expect(knownVersion({ type: 'n8n-nodes-base.webhook', typeVersion: 9.9 })).toBe(true);
    expect(knownVersion({ type: 'n8n-nodes-base.unknown', typeVersion: 1 })).toBe(false);
    expect(Object.keys(DEFAULTS).length).toBeGreaterThan(10);
  });
});

describe('names and paths', () => {
  it('sanitizes ids, workflow and secret names', () => {
    expect(snakeId('Get URL (2)')).toBe('get_url_2');
    expect(snakeId('2nd step')).toBe('n_2nd_step');
    expect(snakeId('!!!')).toBe('node');
    expect(snakeId('Café crème')).toBe('cafe_creme');
    expect(kebabName('[3/3] Anomaly detection')).toBe('wf-3-3-anomaly-detection');
    expect(kebabName('')).toBe('workflow');
    expect(kebabName('HelloWorld Flow')).toBe('hello-world-flow');
    expect(upperSnake('OpenAi account')).toBe('OPENAI_ACCOUNT');
    expect(upperSnake('My API key')).toBe('MY_API_KEY');
    expect(upperSnake('1 weird')).toBe('N8N_1_WEIRD');
    expect(upperSnake('')).toBe('N8N_CREDENTIAL');
    const names = new Names('_', 10, ['taken']);
    expect([names.take('taken'), names.take('a'), names.take('a'), names.take('abcdefghijkl'), names.take('abcdefghijkl')]).toEqual(['taken_2', 'a', 'a_2', 'abcdefghij', 'abcdefgh_2']);
    expect(names.has('a_2')).toBe(true);
  });

  it('lodash paths and setting values at them', () => {
    expect(lodashPath('a.b[0].c')).toEqual(['a', 'b', 0, 'c']);
    expect(lodashPath('a["x y"]')).toEqual(['a', 'x y']);
    expect(lodashPath('plain')).toEqual(['plain']);
    const obj: Record<string, unknown> = {};
    const tree = new Map();
    setAt(obj, tree, ['a', 'list', 2, 'x'], 1);
    setAt(obj, tree, ['a', 'b'], 2);
    expect(obj).toEqual({ a: { list: [null, null, { x: 1 }], b: 2 } });
    expect([...tree.keys()]).toEqual(['a']);
  });
});

describe('Python code nodes', () => {
  it('adds # noqa where a comment can go, never inside strings or after a continuation', () => {
    const code = ['import os', 'x = 1  # note', 's = """', 'multi # not a comment', '"""', 'y = (1 +', '     2)', 'z = 1 + \\', '    2', "t = 'a#b'", '', 'w = 1  # noqa: F841'].join('\n');
    expect(noqa(code).split('\n')).toEqual([
      'import os  # noqa',
      'x = 1  # note  # noqa',
      's = """',
      'multi # not a comment',
      '"""  # noqa',
      'y = (1 +  # noqa',
      '     2)  # noqa',
      'z = 1 + \\',
      '    2  # noqa',
      "t = 'a#b'  # noqa",
      '',
      'w = 1  # noqa: F841',
    ]);
  });

  it('wraps the code in the shim, indenting it (tabs expanded)', () => {
    const py = pythonShim({ name: 'N' }, 'if True:\n\treturn 1', false);
    expect(py).toContain('def _n8n_main():\n    if True:  # noqa\n        return 1  # noqa');
    expect(py.split('\n').at(-1)).toBe('return {"json": _result}');
  });
});

describe('the report', () => {
  it('formats the summary with top reasons, secrets and settings', () => {
    const report = buildReport(
      'p',
      [
        { file: 'b.json', n8nName: 'B', status: 'partial', workflows: ['b'], issues: [{ severity: 'error', code: 'javascript-code', file: 'b.json', node: 'JS', parameter: 'jsCode', reason: 'no JS', stubbed: true }, { severity: 'note', code: 'sticky-notes', file: 'b.json', reason: '1 sticky note(s) dropped' }] },
        { file: 'a.json', n8nName: 'A', status: 'refused', workflows: [], issues: [{ severity: 'error', code: 'loop', file: 'a.json', reason: 'loops', expression: 'x'.repeat(200) }] },
      ],
      new Map([['TOKEN', 'the token']]),
      new Map([['API_URL', '']]),
      true,
    );
    expect(report.summary).toEqual({ files: 2, clean: 0, partial: 1, refused: 1, workflows: 1, errors: 2, warnings: 0 });
    expect(report.files.map((f) => f.file)).toEqual(['a.json', 'b.json']);
    const text = formatReport(report);
    expect(text).toContain('refused  a.json\n    error: loops\n        expression: xxx');
    expect(text).toContain('partial  b.json → b\n    error (stubbed): node "JS", parameter jsCode: no JS');
    expect(text).not.toContain('sticky');
    expect(formatReport(report, { verbose: true })).toContain('note: 1 sticky note(s) dropped');
    expect(text).toContain('top reasons:\n    1 file(s)  javascript-code: no JS\n    1 file(s)  loop: loops');
    expect(text).toContain('secrets to set (pulumi config set --secret): TOKEN');
    expect(text).toContain('settings to fill in (env in project.yaml): API_URL');
  });
});
