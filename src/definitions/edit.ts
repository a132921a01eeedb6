import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from 'yaml';
import { formatDiagnostic, type Diagnostic } from './diagnostics.ts';
import { loadWorkspace } from './load.ts';
import { UserError } from '../shared/errors.ts';

/**
 * Editing definition files so that git stays the store: changes are staged in memory, written with
 * temp file + rename, checked by validating the whole workspace, and rolled back when the check fails
 * or any write does. YAML edits go through the `yaml` Document API and keep the file's comments and
 * formatting (see editYaml).
 */

// ---------------------------------------------------------------- YAML editing that keeps formatting

const RENDER = { lineWidth: 0 } as const;

/**
 * Apply `edit` to the parsed document and return the new text. The yaml library re-renders the whole
 * document, which keeps comments but normalizes some spacing (e.g. `{ a: 1 }` vs `{a: 1}`); so the
 * edit is computed as a line diff between the re-rendered original and the re-rendered result, and
 * only the changed lines are taken from the rendering: every other line stays byte-identical.
 * When the original does not line up with its rendering (e.g. it had folded lines), the rendering is
 * returned as is (comments kept, spacing normalized).
 */
export function editYaml(text: string, edit: (doc: Document.Parsed) => void): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new Error(`cannot edit a file with YAML errors: ${doc.errors[0].message.split('\n')[0]}`);
  const before = doc.toString(RENDER);
  edit(doc);
  const after = doc.toString(RENDER);
  const merged = mergeRendering(text, before, after);
  if (merged === after) return after;
  // Belt and braces: the merged text must mean exactly what the edited document means.
  const check = parseDocument(merged);
  return check.errors.length === 0 && isDeepStrictEqual(check.toJS(), doc.toJS()) ? merged : after;
}

/** Three-way line merge: `original` with the changes that turn `before` into `after`. */
export function mergeRendering(original: string, before: string, after: string): string {
  if (before === after) return original;
  if (original.includes('\r\n')) return mergeRendering(original.replace(/\r\n/g, '\n'), before, after).replace(/\n/g, '\r\n');
  const t = original.split('\n');
  const r0 = before.split('\n');
  const r1 = after.split('\n');
  // Lines match when they differ only in spacing inside the line; indentation must be the same.
  const squash = (s: string) => {
    const indent = /^[ \t]*/.exec(s)![0];
    return indent + s.slice(indent.length).replace(/\s+/g, '');
  };
  const aligned = t.length === r0.length && t.every((line, i) => squash(line) === squash(r0[i]));
  const ops = aligned ? diffLines(r0, r1) : undefined;
  if (!ops) return after;
  const out: string[] = [];
  for (const op of ops) {
    if (op.kind === 'keep') out.push(t[op.a]);
    else if (op.kind === 'insert') out.push(r1[op.b]);
  }
  return out.join('\n');
}

type LineOp = { kind: 'keep'; a: number; b: number } | { kind: 'delete'; a: number } | { kind: 'insert'; b: number };

/** Line diff (LCS on the middle after trimming the common prefix and suffix); undefined if too large. */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] | undefined {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  if (n * m > 4_000_000) return undefined;
  // lcs[i][j] = LCS length of a[pre+i..] and b[pre+j..] within the middle.
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[pre + i] === b[pre + j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: LineOp[] = [];
  for (let k = 0; k < pre; k++) ops.push({ kind: 'keep', a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] === b[pre + j]) {
      ops.push({ kind: 'keep', a: pre + i, b: pre + j });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      ops.push({ kind: 'insert', b: pre + j });
      j++;
    } else {
      ops.push({ kind: 'delete', a: pre + i });
      i++;
    }
  }
  for (let k = 0; k < suf; k++) ops.push({ kind: 'keep', a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}

/**
 * Set a top-level key of a YAML mapping document. An existing key keeps its place (and a scalar its
 * quoting and comments); a new key goes right after the first of `after` that exists (else at the end).
 */
export function setTopLevel(doc: Document, key: string, value: unknown, after: readonly string[] = []): void {
  const map = doc.contents;
  if (!isMap(map)) throw new Error('the document is not a mapping');
  if (map.has(key)) {
    doc.set(key, value);
    return;
  }
  const pair = doc.createPair(key, value);
  const keys = (map as YAMLMap).items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  for (const a of after) {
    const i = keys.indexOf(a);
    if (i >= 0) {
      map.items.splice(i + 1, 0, pair);
      return;
    }
  }
  map.items.push(pair);
}

// ---------------------------------------------------------------- the transactional file set

/** The file system calls a FileSet makes (injectable to test failures). */
export interface FsOps {
  readFileSync(path: string): Buffer;
  writeFileSync(path: string, data: string | Buffer): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string): void;
  rmdirSync(path: string): void;
  rmSync(path: string, opts: { recursive: true; force: true }): void;
  existsSync(path: string): boolean;
  statSync(path: string): { isDirectory(): boolean };
}

const defaultFs: FsOps = {
  readFileSync: (p) => nodeFs.readFileSync(p),
  writeFileSync: (p, d) => nodeFs.writeFileSync(p, d),
  renameSync: (a, b) => nodeFs.renameSync(a, b),
  unlinkSync: (p) => nodeFs.unlinkSync(p),
  mkdirSync: (p) => nodeFs.mkdirSync(p),
  rmdirSync: (p) => nodeFs.rmdirSync(p),
  rmSync: (p, o) => nodeFs.rmSync(p, o),
  existsSync: (p) => nodeFs.existsSync(p),
  statSync: (p) => nodeFs.statSync(p),
};

export interface Change {
  action: 'create' | 'update' | 'delete' | 'delete-dir' | 'mkdir';
  /** Absolute path. */
  path: string;
}

/** The change was refused by the validation that runs after writing; nothing was changed. */
export class EditRejected extends UserError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(`the change would leave invalid definitions, so nothing was changed:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`);
    this.name = 'EditRejected';
    this.diagnostics = diagnostics;
  }
}

