/**
 * Materialize a generated app in the build directory keyed by its content hash:
 * `<root>/.build/<project>/<contentHash>/`. Written to a temporary sibling and renamed into place, so
 * a directory under its final name is always complete; an existing one is reused after checking
 * that every file still has the generated content.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GeneratedApp } from '../codegen/index.ts';

export type { GeneratedApp };

export type WriteApp = (app: GeneratedApp, dir: string) => void | Promise<void>;

export interface BuiltApp {
  dir: string;
  contentHash: string;
  dockerfile: string | null;
}

export function buildDir(root: string, project: string, contentHash: string): string {
  return join(root, '.build', project, contentHash);
}

/** True when `dir` holds exactly the generated content of every file (extra files are ignored). */
export function isIntact(dir: string, files: ReadonlyMap<string, string>): boolean {
  if (!existsSync(dir)) return false;
  for (const [path, content] of files) {
    try {
      if (readFileSync(join(dir, path), 'utf8') !== content) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export async function materializeApp(app: GeneratedApp, root: string, write: WriteApp): Promise<BuiltApp> {
  if (!/^[0-9a-f]{64}$/.test(app.contentHash)) throw new Error(`codegen returned a content hash that is not a hex SHA-256: ${JSON.stringify(app.contentHash)}`);
  const dir = buildDir(root, app.project, app.contentHash);
  if (!isIntact(dir, app.files)) {
    mkdirSync(dirname(dir), { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
    try {
      await write(app, tmp);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { dir, contentHash: app.contentHash, dockerfile: app.files.has('Dockerfile') ? join(dir, 'Dockerfile') : null };
}
