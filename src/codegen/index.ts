/**
 * Codegen: a validated project → its generated FastAPI app (files + content hash), and writing it to disk.
 * Other stages depend on exactly this API (generateApp, writeApp, GeneratedApp).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProjectModel, Workspace } from '../definitions/model.ts';
import { renderApp } from './render.ts';
import { buildView } from './view.ts';

export { CodegenError } from './nodes.ts';

export interface GeneratedApp {
  project: string;
  /** posix relative path → content, sorted by path. */
  files: Map<string, string>;
  /** hex sha256 over the sorted (path, content) pairs; see contentHash(). */
  contentHash: string;
}

let packageVersion: string | undefined;

/** Catalyst's own version (package.json), baked into generated apps (/version's `catalyst`). */
export function catalystVersion(): string {
  if (!packageVersion) {
    const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
    packageVersion = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  }
  return packageVersion;
}

function byPath(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

/**
 * sha256 over the files sorted by path (UTF-8 bytes), each as: path, NUL, byte length, NUL, content.
 * The generated app computes the same over its own files (catalyst_runtime/version.py) for /version.
 */
export function contentHash(files: Map<string, string>): string {
  const h = createHash('sha256');
  for (const path of [...files.keys()].sort(byPath)) {
    const data = Buffer.from(files.get(path)!, 'utf8');
    h.update(Buffer.from(path, 'utf8'));
    h.update('\0');
    h.update(String(data.length));
    h.update('\0');
    h.update(data);
  }
  return h.digest('hex');
}

/** Generate the app of one project. Pure: same model → byte-identical files, whatever the map order. */
export function generateApp(project: ProjectModel, workspace: Workspace, opts: { catalystVersion?: string } = {}): GeneratedApp {
  const view = buildView(project, workspace, opts.catalystVersion ?? catalystVersion());
  const rendered = renderApp(view);
  const files = new Map([...rendered.entries()].sort(([a], [b]) => byPath(a, b)));
  return { project: project.name, files, contentHash: contentHash(files) };
}

/**
 * Write the app to `dir`, replacing whatever was there (stale files disappear): the files go to a
 * temporary sibling directory that is then renamed into place, so a reader never sees a half-written app.
 */
export function writeApp(app: GeneratedApp, dir: string): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  try {
    for (const [rel, content] of app.files) {
      const target = join(tmp, ...rel.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir) && existsSync(old)) renameSync(old, dir);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}
