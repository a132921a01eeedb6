import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DefinitionError, formatDiagnostic, formatPath, sortDiagnostics } from '../../src/definitions/diagnostics.ts';
import { loadProjectModel, loadWorkspace, loadWorkspaceOrThrow, resolveProjectsDir } from '../../src/definitions/load.ts';
import { MAX_FILE_BYTES, readYaml } from '../../src/definitions/yaml.ts';
import { cleanupTemp, repoWith, tempRepo } from '../helpers/cli-workspace.ts';
import { expectDiag, expectValid, loadFiles, PROJECT, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

const RESPOND = 'nodes:\n  - id: done\n    type: respond\n';

describe('file-level problems (yaml.ts)', () => {
  it('invalid YAML: positioned YAML error, no exception', () => {
    const ds = wfDiags(`${RESPOND}edges: [ { from: a\n`);
    const d = expectDiag(ds, /^YAML: /);
    expect(d.file).toBe('projects/pp/workflows/w.yaml');
    expect(d.line).toBeGreaterThan(0);
  });

  it('tabs as indentation are a YAML error on their line', () => {
    const ds = wfDiags('nodes:\n\t- id: a\n');
    expectDiag(ds, /YAML: Tabs are not allowed/, { line: 4, col: 1 });
  });

  it('empty files and comment-only files', () => {
    for (const text of ['', '   \n\n', '# just a comment\n# another\n']) {
      const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': text }).diagnostics;
      expectDiag(ds, /^file is empty$/, { file: 'projects/pp/workflows/w.yaml', line: 0, col: 0, fix: 'a definition starts with `catalyst: 1`' });
    }
  });

  it('binary garbage (NUL bytes) and invalid UTF-8', () => {
    const bin = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0x00]);
    expectDiag(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': bin }).diagnostics, /binary \(contains NUL bytes\)/, { line: 0 });
    const latin1 = Buffer.from('catalyst: 1\nname: w\ndescription: caf\xe9\n', 'latin1');
    expectDiag(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': latin1 }).diagnostics, /not valid UTF-8/, { fix: 'save it as UTF-8 text' });
  });

  it('a UTF-8 byte order mark is accepted', () => {
    const r = loadFiles({ 'pp/project.yaml': `\uFEFF${PROJECT}`, 'pp/workflows/w.yaml': `\uFEFFcatalyst: 1\nname: w\n${RESPOND}` });
    expectValid(r);
  });

  it('huge files (> 1 MiB) are refused before parsing', () => {
    const huge = `catalyst: 1\nname: w\ndescription: "${'x'.repeat(MAX_FILE_BYTES)}"\n${RESPOND}`;
    const started = Date.now();
    const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': huge }).diagnostics;
    expectDiag(ds, new RegExp(`definition files are limited to ${MAX_FILE_BYTES} bytes`), { line: 0, file: 'projects/pp/workflows/w.yaml' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('duplicate keys: positioned at the second, with a fix', () => {
    const ds = wfDiags(`description: one\ndescription: two\n${RESPOND}`);
    expectDiag(ds, /duplicate key/, { line: 4, col: 1, fix: 'remove or rename one of the duplicates' });
  });

  it('a document that is not a mapping', () => {
    for (const text of ['- a\n- b\n', 'just a string\n', '42\n']) {
      const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': text }).diagnostics;
      expectDiag(ds, /must be a YAML mapping/, { line: 0, fix: 'start with `catalyst: 1`' });
    }
  });

  it('alias bombs are stopped, not expanded', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': `${bomb}\n` }).diagnostics;
    expect(ds.length).toBeGreaterThan(0);
    expectDiag(ds, /YAML: .*alias/i);
  });

  it('deeply nested input gives a diagnostic, not a crash', () => {
    const deep = `catalyst: 1\nname: w\nnodes:\n  - id: a\n    type: respond\n    body: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': deep }).diagnostics;
    expect(ds.length).toBeGreaterThan(0);
    expect(ds[0].file).toBe('projects/pp/workflows/w.yaml');
  });

  it('an unreadable file (a directory named like a definition) is a diagnostic', () => {
    const root = repoWith({ 'projects/pp/project.yaml': PROJECT });
    mkdirSync(join(root, 'projects/pp/workflows/w.yaml'), { recursive: true });
    expectDiag(loadWorkspace(root, { base: root }).diagnostics, /cannot read file/, { file: 'projects/pp/workflows/w.yaml' });
  });

  it('readYaml reports a missing file', () => {
    const r = readYaml('/nonexistent/catalyst/x.yaml', 'x.yaml');
    expect(r.yaml).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ file: 'x.yaml', line: 0, message: expect.stringMatching(/cannot read file/) });
  });
});

describe('schema problems (issues.ts): unknown keys, versions, types', () => {
  it('unknown format version', () => {
    expectDiag(wfDiags(RESPOND).concat(loadFiles({ 'pp/project.yaml': PROJECT.replace('catalyst: 1', 'catalyst: 2') }).diagnostics), /unsupported format version 2; this Catalyst reads version 1/, {
      file: 'projects/pp/project.yaml',
      line: 1,
      col: 11,
      path: 'catalyst',
      fix: 'set `catalyst: 1`, or upgrade Catalyst',
    });
    const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': `catalyst: "1"\nname: w\n${RESPOND}` }).diagnostics;
    expectDiag(ds, /unsupported format version "1"/);
  });

  it('project env and secrets may not use the names the platform or Catalyst sets (they would reach every deployed app)', () => {
    const project = PROJECT.replace('  LIMIT: 10\n', '  LIMIT: 10\n  CATALYST_TEST_CLOCK_SPEED: 600\n  PORT: 9000\n').replace('  TOKEN: a token\n', '  TOKEN: a token\n  CATALYST_SCHEDULER_TOKEN: mine\n');
    const ds = loadFiles({ 'pp/project.yaml': project }).diagnostics;
    expectDiag(ds, /CATALYST_TEST_CLOCK_SPEED is reserved for Catalyst's own tests/, { file: 'projects/pp/project.yaml', line: 10, col: 3, path: 'env.CATALYST_TEST_CLOCK_SPEED' });
    expectDiag(ds, /PORT is set by the target/, { line: 11, path: 'env.PORT' });
    expectDiag(ds, /CATALYST_SCHEDULER_TOKEN is reserved: Catalyst sets it itself/, { line: 6, path: 'secrets.CATALYST_SCHEDULER_TOKEN' });
    expect(ds).toHaveLength(3);
    expect(loadFiles({ 'pp/project.yaml': PROJECT.replace('  LIMIT: 10\n', '  LIMIT: 10\n  CATALYST_LOG_LEVEL: debug\n') }).diagnostics).toEqual([]);
  });

  it('missing format version says what is missing', () => {
    const ds = loadFiles({ 'pp/project.yaml': PROJECT.replace('catalyst: 1\n', '') }).diagnostics;
    expectDiag(ds, /^missing the format version$/, { path: 'catalyst', fix: 'start the file with `catalyst: 1`' });
  });

  it('unknown keys with did-you-mean, at the key', () => {
    const ds = wfDiags(`descripton: typo\n${RESPOND}`);
    expectDiag(ds, /unknown field "descripton"/, { line: 3, col: 1, path: 'descripton', fix: 'did you mean "description"?' });
  });

  it('unknown keys inside nodes use the node type\'s fields', () => {
    const ds = wfDiags('nodes:\n  - id: a\n    type: httpRequest\n    url: https://x\n    timeout: 5\n');
    expectDiag(ds, /unknown field "timeout"/, { line: 7, col: 5, path: 'nodes[0].timeout', fix: 'did you mean "timeoutMs"?' });
  });

  it('unknown keys far from every known one list the allowed fields', () => {
    const ds = wfDiags(`zzzzzzzzzz: 1\n${RESPOND}`);
    const d = expectDiag(ds, /unknown field "zzzzzzzzzz"/);
    expect(d.fix).toMatch(/^allowed here: catalyst, name, description, visibility, trigger, input, timeoutMs, auth, nodes, edges$/);
  });

  it('unknown keys in nested input fields (through the recursive schema)', () => {
    const ds = wfDiags(`input:\n  type: object\n  properties:\n    a:\n      type: object\n      properties:\n        b: { type: string, minLenght: 1 }\n${RESPOND}`);
    expectDiag(ds, /unknown field "minLenght"/, { path: 'input.properties.a.properties.b.minLenght', fix: 'did you mean "minLength"?' });
  });

  it('project file: unknown keys and wrong shapes', () => {
    const ds = loadFiles({ 'pp/project.yaml': `${PROJECT}defaults:\n  visiblity: public\n` }).diagnostics;
    expectDiag(ds, /unknown field "visiblity"/, { path: 'defaults.visiblity', fix: 'did you mean "visibility"?' });
    const ds2 = loadFiles({ 'pp/project.yaml': 'catalyst: 1\nname: pp\nsecrets:\n  api_key: lower case\nenv: [A, B]\n' }).diagnostics;
    expectDiag(ds2, /^invalid key "api_key": must be UPPER_SNAKE_CASE/, { path: 'secrets.api_key', line: 4, col: 3 });
    expectDiag(ds2, /expected record, got a list/, { path: 'env' });
  });

  it('wrong types: expected X, got Y', () => {
    const ds = wfDiags('timeoutMs: fast\nnodes: 5\n');
    expectDiag(ds, /expected number, got the string "fast"/, { path: 'timeoutMs', line: 3, col: 12 });
    expectDiag(ds, /expected array, got number 5/, { path: 'nodes', line: 4, col: 8 });
    expectDiag(wfDiags('nodes:\n  - 5\n'), /expected object, got number 5/, { path: 'nodes[0]' });
    expectDiag(wfDiags(`${RESPOND}edges: null\n`), /expected array, got null/, { path: 'edges' });
    expectDiag(wfDiags(`description: [a]\n${RESPOND}`), /expected string, got a list/, { path: 'description' });
    expectDiag(wfDiags(`description: { a: 1 }\n${RESPOND}`), /expected string, got a mapping/, { path: 'description' });
  });

  it('missing required fields', () => {
    const ds = loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yaml': `catalyst: 1\n${RESPOND}` }).diagnostics;
    expectDiag(ds, /missing required field "name"/, { fix: 'add name: <string>' });
    expectDiag(wfDiags('description: no nodes\n'), /missing required field "nodes"/);
    expectDiag(wfDiags('nodes: []\n'), /a workflow needs at least one node/, { path: 'nodes' });
  });

  it('missing enum/literal fields say "missing", not "undefined"', () => {
    const ds = wfDiags(`input:\n  properties:\n    a: { description: no type }\n${RESPOND}`);
    expectDiag(ds, /missing required field "type"/, { path: 'input.type', fix: 'add type: object' });
    expectDiag(ds, /missing required field "type"/, { path: 'input.properties.a.type' });
    for (const d of ds) expect(d.message).not.toMatch(/undefined/);
  });

  it('node type: typo, missing, not a string, misspelled key', () => {
    expectDiag(wfDiags('nodes:\n  - id: a\n    type: respnd\n'), /unknown type "respnd"/, { path: 'nodes[0].type', line: 5, col: 11, fix: 'did you mean "respond"?' });
    expectDiag(wfDiags('nodes:\n  - id: a\n'), /missing "type"/, { fix: expect.stringMatching(/^one of: httpRequest, llm, transform/) });
    expectDiag(wfDiags('nodes:\n  - id: a\n    type: 5\n'), /unknown type 5/);
    expectDiag(wfDiags('nodes:\n  - id: a\n    tpye: respond\n'), /unknown field "tpye"/, { path: 'nodes[0].tpye', fix: 'did you mean "type"?' });
  });

  it('trigger type: unknown, or not a mapping', () => {
    expectDiag(wfDiags(`visibility: public\ntrigger: { type: cron }\n${RESPOND}`), /unknown type "cron"/, { path: 'trigger.type', fix: 'one of: webhook, call, schedule' });
    expectDiag(wfDiags(`visibility: public\ntrigger: webhook\n${RESPOND}`), /expected object, got the string "webhook"/, { path: 'trigger' });
  });

  it('union fields: wrong form, or missing', () => {
    expectDiag(wfDiags('nodes:\n  - { id: a, type: condition, if: 5 }\n'), /number 5 matches none of the allowed forms/, { path: 'nodes[0].if' });
    expectDiag(wfDiags('nodes:\n  - { id: a, type: condition }\n'), /missing required field "if"/, { path: 'nodes[0].if' });
  });

  it('enum values: did-you-mean or the list', () => {
    expectDiag(wfDiags('nodes:\n  - { id: a, type: log, message: x, level: warnng }\n'), /the string "warnng" is not allowed here/, { fix: 'did you mean "warning"?' });
    expectDiag(wfDiags('nodes:\n  - { id: a, type: log, message: x, level: null }\n'), /null is not allowed here/, { fix: 'one of: "debug", "info", "warning", "error"' });
  });

  // zod records would drop a `__proto__` key silently; readYaml reports it, positioned at the key.
  it('a __proto__ key is reported, not silently dropped', () => {
    const ds = wfDiags('input:\n  type: object\n  properties:\n    __proto__: { type: string }\nnodes: [{ id: r, type: respond }]\n');
    expectDiag(ds, /__proto__/);
  });

  it('complex (non-string) keys are reported, not crashed on', () => {
    const ds = wfDiags(`? [a, b]\n: c\n${RESPOND}`);
    expectDiag(ds, /a mapping key must be a string, not a list or mapping/, { line: 3, col: 3 });
  });
});

describe('names, directories and workspace shapes (load.ts)', () => {
  it('project name must match its directory; workflow name its file', () => {
    const ds = loadFiles({ 'pp/project.yaml': PROJECT.replace('name: pp', 'name: other'), 'pp/workflows/w.yaml': `catalyst: 1\nname: x\n${RESPOND}` }).diagnostics;
    expectDiag(ds, /project name "other" differs from its directory "pp"/, { path: 'name', line: 2, col: 7, fix: 'rename the directory to projects/other, or set name: pp' });
    expectDiag(ds, /workflow name "x" differs from its file name "w.yaml"/, { fix: 'rename the file to x.yaml, or set name: w' });
  });

  it('invalid names say the rule', () => {
    expectDiag(loadFiles({ 'Bad_Name/project.yaml': 'catalyst: 1\nname: Bad_Name\n' }).diagnostics, /project names are lower-case letters, digits and -, 2–40 characters/);
    expectDiag(wfDiags('nodes:\n  - { id: 1abc, type: respond }\n'), /node ids are letters, digits and _/, { path: 'nodes[0].id' });
  });

  it('a directory that is not a project, a missing directory, an empty workspace', () => {
    const root = repoWith({ 'projects/pp/project.yaml': PROJECT, 'projects/notes/readme.md': 'x' });
    expectValid(loadWorkspace(root, { base: root }));
    // A directory without project.yaml is taken as a projects directory holding no project.
    expectDiag(loadWorkspace(join(root, 'projects/notes'), { base: root }).diagnostics, /no projects found/, { fix: 'create one with `catalyst new project <name>`' });
    expectDiag(loadWorkspace(join(root, 'nope'), { base: root }).diagnostics, /no such directory/);
    const empty = repoWith({ 'projects/.keep': '' });
    expectDiag(loadWorkspace(empty, { base: empty }).diagnostics, /no projects found/);
  });

  it('resolveProjectsDir: repository, projects directory, one project', () => {
    const root = tempRepo();
    expect(resolveProjectsDir(root)).toEqual({ projectsDir: join(root, 'projects') });
    expect(resolveProjectsDir(join(root, 'projects'))).toEqual({ projectsDir: join(root, 'projects') });
    expect(resolveProjectsDir(join(root, 'projects/billing'))).toEqual({ projectsDir: join(root, 'projects'), only: 'billing' });
  });

  it('loading one project selects it, still resolving calls into its siblings', () => {
    const root = tempRepo();
    const r = loadWorkspace(join(root, 'projects/support-bot'), { base: root });
    expectValid(r);
    expect(r.selected).toEqual(['support-bot']);
    // A broken sibling's own errors are not reported when one project is selected, but calls into it are.
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), 'catalyst: 1\nname: tax\nnodes: 5\n');
    const ds = loadWorkspace(join(root, 'projects/support-bot'), { base: root }).diagnostics;
    expect(ds.map((d) => d.file)).toEqual(['projects/support-bot/workflows/ask.yaml']);
    expectDiag(ds, /project "billing" has errors of its own; fix them first/);
  });

  it('.yml files are definitions too', () => {
    expectValid(loadFiles({ 'pp/project.yaml': PROJECT, 'pp/workflows/w.yml': `catalyst: 1\nname: w\n${RESPOND}` }));
  });

  it('loadWorkspaceOrThrow and loadProjectModel', () => {
    const root = tempRepo();
    const ws = loadWorkspaceOrThrow(root, { base: root });
    expect(ws.projects.map((p) => p.name)).toEqual(['billing', 'support-bot']);
    const { project } = loadProjectModel('billing', { cwd: root });
    expect(project.name).toBe('billing');
    expect(loadProjectModel(join(root, 'projects/billing'), { cwd: '/' }).project.workflows.map((w) => w.name)).toEqual(['charge', 'invoice', 'lookup', 'monthly-fee', 'tax']);
    expect(() => loadProjectModel('nope', { cwd: root })).toThrow(/no project "nope"/);
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), 'catalyst: 1\nname: tax\nnodes: 5\n');
    let err: unknown;
    try {
      loadWorkspaceOrThrow(root, { base: root });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DefinitionError);
    expect((err as DefinitionError).diagnostics.length).toBeGreaterThan(0);
    expect((err as Error).message).toMatch(/^\d+ problem\(s\) in the definitions:\n/);
    expect((err as Error).message).toContain('projects/billing/workflows/tax.yaml:3:8: nodes: expected array, got number 5');
  });

  it('a file that cannot be read is a positioned-at-file diagnostic (permissions)', () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const root = repoWith({ 'projects/pp/project.yaml': PROJECT, 'projects/pp/workflows/w.yaml': `catalyst: 1\nname: w\n${RESPOND}` });
    chmodSync(join(root, 'projects/pp/workflows/w.yaml'), 0o000);
    expectDiag(loadWorkspace(root, { base: root }).diagnostics, /cannot read file/);
  });
});

describe('diagnostics helpers', () => {
  it('formatPath, formatDiagnostic, sortDiagnostics', () => {
    expect(formatPath(['nodes', 2, 'url'])).toBe('nodes[2].url');
    expect(formatPath(['env', 'A B'])).toBe('env["A B"]');
    expect(formatPath([])).toBe('');
    expect(formatDiagnostic({ file: 'f.yaml', line: 3, col: 5, path: 'a.b', message: 'bad', fix: 'do x' })).toBe('f.yaml:3:5: a.b: bad (fix: do x)');
    expect(formatDiagnostic({ file: 'f.yaml', line: 0, col: 0, path: '', message: 'file is empty' })).toBe('f.yaml: file is empty');
    const sorted = sortDiagnostics([
      { file: 'b', line: 1, col: 1, path: '', message: 'x' },
      { file: 'a', line: 2, col: 1, path: '', message: 'x' },
      { file: 'a', line: 1, col: 9, path: '', message: 'x' },
      { file: 'a', line: 1, col: 9, path: '', message: 'a' },
    ]);
    expect(sorted.map((d) => `${d.file}${d.line}${d.col}${d.message}`)).toEqual(['a19a', 'a19x', 'a21x', 'b11x']);
  });
});
