import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { formatDiagnostic, type Diagnostic } from './diagnostics.ts';
import { loadWorkspace } from './load.ts';
import { UserError } from '../shared/errors.ts';

export { diffLines, editYaml, mergeRendering, setTopLevel } from './yaml-edit.ts';

/**
 * Editing definition files so that git stays the store: changes are staged in memory, written with
 * temp file + rename, checked by validating the whole workspace, and rolled back when the check fails
 * or any write does. YAML edits go through the `yaml` Document API and keep the file's comments and
 * formatting (yaml-edit.ts).
 */

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
  action: 'create' | 'update' | 'delete' | 'delete-dir' | 'mkdir' | 'move-dir';
  /** Absolute path (for move-dir: where the directory goes). */
  path: string;
  /** move-dir: where the directory was (absolute). */
  from?: string;
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

/** The changes a commit made so far, how to undo them, and the directories to empty at the end. */
interface Applied {
  changes: Change[];
  undo: Undo[];
  trash: string[];
}

const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

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
  /** Directory renames: new path → old path (applied before any file change). */
  private readonly dirMoves = new Map<string, string>();

  constructor(cwd: string, fs: Partial<FsOps> = {}) {
    this.cwd = cwd;
    this.fs = { ...defaultFs, ...fs };
  }

  private abs(p: string): string {
    return resolve(this.cwd, p);
  }

  private removedByDir(p: string): boolean {
    for (const d of this.dirsToRemove) if (under(p, d)) return true;
    for (const from of this.dirMoves.values()) if (under(p, from)) return true;
    return false;
  }

  /** Where `p` is on disk now, before the staged directory moves. */
  private onDisk(p: string): string {
    for (const [to, from] of this.dirMoves) if (under(p, to)) return from + p.slice(to.length);
    return p;
  }

  /** The file's text as staged (undefined when it does not exist). */
  read(path: string): string | undefined {
    const p = this.abs(path);
    if (this.files.has(p)) return this.files.get(p) ?? undefined;
    if (this.removedByDir(p)) return undefined;
    try {
      return this.fs.readFileSync(this.onDisk(p)).toString('utf8');
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
    return this.fs.existsSync(this.onDisk(p));
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

  /**
   * Rename a directory (one rename, whatever it holds: binary files, untracked ones). Applied before
   * the file changes, which may name paths under its new place; reads see it there at once.
   */
  moveDir(from: string, to: string): this {
    const [a, b] = [this.abs(from), this.abs(to)];
    if (under(b, a) || under(a, b)) throw new Error(`cannot move ${relative(this.cwd, a)} into itself or its parent`);
    this.dirMoves.set(b, a);
    return this;
  }

  /** Make sure a directory exists (with its parents). */
  mkdir(path: string): this {
    this.dirsToCreate.add(this.abs(path));
    return this;
  }

  /** What commit() would do, sorted by path. */
  changes(): Change[] {
    const out: Change[] = [...this.dirMoves].map(([to, from]) => ({ action: 'move-dir' as const, path: to, from }));
    for (const d of this.dirsToCreate) if (!this.fs.existsSync(this.onDisk(d)) && ![...this.files.keys()].some((f) => f.startsWith(`${d}/`))) out.push({ action: 'mkdir', path: d });
    for (const [p, text] of this.files) {
      if (text === null) out.push({ action: 'delete', path: p });
      else out.push({ action: this.fs.existsSync(this.onDisk(p)) ? 'update' : 'create', path: p });
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
    const applied = this.apply();
    try {
      const problems = check?.() ?? [];
      if (problems.length) throw new EditRejected(problems);
    } catch (err) {
      this.rollback(applied, err);
    }
    return this.finish(applied);
  }

  /** commit() with a check that may wait (e.g. for a Pulumi CLI call that belongs to the change). */
  async commitAsync(check?: () => Promise<Diagnostic[]>): Promise<Change[]> {
    const applied = this.apply();
    try {
      const problems = (await check?.()) ?? [];
      if (problems.length) throw new EditRejected(problems);
    } catch (err) {
      this.rollback(applied, err);
    }
    return this.finish(applied);
  }

  /** Apply the staged changes; when a step throws, what was done is undone and the error thrown. */
  private apply(): Applied {
    const applied: Applied = { changes: this.changes(), undo: [], trash: [] };
    const { undo, trash } = applied;
    const fs = this.fs;
    try {
      // Directory moves first: the file changes may name paths under their new places.
      for (const [to, from] of this.dirMoves) {
        if (fs.existsSync(to)) throw new Error(`${relative(this.cwd, to)} already exists`);
        fs.renameSync(from, to);
        undo.push(() => fs.renameSync(to, from));
      }
      // Directories next (parents before children), remembering which ones we created.
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
    } catch (err) {
      this.rollback(applied, err);
    }
    return applied;
  }

  /** Undo what was applied, newest first, and throw `err` (saying so when undoing failed too). */
  private rollback(applied: Applied, err: unknown): never {
    const failed: string[] = [];
    for (const u of applied.undo.reverse()) {
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

  private finish(applied: Applied): Change[] {
    for (const t of applied.trash) this.fs.rmSync(t, { recursive: true, force: true });
    this.files.clear();
    this.dirsToCreate.clear();
    this.dirsToRemove.clear();
    this.dirMoves.clear();
    return applied.changes;
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
  return files.commit(workspaceCheck(files, root, opts.ignore));
}

/**
 * commitValidated, then `then` once the change is written and valid (e.g. the Pulumi calls that belong
 * to it); when `then` throws, the files are put back and its error is thrown.
 */
export function commitValidatedThen(files: FileSet, root: string, then: () => Promise<void>, opts: { ignore?: (d: Diagnostic) => boolean } = {}): Promise<Change[]> {
  const check = workspaceCheck(files, root, opts.ignore);
  return files.commitAsync(async () => {
    const problems = check();
    if (!problems.length) await then();
    return problems;
  });
}

/** The check that runs after writing: the problems the staged change introduced (see newProblems). */
function workspaceCheck(files: FileSet, root: string, ignore?: (d: Diagnostic) => boolean): () => Diagnostic[] {
  const base = files.cwd;
  const before = loadWorkspace(root, { base }).diagnostics;
  const written = new Set(files.written().map((p) => relative(base, p)));
  return () => newProblems(before, loadWorkspace(root, { base }).diagnostics, written, ignore);
}

/** "created projects/x/project.yaml" lines for the user. */
export function describeChanges(changes: readonly Change[], cwd: string, moved: readonly { from: string; to: string }[] = []): string {
  const rel = (p: string) => relative(cwd, p) || '.';
  const movedFrom = new Set(moved.map((m) => resolve(cwd, m.from)));
  const movedTo = new Set(moved.map((m) => resolve(cwd, m.to)));
  const lines: string[] = moved.map((m) => `moved   ${rel(resolve(cwd, m.from))} → ${rel(resolve(cwd, m.to))}`);
  for (const c of changes) {
    if (movedFrom.has(c.path) || movedTo.has(c.path)) continue;
    if (c.action === 'move-dir') {
      lines.push(`moved   ${rel(c.from!)}/ → ${rel(c.path)}/`);
      continue;
    }
    const verb = { create: 'created', update: 'updated', delete: 'deleted', 'delete-dir': 'deleted', mkdir: 'created' }[c.action];
    lines.push(`${verb.padEnd(7)} ${rel(c.path)}${c.action === 'delete-dir' || c.action === 'mkdir' ? '/' : ''}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