type Undo = () => void;

const tmpName = (path: string, tag: string) => join(dirname(path), `.${basename(path)}.catalyst-${tag}-${randomBytes(4).toString('hex')}`);

/**
 * A set of file changes staged in memory and applied all or nothing. Reads see the staged state.
 * Paths may be given relative to `cwd`.
 */
export class FileSet {
  readonly cwd: string;
  private readonly fs: FsOps;
  private readonly files = new Map<string, string | null>();
  private readonly dirsToRemove = new Set<string>();
  private readonly dirsToCreate = new Set<string>();

  constructor(cwd: string, fs: Partial<FsOps> = {}) {
    this.cwd = cwd;
    this.fs = { ...defaultFs, ...fs };
  }

  private abs(p: string): string {
    return resolve(this.cwd, p);
  }

  private removedByDir(p: string): boolean {
    for (const d of this.dirsToRemove) if (p === d || p.startsWith(`${d}/`)) return true;
    return false;
  }

  /** The file's text as staged (undefined when it does not exist). */
  read(path: string): string | undefined {
    const p = this.abs(path);
    if (this.files.has(p)) return this.files.get(p) ?? undefined;
    if (this.removedByDir(p)) return undefined;
    try {
      return this.fs.readFileSync(p).toString('utf8');
    } catch {
      return undefined;
    }
  }

  exists(path: string): boolean {
    const p = this.abs(path);
    if (this.files.has(p)) return this.files.get(p) !== null;
    if (this.removedByDir(p)) return false;
    if (this.dirsToCreate.has(p)) return true;
    for (const f of this.files.keys()) if (this.files.get(f) !== null && f.startsWith(`${p}/`)) return true;
    return this.fs.existsSync(p);
  }

  write(path: string, text: string): this {
    this.files.set(this.abs(path), text);
    return this;
  }

  delete(path: string): this {
    const p = this.abs(path);
    if (!this.exists(p)) throw new Error(`cannot delete ${relative(this.cwd, p)}: no such file`);
    this.files.set(p, null);
    return this;
  }

  /** A file rename: the new file is written (temp + rename), the old one deleted. */
  move(from: string, to: string): this {
    const text = this.read(from);
    if (text === undefined) throw new Error(`cannot move ${relative(this.cwd, this.abs(from))}: no such file`);
    if (this.abs(from) === this.abs(to)) return this;
    this.write(to, text);
    return this.delete(from);
  }

  /** Remove a whole directory tree. */
  deleteDir(path: string): this {
    this.dirsToRemove.add(this.abs(path));
    return this;
  }

  /** Make sure a directory exists (with its parents). */
  mkdir(path: string): this {
    this.dirsToCreate.add(this.abs(path));
    return this;
  }

