import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/definitions/diagnostics.ts';
import { commitValidated, commitValidatedThen, describeChanges, diffLines, editYaml, EditRejected, FileSet, mergeRendering, newProblems, setTopLevel } from '../../src/definitions/edit.ts';
import { callersOf, findRoot, formatCallSite, scanWorkspace } from '../../src/definitions/scan.ts';
import { listStackFiles } from '../../src/contracts/stack-name.ts';
import { cleanupTemp, hashTree, listFiles, read, repoWith, tempDir, tempRepo, writeFiles } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

describe('editYaml keeps comments and formatting', () => {
  it('no edit: byte-identical, for every example', () => {
    const root = tempRepo();
    for (const f of listFiles(join(root, 'projects'))) {
      const text = read(join(root, 'projects'), f);
      expect(editYaml(text, () => {})).toBe(text);
    }
  });

  it('a scalar edit changes only its line, keeping quotes, comments and flow-map spacing', () => {
    const text = '# yaml-language-server: $schema=x.json\n# about\ncatalyst: 1\nnodes:\n  - id: a   # the first\n    type: workflowCall\n    workflow: "old"  # target\n    input: { x: 1, y: [a, b] }\nedges:\n  - { from: a, to: b }\n';
    const out = editYaml(text, (doc) => doc.setIn(['nodes', 0, 'workflow'], 'other/new'));
    const a = text.split('\n');
    const b = out.split('\n');
    expect(b).toHaveLength(a.length);
    expect(b.filter((l, i) => l !== a[i])).toEqual(['    workflow: "other/new" # target']);
  });

  it('inserting and removing keys keeps the rest', () => {
    const text = '# yaml-language-server: $schema=s.json\ncatalyst: 1\nname: w\ndescription: d\ntrigger:\n  type: webhook   # route\n  path: /w\n# the nodes\nnodes:\n  - { id: r, type: respond }\n';
    const out = editYaml(text, (doc) => {
      setTopLevel(doc, 'visibility', 'internal', ['description', 'name']);
      doc.delete('trigger');
    });
    expect(out).toBe('# yaml-language-server: $schema=s.json\ncatalyst: 1\nname: w\ndescription: d\nvisibility: internal\n# the nodes\nnodes:\n  - { id: r, type: respond }\n');
    // A new key goes after the first "after" key that exists, else at the end; existing keys stay put.
    const out2 = editYaml('a: 1\nb: 2\n', (doc) => {
      setTopLevel(doc, 'c', 3, ['zz', 'a']);
      setTopLevel(doc, 'd', 4, ['nope']);
      setTopLevel(doc, 'b', 5, ['a']);
    });
    expect(out2).toBe('a: 1\nc: 3\nb: 5\nd: 4\n');
  });

  it('CRLF files stay CRLF', () => {
    const text = 'a: 1\r\nb: { x: 1 }\r\n';
    expect(editYaml(text, (doc) => doc.set('a', 2))).toBe('a: 2\r\nb: { x: 1 }\r\n');
  });

  it('falls back to the re-rendering when the source does not line up with it', () => {
    const text = 'a: 1\n\n\n\nb: 2\n';
    const out = editYaml(text, (doc) => doc.set('a', 3));
    expect(parseDocument(out).toJS()).toEqual({ a: 3, b: 2 });
  });

  it('other indentation: re-rendered (never mixed), meaning the same', () => {
    const text = 'nodes:\n    - id: a  # first\n      workflow: x\n    - id: b\n';
    const out = editYaml(text, (doc) => doc.setIn(['nodes', 1, 'workflow'], 'y'));
    expect(parseDocument(out).toJS()).toEqual({ nodes: [{ id: 'a', workflow: 'x' }, { id: 'b', workflow: 'y' }] });
    expect(out).toContain('# first');
  });

  it('refuses files with YAML errors; setTopLevel needs a mapping', () => {
    expect(() => editYaml('a: [', () => {})).toThrow(/cannot edit a file with YAML errors/);
    expect(() => editYaml('- a\n', (doc) => setTopLevel(doc, 'x', 1))).toThrow(/not a mapping/);
  });

  it('mergeRendering and diffLines', () => {
    expect(mergeRendering('x', 'same', 'same')).toBe('x');
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([
      { kind: 'keep', a: 0, b: 0 },
      { kind: 'insert', b: 1 },
      { kind: 'delete', a: 1 },
      { kind: 'keep', a: 2, b: 2 },
    ]);
    const big = Array.from({ length: 2100 }, (_, i) => `l${i}`);
    expect(diffLines(big, [...big].reverse())).toBeUndefined();
  });
});

