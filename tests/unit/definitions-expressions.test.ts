import { describe, expect, it } from 'vitest';
import { BINARY_OPERATORS, FUNCTIONS, ROOTS } from '../../src/expressions/functions.ts';
import { ExpressionError, hasExpression, parseExpression, parseTemplate, type TemplatePart } from '../../src/expressions/parse.ts';
import { pyExpr, pyLiteral, pyNumber, pyStr, pyValue } from '../../src/expressions/python.ts';
import { compileValue, isStatic, valueRefs, type ValueError } from '../../src/expressions/value.ts';

const err = (source: string): ExpressionError => {
  try {
    parseExpression(source);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
};
const py = (source: string) => pyExpr(parseExpression(source).ast);
const parts = (ps: TemplatePart[]) => ps.map((p) => ('text' in p ? { text: p.text } : { expr: p.expr.source, offset: p.offset }));

describe('operators', () => {
  it('every supported binary operator parses and compiles to its runtime helper', () => {
    for (const [op, fn] of Object.entries(BINARY_OPERATORS)) {
      expect(py(`input.a ${op} input.b`)).toBe(`rx.${fn}(rx.get(ctx.input, "a"), rx.get(ctx.input, "b"))`);
    }
  });
  it('logical operators, ??, unary and the conditional', () => {
    expect(py('input.a && input.b')).toBe('(rx.get(ctx.input, "a") and rx.get(ctx.input, "b"))');
    expect(py('input.a || input.b')).toBe('(rx.get(ctx.input, "a") or rx.get(ctx.input, "b"))');
    expect(py('input.a ?? 1')).toBe('rx.coalesce2(rx.get(ctx.input, "a"), 1)');
    expect(py('!input.a')).toBe('(not rx.get(ctx.input, "a"))');
    expect(py('-input.a')).toBe('rx.neg(rx.get(ctx.input, "a"))');
    expect(py('+input.a')).toBe('rx.pos(rx.get(ctx.input, "a"))');
    expect(py('input.a ? 1 : 2')).toBe('(1 if rx.get(ctx.input, "a") else 2)');
  });
  it('precedence: * before +, ?? lowest', () => {
    expect(py('1 + 2 * 3')).toBe('rx.add(1, rx.mul(2, 3))');
    expect(py('input.a ?? 1 + 2')).toBe('rx.coalesce2(rx.get(ctx.input, "a"), rx.add(1, 2))');
  });
  it('unsupported operators are errors with a position', () => {
    for (const op of ['|', '&', '^', '<<', '>>']) expect(err(`input.a ${op} 1`).message).toMatch(/syntax error|not supported/);
    expect(err('~input.a').message).toMatch(/syntax error/);
    expect(err('2 ** 3').message).toBe('operator "**" is not supported');
    expect(err('input.a = 1')).toMatchObject({ message: expect.stringMatching(/^syntax error/), offset: 8 });
  });
  it('unsupported syntax', () => {
    expect(err('input.a, input.b').message).toMatch(/one expression only/);
    expect(err('input.a; input.b').message).toMatch(/one expression only/);
    expect(err('this').message).toMatch(/`this` is not supported/);
    expect(err('undefined')).toMatchObject({ fix: 'use null' });
    expect(err('[1,,2]').message).toBe('array holes are not supported');
    expect(err('input?.a').message).toMatch(/optional chaining/);
    expect(err('`x`').message).toMatch(/syntax error/);
    expect(err('{a: 1}').message).toMatch(/syntax error/);
    expect(err('1e400').message).toBe('number literal out of range');
    expect(err('input.x()').message).toMatch(/only the built-in functions can be called/);
    expect(err('   ')).toMatchObject({ message: 'empty expression' });
  });
  it('literals and arrays', () => {
    expect(py('null')).toBe('None');
    expect(py('true')).toBe('True');
    expect(py('"a" + \'b\'')).toBe('rx.add("a", "b")');
    expect(py('[1, input.a]')).toBe('[1, rx.get(ctx.input, "a")]');
    expect(py('1.5')).toBe('1.5');
  });
});

describe('functions', () => {
  it('every function: min and max arity accepted, one more or one fewer refused', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS)) {
      const args = (n: number) => Array.from({ length: n }, (_, i) => `input.a${i}`).join(', ');
      expect(parseExpression(`${name}(${args(spec.min)})`).refs).toHaveLength(spec.min);
      expect(py(`${name}(${args(spec.max)})`)).toMatch(new RegExp(`^rx\\.fn_${name}\\(`));
      const want = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
      expect(err(`${name}(${args(spec.max + 1)})`).message).toBe(`${name}() takes ${want} argument(s), got ${spec.max + 1}`);
      if (spec.min > 0) expect(err(`${name}(${args(spec.min - 1)})`).message).toBe(`${name}() takes ${want} argument(s), got ${spec.min - 1}`);
    }
  });
  it('unknown functions: did-you-mean, or the list; no prototype names', () => {
    expect(err('lowr(input.a)')).toMatchObject({ message: 'unknown function "lowr"', fix: 'did you mean lower()?' });
    expect(err('frobnicate(input.a)').fix).toMatch(/^available: abs, bool/);
    expect(err('constructor(input.a)').message).toBe('unknown function "constructor"');
    expect(err('hasOwnProperty(input.a)').message).toBe('unknown function "hasOwnProperty"');
  });
  it('a function name without a call', () => {
    expect(err('lower').message).toBe('"lower" is a function: call it as lower(…)');
  });
});

