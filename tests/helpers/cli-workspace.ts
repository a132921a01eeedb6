import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

/** Test helpers for the definition and project-management tests: temporary repos, the CLI in-process. */

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const made: string[] = [];

/** A temporary directory, removed by cleanupTemp(). */
export function tempDir(prefix = 'catalyst-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A temporary copy of the repository's projects/ and schemas/ (the examples). */
export function tempRepo(): string {
  const d = tempDir('catalyst-repo-');
  cpSync(join(REPO, 'projects'), join(d, 'projects'), { recursive: true });
  cpSync(join(REPO, 'schemas'), join(d, 'schemas'), { recursive: true });
  return d;
}

/** A temporary repository with the given files (paths relative to its root). */
export function repoWith(files: Record<string, string | Buffer>): string {
  const d = tempDir('catalyst-ws-');
  writeFiles(d, files);
  return d;
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

export function cleanupTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process (so coverage counts) with captured output. */
export async function run(cwd: string, ...argv: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** Every file and directory under root with its content, as one hash (to prove "nothing changed"). */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = relative(root, p);
      if (statSync(p).isDirectory()) {
        h.update(`d ${rel}\n`);
        walk(p);
      } else {
        h.update(`f ${rel}\n`);
        h.update(readFileSync(p));
      }
    }
  };
  walk(root);
  return h.digest('hex');
}

/** Every file under root (relative paths), sorted. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

export const read = (root: string, rel: string): string => readFileSync(join(root, rel), 'utf8');

/** Minimal valid definitions for building test workspaces. */
export const minimalProject = (name: string, extra = ''): string => `catalyst: 1\nname: ${name}\n${extra}`;
export const minimalWorkflow = (name: string, extra = '', nodes = 'nodes:\n  - id: done\n    type: respond\n'): string => `catalyst: 1\nname: ${name}\n${extra}${nodes}`;