describe('FileSet: all or nothing', () => {
  it('stages in memory: reads see staged writes, deletes and moves; nothing is written before commit', () => {
    const root = repoWith({ 'a.txt': 'A', 'd/b.txt': 'B' });
    const before = hashTree(root);
    const fs = new FileSet(root);
    fs.write('new/dir/c.txt', 'C').move('a.txt', 'moved.txt').deleteDir('d').mkdir('empty/sub');
    expect(fs.read('new/dir/c.txt')).toBe('C');
    expect(fs.read('moved.txt')).toBe('A');
    expect(fs.read('a.txt')).toBeUndefined();
    expect(fs.exists('a.txt')).toBe(false);
    expect(fs.exists('new')).toBe(true);
    expect(fs.exists('empty/sub')).toBe(true);
    expect(fs.read('d/b.txt')).toBeUndefined();
    expect(fs.exists('d/b.txt')).toBe(false);
    expect(hashTree(root)).toBe(before);
    expect(fs.changes().map((c) => `${c.action} ${c.path.slice(root.length + 1)}`)).toEqual(['delete a.txt', 'delete-dir d', 'mkdir empty/sub', 'create moved.txt', 'create new/dir/c.txt']);
    const changes = fs.commit();
    expect(changes).toHaveLength(5);
    expect(listFiles(root)).toEqual(['moved.txt', 'new/dir/c.txt']);
    expect(existsSync(join(root, 'empty/sub'))).toBe(true);
    expect(describeChanges(changes, root, [{ from: 'a.txt', to: 'moved.txt' }])).toBe('moved   a.txt → moved.txt\ndeleted d/\ncreated empty/sub/\ncreated new/dir/c.txt\n');
  });

  it('a failed check rolls every change back, byte for byte', () => {
    const root = repoWith({ 'a.txt': 'A', 'd/b.txt': 'B', 'keep.txt': 'K' });
    const before = hashTree(root);
    const fs = new FileSet(root).write('a.txt', 'changed').write('x/y/new.txt', 'N').delete('keep.txt').deleteDir('d');
    const problem: Diagnostic = { file: 'a.txt', line: 1, col: 1, path: '', message: 'bad' };
    let seen = '';
    expect(() =>
      fs.commit(() => {
        seen = listFiles(root).filter((f) => !f.startsWith('.')).join(',');
        return [problem];
      }),
    ).toThrow(EditRejected);
    expect(seen).toBe('a.txt,x/y/new.txt'); // the check saw the changed tree
    expect(hashTree(root)).toBe(before);
    expect(readdirSync(root).sort()).toEqual(['a.txt', 'd', 'keep.txt']); // no temp files, no new dirs
  });

  it('an I/O failure mid-way rolls back what was done', () => {
    const root = repoWith({ 'a.txt': 'A', 'b.txt': 'B' });
    const before = hashTree(root);
    let renames = 0;
    const fs = new FileSet(root, {
      renameSync: (from, to) => {
        if (++renames === 2) throw new Error('disk full');
        renameSync(from, to);
      },
    });
    fs.write('a.txt', 'A2').write('b.txt', 'B2');
    expect(() => fs.commit()).toThrow('disk full');
    expect(hashTree(root)).toBe(before);
    expect(readdirSync(root).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('a failed rollback says so', () => {
    const root = repoWith({ 'a.txt': 'A' });
    let writes = 0;
    const fs = new FileSet(root, {
      writeFileSync: (p, d) => {
        if (++writes > 1) throw new Error('read-only');
        writeFileSync(p, d);
      },
    });
    fs.write('a.txt', 'A2');
    expect(() => fs.commit(() => [{ file: 'a.txt', line: 0, col: 0, path: '', message: 'no' }])).toThrow(/rolling back failed too \(read-only\); check `git status`/);
  });

  it('refuses impossible operations', () => {
    const root = repoWith({ 'f': 'x' });
    expect(() => new FileSet(root).delete('nope')).toThrow(/no such file/);
    expect(() => new FileSet(root).move('nope', 'x')).toThrow(/no such file/);
    expect(new FileSet(root).move('f', 'f').changes()).toEqual([]);
    expect(() => new FileSet(root).write('f/inside.txt', 'x').commit()).toThrow(/f exists and is not a directory/);
    expect(read(root, 'f')).toBe('x');
  });
});

describe('FileSet: directory moves and checks that wait', () => {
  it('moveDir renames the directory in one step; reads and writes see it at its new place', () => {
    const root = repoWith({ 'p/old/a.yaml': 'A', 'p/old/sub/bin': Buffer.from([0, 200, 255]), 'p/old/gone.txt': 'G', 'p/other.txt': 'O' });
    const fs = new FileSet(root).moveDir('p/old', 'p/new');
    expect(fs.read('p/new/a.yaml')).toBe('A');
    expect(fs.read('p/old/a.yaml')).toBeUndefined();
    expect(fs.exists('p/old')).toBe(false);
    expect(fs.exists('p/new/sub')).toBe(true);
    fs.write('p/new/a.yaml', `${fs.read('p/new/a.yaml')}2`).delete('p/new/gone.txt').write('p/new/added.txt', 'N');
    expect(fs.changes().map((c) => `${c.action} ${c.path.slice(root.length + 1)}${c.from ? ` from ${c.from.slice(root.length + 1)}` : ''}`)).toEqual([
      'move-dir p/new from p/old',
      'update p/new/a.yaml',
      'create p/new/added.txt',
      'delete p/new/gone.txt',
    ]);
    const changes = fs.commit();
    expect(listFiles(root)).toEqual(['p/new/a.yaml', 'p/new/added.txt', 'p/new/sub/bin', 'p/other.txt']);
    expect(read(root, 'p/new/a.yaml')).toBe('A2');
    expect(readFileSync(join(root, 'p/new/sub/bin'))).toEqual(Buffer.from([0, 200, 255]));
    expect(describeChanges(changes, root)).toBe('moved   p/old/ → p/new/\nupdated p/new/a.yaml\ncreated p/new/added.txt\ndeleted p/new/gone.txt\n');
  });

  it('a failure after the move puts the directory and every file back', () => {
    const root = repoWith({ 'p/old/a.yaml': 'A', 'p/old/b.yaml': 'B', 'c.yaml': 'C' });
    const before = hashTree(root);
    let writes = 0;
    const fs = new FileSet(root, {
      writeFileSync: (p, d) => {
        if (++writes === 2) throw new Error('disk full');
        writeFileSync(p, d);
      },
    });
    fs.moveDir('p/old', 'p/new').write('p/new/a.yaml', 'A2').write('c.yaml', 'C2');
    expect(() => fs.commit()).toThrow('disk full');
    expect(hashTree(root)).toBe(before);
  });

  it('moveDir refuses a taken place and a move into itself, changing nothing', () => {
    const root = repoWith({ 'p/old/a.yaml': 'A', 'p/new/keep.txt': 'K' });
    const before = hashTree(root);
    expect(() => new FileSet(root).moveDir('p/old', 'p/new').write('x.txt', 'X').commit()).toThrow('p/new already exists');
    expect(() => new FileSet(root).moveDir('p/old', 'p/old/inner')).toThrow(/into itself/);
    expect(hashTree(root)).toBe(before);
  });

  it('commitAsync waits for its check; a check that throws after the writes rolls them back', async () => {
    const root = repoWith({ 'p/old/a.yaml': 'A' });
    const before = hashTree(root);
    let seen: string[] = [];
    const failing = new FileSet(root).moveDir('p/old', 'p/new').write('p/new/a.yaml', 'A2');
    await expect(
      failing.commitAsync(async () => {
        await new Promise((r) => setTimeout(r, 5));
        seen = listFiles(root);
        throw new Error('pulumi stack rename failed');
      }),
    ).rejects.toThrow('pulumi stack rename failed');
    expect(seen).toEqual(['p/new/a.yaml']);
    expect(hashTree(root)).toBe(before);
    await expect(new FileSet(root).write('b.txt', 'B').commitAsync(async () => [{ file: 'b.txt', line: 1, col: 1, path: '', message: 'no' }])).rejects.toThrow(EditRejected);
    expect(hashTree(root)).toBe(before);
    const ok = await new FileSet(root).moveDir('p/old', 'p/new').commitAsync(async () => []);
    expect(ok.map((c) => c.action)).toEqual(['move-dir']);
    expect(listFiles(root)).toEqual(['p/new/a.yaml']);
  });

  it('commitValidatedThen runs its step only on a valid result, and puts the files back when the step fails', async () => {
    const root = tempRepo();
    const before = hashTree(root);
    let ran = 0;
    const broken = new FileSet(root).write('projects/billing/workflows/tax.yaml', 'catalyst: 1\nname: tax\nnodes: 5\n');
    await expect(commitValidatedThen(broken, root, async () => void ran++)).rejects.toThrow(EditRejected);
    expect(ran).toBe(0);
    // Without its callers rewritten, renaming billing leaves support-bot calling nothing: refused.
    const dangling = new FileSet(root).moveDir('projects/billing', 'projects/payments');
    dangling.write('projects/payments/project.yaml', read(root, 'projects/billing/project.yaml').replace('name: billing', 'name: payments'));
    await expect(commitValidatedThen(dangling, root, async () => void ran++)).rejects.toThrow('nodes[0].workflow: no project "billing"');
    expect(ran).toBe(0);
    const moved = new FileSet(root).moveDir('projects/support-bot', 'projects/helpdesk');
    moved.write('projects/helpdesk/project.yaml', read(root, 'projects/support-bot/project.yaml').replace('name: support-bot', 'name: helpdesk'));
    await expect(
      commitValidatedThen(moved, root, async () => {
        ran++;
        expect(existsSync(join(root, 'projects/helpdesk/workflows/ask.yaml'))).toBe(true);
        throw new Error('then failed');
      }),
    ).rejects.toThrow('then failed');
    expect(ran).toBe(1);
    expect(hashTree(root)).toBe(before);
  });
});

describe('newProblems and commitValidated', () => {
  const d = (file: string, message: string): Diagnostic => ({ file, line: 1, col: 1, path: '', message });
  it('problems in written files, and new problems elsewhere, count; old ones elsewhere do not', () => {
    const before = [d('old.yaml', 'was broken'), d('w.yaml', 'was broken too')];
    const after = [d('old.yaml', 'was broken'), d('w.yaml', 'was broken too'), d('other.yaml', 'new')];
    expect(newProblems(before, after, new Set(['w.yaml'])).map((x) => x.file)).toEqual(['w.yaml', 'other.yaml']);
    expect(newProblems(before, after, new Set(), (x) => x.file === 'other.yaml')).toEqual([]);
  });

  it('commitValidated rolls back a change that breaks the workspace', () => {
    const root = tempRepo();
    const before = hashTree(root);
    const fs = new FileSet(root).write('projects/billing/workflows/tax.yaml', 'catalyst: 1\nname: tax\nnodes: 5\n');
    let err: unknown;
    try {
      commitValidated(fs, root);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EditRejected);
    expect((err as EditRejected).message).toMatch(/^the change would leave invalid definitions, so nothing was changed:\n/);
    expect((err as EditRejected).message).toContain('\n  projects/billing/workflows/tax.yaml:3:8: nodes: expected array, got number 5');
    expect(hashTree(root)).toBe(before);
  });

  it('commitValidated accepts a change to a workspace that was already broken elsewhere', () => {
    const root = tempRepo();
    writeFileSync(join(root, 'projects/billing/workflows/tax.yaml'), 'catalyst: 1\nname: tax\nnodes: 5\n');
    const fs = new FileSet(root).write('projects/support-bot/workflows/extra.yaml', 'catalyst: 1\nname: extra\nnodes: [{ id: r, type: respond }]\n');
    expect(commitValidated(fs, root).map((c) => c.action)).toEqual(['create']);
  });
});

describe('the workspace index (scan.ts)', () => {
  it('finds the repository root from below', () => {
    const root = tempRepo();
    expect(findRoot(join(root, 'projects/billing/workflows'))).toBe(root);
    const bare = tempDir();
    expect(findRoot(bare)).toBe(bare);
  });

  it('indexes projects, workflows, routes, calls and secrets', () => {
    const root = tempRepo();
    const ws = scanWorkspace(root);
    expect(ws.projects.map((p) => p.name)).toEqual(['billing', 'support-bot']);
    const ask = ws.projects[1].workflows.find((w) => w.name === 'ask')!;
    expect(ask).toMatchObject({ visibility: 'public', declaredVisibility: 'public', route: { method: 'POST', path: '/ask' }, secrets: ['OPENAI_API_KEY'], file: 'projects/support-bot/workflows/ask.yaml' });
    expect(ask.calls.map((c) => [c.node, c.toProject, c.toWorkflow, c.inProcess, c.line])).toEqual([
      ['plan', 'billing', 'lookup', false, 20],
      ['topic', 'support-bot', 'classify', true, 29],
    ]);
    const tax = ws.projects[0].workflows.find((w) => w.name === 'tax')!;
    expect(tax.visibility).toBe('internal');
    expect(tax.declaredVisibility).toBeUndefined();
    expect(callersOf(ws, 'billing').map(formatCallSite)).toEqual([
      'billing/charge (node invoice, projects/billing/workflows/charge.yaml:24) calls invoice',
      'billing/invoice (node tax, projects/billing/workflows/invoice.yaml:16) calls tax',
      'billing/monthly-fee (node invoice, projects/billing/workflows/monthly-fee.yaml:20) calls invoice',
      'support-bot/ask (node plan, projects/support-bot/workflows/ask.yaml:20) calls billing/lookup',
    ]);
    expect(callersOf(ws, 'billing', 'lookup')).toHaveLength(1);
  });

  it('is lenient with broken files', () => {
    const root = repoWith({
      'projects/pp/project.yaml': 'catalyst: 1\nname: pp\ndefaults: 5\nsecrets: [x]\n',
      'projects/pp/workflows/bad.yaml': 'nodes: [{ type: workflowCall, workflow: 5 }, 7, { type: workflowCall, workflow: qq/x }]\ntrigger: { type: webhook }\n',
      'projects/pp/workflows/bin.yaml': Buffer.from([0, 1]),
      'projects/pp/workflows/.hidden.yaml': 'x',
    });
    const ws = scanWorkspace(root);
    expect(ws.projects[0]).toMatchObject({ defaultVisibility: 'internal', secrets: [] });
    expect(ws.projects[0].workflows.map((w) => w.name)).toEqual(['bad', 'bin']);
    expect(ws.projects[0].workflows[0].calls.map((c) => [c.node, c.target])).toEqual([['#2', 'qq/x']]);
    expect(ws.projects[0].workflows[0].route).toBeUndefined();
    expect(ws.projects[0].workflows[1]).toMatchObject({ calls: [], visibility: 'internal' });
  });

  it('lists stacks/Pulumi.<project>.<env>.yaml', () => {
    const root = tempRepo();
    expect(listStackFiles(root, root)).toEqual([]);
    mkdirSync(join(root, 'stacks'));
    writeFiles(root, { 'stacks/Pulumi.billing.prod.yaml': '', 'stacks/Pulumi.billing.dev.yml': '', 'stacks/Pulumi.yaml': '', 'stacks/notes.txt': '' });
    expect(listStackFiles(root, root)).toEqual([
      { name: 'billing.dev', project: 'billing', env: 'dev', file: 'stacks/Pulumi.billing.dev.yml' },
      { name: 'billing.prod', project: 'billing', env: 'prod', file: 'stacks/Pulumi.billing.prod.yaml' },
    ]);
    expect(readFileSync(join(root, 'stacks/notes.txt'), 'utf8')).toBe('');
  });
});

describe('editYaml where the renderer moves a comment', () => {
  it('a comment after `key:` stays on its line when an edit elsewhere changes the file', () => {
    const text = '# head\ncatalyst: 1\nname: billing\nsecrets:   # keys the app needs\n  API_KEY: the key\nenv:\n  A: 1 # one\n';
    expect(editYaml(text, (doc) => doc.set('name', 'ledger'))).toBe(text.replace('name: billing', 'name: ledger'));
    const added = editYaml(text, (doc) => doc.setIn(['env', 'B'], 2));
    expect(added).toBe(text.replace('  A: 1 # one\n', '  A: 1 # one\n  B: 2\n'));
  });

  it('an edit inside the block under that key keeps the comment on its line too', () => {
    const text = 'name: billing\nsecrets:   # keys\n  API_KEY: the key\n';
    expect(editYaml(text, (doc) => doc.setIn(['secrets', 'API_KEY'], 'new text'))).toBe('name: billing\nsecrets:   # keys\n  API_KEY: new text\n');
  });
});