describe('roots and references', () => {
  it('input, nodes and env references', () => {
    expect(parseExpression('input.customer.id').refs).toEqual([{ root: 'input', path: ['customer', 'id'] }]);
    expect(parseExpression('nodes.fetch.body.items[0]').refs).toEqual([{ root: 'nodes', node: 'fetch', path: ['body', 'items', '0'] }]);
    expect(parseExpression("nodes['fetch'].body").refs).toEqual([{ root: 'nodes', node: 'fetch', path: ['body'] }]);
    expect(parseExpression('env.BASE_URL').refs).toEqual([{ root: 'env', name: 'BASE_URL' }]);
    expect(ROOTS).toEqual(['input', 'nodes', 'env', 'request']);
    expect(parseExpression("request.headers['x-sig']").refs).toEqual([{ root: 'request', header: 'x-sig' }]);
    expect(parseExpression('request.headers').refs).toEqual([{ root: 'request' }]);
  });
  it('computed subscripts: the static prefix is the reference, the subscript is checked too', () => {
    expect(parseExpression('input.items[input.i].name').refs).toEqual([
      { root: 'input', path: ['items'] },
      { root: 'input', path: ['i'] },
    ]);
    expect(py('input.items[input.i]')).toBe('rx.get(rx.get(ctx.input, "items"), rx.get(ctx.input, "i"))');
    expect(parseExpression('lower(input.a).b').refs).toEqual([{ root: 'input', path: ['a'] }]);
  });
  it('unknown identifiers must be read through a root', () => {
    expect(err('customer')).toMatchObject({ message: '"customer" must be read through one of input, nodes, env, request', fix: 'e.g. input.customer or nodes.<node>.customer' });
    expect(err('inpt.a').fix).toBe('did you mean input?');
    expect(err('a ? 1 : 2').message).toMatch(/"a" must be read through/);
  });
  it('bare `input` is the whole input; bare nodes/env say how to read them (not "input.nodes")', () => {
    expect(parseExpression('input').refs).toEqual([{ root: 'input', path: [] }]);
    expect(py('input')).toBe('ctx.input');
    expect(err('nodes').message).toBe("read a node's output: nodes.<node id>");
    expect(err('env').message).toBe('read one setting: env.NAME');
    // Names that exist on every JavaScript object are plain unknown names, not functions.
    expect(err('constructor').message).toBe('"constructor" must be read through one of input, nodes, env, request');
    expect(err('toString').message).toMatch(/must be read through/);
  });
  it('env reads one plain setting; nodes needs a node id', () => {
    expect(err('env.A.B').message).toBe('env.A is a plain value; it has no fields');
    expect(err('env[input.x]').message).toBe('read one setting: env.NAME');
    expect(err('nodes[input.k]')).toMatchObject({ message: "read a node's output: nodes.<node id>", fix: 'e.g. nodes.fetch.body' });
  });
});