  /** What commit() would do, sorted by path. */
  changes(): Change[] {
    const out: Change[] = [];
    for (const d of this.dirsToCreate) if (!this.fs.existsSync(d) && ![...this.files.keys()].some((f) => f.startsWith(`${d}/`))) out.push({ action: 'mkdir', path: d });
    for (const [p, text] of this.files) {
      if (text === null) out.push({ action: 'delete', path: p });
      else out.push({ action: this.fs.existsSync(p) ? 'update' : 'create', path: p });
    }
    for (const d of this.dirsToRemove) out.push({ action: 'delete-dir', path: d });
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** Files that will hold new content after commit (absolute paths). */
  written(): string[] {
    return [...this.files].filter(([, t]) => t !== null).map(([p]) => p).sort();
  }

  /**
   * Apply every staged change, then run `check` (e.g. validate the workspace). When it returns
   * problems, or any step throws, every change is undone and the error is thrown (EditRejected for
   * problems). Files are written to a temp file in the same directory and renamed into place.
   */
  commit(check?: () => Diagnostic[]): Change[] {
    const changes = this.changes();
    const undo: Undo[] = [];
    const trash: string[] = [];
    const fs = this.fs;
    try {
      // Directories first (parents before children), remembering which ones we created.
      const needed = new Set<string>(this.dirsToCreate);
      for (const [p, text] of this.files) if (text !== null) needed.add(dirname(p));
      for (const dir of [...needed].sort()) this.ensureDir(dir, undo);
      for (const [p, text] of this.files) {
        if (text === null) continue;
        const old = fs.existsSync(p) ? fs.readFileSync(p) : undefined;
        this.atomicWrite(p, text);
        undo.push(() => (old === undefined ? fs.unlinkSync(p) : this.atomicWrite(p, old)));
      }
      for (const [p, text] of this.files) {
        if (text !== null || !fs.existsSync(p)) continue;
        const old = fs.readFileSync(p);
        fs.unlinkSync(p);
        undo.push(() => this.atomicWrite(p, old));
      }
      for (const d of this.dirsToRemove) {
        if (!fs.existsSync(d)) continue;
        const t = tmpName(d, 'deleted');
        fs.renameSync(d, t);
        trash.push(t);
        undo.push(() => fs.renameSync(t, d));
      }
      const problems = check?.() ?? [];
      if (problems.length) throw new EditRejected(problems);
    } catch (err) {
      const failed: string[] = [];
      for (const u of undo.reverse()) {
        try {
          u();
        } catch (e) {
          failed.push((e as Error).message);
        }
      }
      if (failed.length) {
        throw new Error(`${(err as Error).message}\nand rolling back failed too (${failed.join('; ')}); check \`git status\``);
      }
      throw err;
    }
    for (const t of trash) fs.rmSync(t, { recursive: true, force: true });
    this.files.clear();
    this.dirsToCreate.clear();
    this.dirsToRemove.clear();
    return changes;
  }

  private ensureDir(dir: string, undo: Undo[]): void {
    if (this.fs.existsSync(dir)) {
      if (!this.fs.statSync(dir).isDirectory()) throw new Error(`${relative(this.cwd, dir)} exists and is not a directory`);
      return;
    }
    this.ensureDir(dirname(dir), undo);
    this.fs.mkdirSync(dir);
    undo.push(() => this.fs.rmdirSync(dir));
  }

  private atomicWrite(p: string, data: string | Buffer): void {
    const t = tmpName(p, 'tmp');
    try {
      this.fs.writeFileSync(t, data);
      this.fs.renameSync(t, p);
    } catch (err) {
      try {
        if (this.fs.existsSync(t)) this.fs.unlinkSync(t);
      } catch {
        /* the original error matters more */
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------- validation after a change

const diagKey = (d: Diagnostic) => `${d.file}\u0000${d.path}\u0000${d.message}`;

/**
 * Problems a change introduced: any problem in a file it wrote, and any problem elsewhere that was
 * not there before (problems that existed before in files it did not touch are not its fault).
 */
export function newProblems(before: readonly Diagnostic[], after: readonly Diagnostic[], written: ReadonlySet<string>, ignore: (d: Diagnostic) => boolean = () => false): Diagnostic[] {
  const old = new Set(before.map(diagKey));
  return after.filter((d) => !ignore(d) && (written.has(d.file) || !old.has(diagKey(d))));
}

/**
 * Commit a FileSet with the workspace check: validate the whole workspace under `root` before and
 * after; roll back when the change introduced a problem. Returns the changes made.
 */
export function commitValidated(files: FileSet, root: string, opts: { ignore?: (d: Diagnostic) => boolean } = {}): Change[] {
  const base = files.cwd;
  const before = loadWorkspace(root, { base }).diagnostics;
  const written = new Set(files.written().map((p) => relative(base, p)));
  return files.commit(() => newProblems(before, loadWorkspace(root, { base }).diagnostics, written, opts.ignore));
}

/** "created projects/x/project.yaml" lines for the user. */
export function describeChanges(changes: readonly Change[], cwd: string, moved: readonly { from: string; to: string }[] = []): string {
  const rel = (p: string) => relative(cwd, p) || '.';
  const movedFrom = new Set(moved.map((m) => resolve(cwd, m.from)));
  const movedTo = new Set(moved.map((m) => resolve(cwd, m.to)));
  const lines: string[] = moved.map((m) => `moved   ${rel(resolve(cwd, m.from))} → ${rel(resolve(cwd, m.to))}`);
  for (const c of changes) {
    if (movedFrom.has(c.path) || movedTo.has(c.path)) continue;
    const verb = { create: 'created', update: 'updated', delete: 'deleted', 'delete-dir': 'deleted', mkdir: 'created' }[c.action];
    lines.push(`${verb.padEnd(7)} ${rel(c.path)}${c.action === 'delete-dir' || c.action === 'mkdir' ? '/' : ''}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
