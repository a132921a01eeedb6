import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

/** `set:` of a transform holding the given YAML value on line 7 (col 10), then respond. */
const setValue = (yaml: string) => wfDiags(`nodes:\n  - id: t\n    type: transform\n    set:\n      v: ${yaml}\n  - { id: done, type: respond }\n`);

/** Finding 8: YAML tags, non-string keys, inexact integers and non-finite numbers are refused, positioned. */
describe('YAML that would change data silently', () => {
  const tags: [string, RegExp][] = [
    ['!!binary aGVsbG8=', /tag !!binary is not supported/],
    ['!!set { a, b }', /tag !!set is not supported/],
    ['!!timestamp 2001-12-14', /tag !!timestamp is not supported/],
    ['!!omap [ a: 1 ]', /tag !!omap is not supported/],
    ['!!pairs [ a: 1 ]', /tag !!pairs is not supported/],
    ['!!int "12"', /tag !!int is not supported/],
    ['!!float 1', /tag !!float is not supported/],
    ['!custom x', /tag !custom is not supported/],
    ['!<tag:example.com,2000:x> y', /tag tag:example\.com,2000:x is not supported/],
  ];
  for (const [yaml, message] of tags) {
    it(`tag: ${yaml}`, () => expectDiag(setValue(yaml), message, { line: 7, col: 10 }));
  }
  it('tags on project.yaml values and on keys are refused too', () => {
    const r = loadFiles({ 'pp/project.yaml': `${PROJECT}description: !!binary aGVsbG8=\n`, 'pp/workflows/w.yaml': 'catalyst: 1\nname: w\nnodes: [{ id: r, type: respond }]\n' });
    expectDiag(r.diagnostics, /tag !!binary/, { file: 'projects/pp/project.yaml', line: 9 });
    expectDiag(setValue('{ !!binary aGk=: 1 }'), /tag !!binary/);
  });
  it('!!str is allowed (it only keeps a value a string)', () => {
    expectValid(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': 'catalyst: 1\nname: w\nnodes:\n  - id: t\n    type: transform\n    set: { v: !!str 12 }\n  - { id: done, type: respond }\n' }));
  });
  const keys: [string, RegExp][] = [
    ['{ 200: ok }', /the key 200 is a number, not a string/],
    ['{ true: ok }', /the key true is a boolean, not a string/],
    ['{ null: ok }', /the key null is a null, not a string/],
    ['{ 1.5: ok }', /the key 1\.5 is a number/],
    ['{ [a, b]: ok }', /a mapping key must be a string, not a list or mapping/],
    ['{ { a: 1 }: ok }', /a mapping key must be a string, not a list or mapping/],
  ];
  for (const [yaml, message] of keys) {
    it(`key: ${yaml}`, () => expectDiag(setValue(yaml), message, { line: 7, col: 12 }));
  }
  it('a complex key in block style', () => expectDiag(setValue('\n        ? [x, y]\n        : 1'), /mapping key must be a string/, { line: 8, col: 11 }));
  const numbers: [string, RegExp][] = [
    ['12345678901234567890', /integer 12345678901234567890 is beyond ±2\^53/],
    ['9007199254740993', /beyond ±2\^53/],
    ['-9007199254740993', /beyond ±2\^53/],
    ['0x20000000000001', /beyond ±2\^53/],
    ['.nan', /\.nan is not a finite number/],
    ['.inf', /\.inf is not a finite number/],
    ['-.Inf', /-\.Inf is not a finite number/],
    ['1e999', /1e999 is not a finite number/],
  ];
  for (const [yaml, message] of numbers) {
    it(`number: ${yaml}`, () => expectDiag(setValue(yaml), message, { line: 7, col: 10 }));
  }
  it('exact numbers stay allowed: 2^53-1, floats, quoted big integers', () => {
    expectValid(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': 'catalyst: 1\nname: w\nnodes:\n  - id: t\n    type: transform\n    set: { a: 9007199254740991, b: -9007199254740991, c: 1.5e300, d: "12345678901234567890", e: 0.1 }\n  - { id: done, type: respond }\n' }));
  });
  it('.nan as an input default is refused at validate (generate used to crash on it)', () => {
    expectDiag(wfDiags('input:\n  type: object\n  properties:\n    x: { type: number, default: .nan }\nnodes: [{ id: r, type: respond }]\n'), /not a finite number/, { line: 6 });
  });
});