describe('templates', () => {
  it('text and expressions, with offsets', () => {
    expect(parts(parseTemplate('Hello {{ input.name }}!'))).toEqual([{ text: 'Hello ' }, { expr: ' input.name ', offset: 8 }, { text: '!' }]);
    expect(parts(parseTemplate('{{ input.a }}{{ input.b }}'))).toEqual([
      { expr: ' input.a ', offset: 2 },
      { expr: ' input.b ', offset: 15 },
    ]);
    expect(parts(parseTemplate('no expressions'))).toEqual([{ text: 'no expressions' }]);
    expect(parts(parseTemplate(''))).toEqual([{ text: '' }]);
    expect(parts(parseTemplate('a }} b'))).toEqual([{ text: 'a }} b' }]);
  });
  it('}} inside a string literal does not close the expression', () => {
    expect(parts(parseTemplate('{{ concat("}}", input.a) }}'))).toEqual([{ expr: ' concat("}}", input.a) ', offset: 2 }]);
    expect(parts(parseTemplate("{{ 'it\\'s }}' }} tail"))).toEqual([{ expr: " 'it\\'s }}' ", offset: 2 }, { text: ' tail' }]);
  });
  it('\\{{ is a literal {{', () => {
    expect(parts(parseTemplate('a \\{{ b }}'))).toEqual([{ text: 'a {{ b }}' }]);
    expect(parts(parseTemplate('\\{{ x }} {{ input.y }}'))).toEqual([{ text: '{{ x }} ' }, { expr: ' input.y ', offset: 11 }]);
  });
  it('errors carry the offset in the whole string', () => {
    const unclosed = (() => {
      try {
        parseTemplate('ab {{ input.a');
      } catch (e) {
        return e as ExpressionError;
      }
    })();
    expect(unclosed).toMatchObject({ message: '"{{" is never closed by "}}"', offset: 3 });
    expect(unclosed?.fix).toMatch(/\\\{\{ for a literal/);
    const inner = (() => {
      try {
        parseTemplate('x {{ input.a + }} y');
      } catch (e) {
        return e as ExpressionError;
      }
    })();
    expect(inner).toMatchObject({ offset: 15 });
    expect(() => parseTemplate('{{ }}')).toThrow('empty expression');
  });
  it('hasExpression', () => {
    expect(hasExpression('a {{ b }}')).toBe(true);
    expect(hasExpression('plain')).toBe(false);
  });
});

describe('values (value.ts)', () => {
  it('a string that is one expression keeps its type; mixed text is a template; escapes are literal', () => {
    const errors: ValueError[] = [];
    expect(compileValue('{{ input.n }}', errors).kind).toBe('expr');
    expect(compileValue('  {{ input.n }}  ', errors).kind).toBe('template');
    expect(compileValue('n = {{ input.n }}', errors).kind).toBe('template');
    expect(compileValue('\\{{ not }}', errors)).toEqual({ kind: 'literal', value: '{{ not }}' });
    expect(compileValue(5, errors)).toEqual({ kind: 'literal', value: 5 });
    expect(compileValue(undefined, errors)).toEqual({ kind: 'literal', value: null });
    expect(errors).toEqual([]);
  });
  it('nested values collect every error with its path', () => {
    const errors: ValueError[] = [];
    const v = compileValue({ a: ['{{ input.x }}', '{{ bad( }}'], b: { c: '{{ nope }}' } }, errors);
    expect(errors.map((e) => [e.path, e.message.slice(0, 12)])).toEqual([
      [['a', 1], 'syntax error'],
      [['b', 'c'], '"nope" must '],
    ]);
    expect(valueRefs(v).map((r) => [r.path, r.ref])).toEqual([[['a', 0], { root: 'input', path: ['x'] }]]);
    expect(isStatic(v)).toBe(false);
    expect(isStatic(compileValue({ a: [1, 'x'] }, []))).toBe(true);
  });
  it('template references', () => {
    const v = compileValue('{{ input.a }} and {{ env.B }}', []);
    expect(valueRefs(v).map((r) => r.ref)).toEqual([{ root: 'input', path: ['a'] }, { root: 'env', name: 'B' }]);
  });
});

describe('Python output (python.ts)', () => {
  it('pyStr escapes everything that is not printable ASCII', () => {
    expect(pyStr('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(pyStr('\n\r\t')).toBe('"\\n\\r\\t"');
    expect(pyStr('\u0001é€😀')).toBe('"\\x01\\xe9\\u20ac\\U0001f600"');
    expect(pyStr("'''\"\"\" {x}")).toBe('"\'\'\'\\"\\"\\" {x}"');
  });
  it('pyNumber and pyLiteral', () => {
    expect(pyNumber(3)).toBe('3');
    expect(pyNumber(-0.5)).toBe('-0.5');
    expect(pyNumber(1e21)).toBe('1e+21');
    expect(pyNumber(2 ** 60)).toBe('1152921504606847000.0'); // a float in Python too, and the same double
    expect(() => pyNumber(Infinity)).toThrow(/cannot represent/);
    expect(pyLiteral({ a: [1, null, true, false, 'x'] })).toBe('{"a": [1, None, True, False, "x"]}');
  });
  it('pyValue for every value kind', () => {
    expect(pyValue(compileValue('{{ input.a }}', []))).toBe('rx.get(ctx.input, "a")');
    expect(pyValue(compileValue('Hi {{ input.a }}', []))).toBe('"".join(("Hi ", rx.text(rx.get(ctx.input, "a")),))');
    expect(pyValue(compileValue({ k: ['{{ env.X }}', 2] }, []))).toBe('{"k": [rx.get(ctx.env, "X"), 2]}');
    expect(pyValue(compileValue('plain', []))).toBe('"plain"');
  });
});
