import { expect } from 'vitest';
import type { Diagnostic } from '../../src/definitions/diagnostics.ts';
import { loadWorkspace, type LoadResult } from '../../src/definitions/load.ts';
import { repoWith } from './cli-workspace.ts';

/** Load a workspace made of the given files (paths under projects/). */
export function loadFiles(files: Record<string, string | Buffer>, at = ''): LoadResult & { root: string } {
  const root = repoWith(Object.fromEntries(Object.entries(files).map(([k, v]) => [`projects/${k}`, v])));
  return { ...loadWorkspace(at ? `${root}/${at}` : root, { base: root }), root };
}

export const PROJECT = 'catalyst: 1\nname: pp\nsecrets:\n  API_KEY: the API key\n  TOKEN: a token\nenv:\n  BASE_URL: https://example.com\n  LIMIT: 10\n';

/** Diagnostics of one workflow file `w.yaml` (name w) in project pp; the body follows `name: w`. */
export function wfDiags(body: string, project = PROJECT, extra: Record<string, string> = {}): Diagnostic[] {
  return loadFiles({ 'pp/project.yaml': project, 'pp/workflows/w.yaml': `catalyst: 1\nname: w\n${body}`, ...extra }).diagnostics;
}

/** A diagnostic matches `message` (and the fields in `where`); it is returned for further checks. */
export function expectDiag(ds: readonly Diagnostic[], message: RegExp, where: Partial<Record<keyof Diagnostic, unknown>> = {}): Diagnostic {
  const list = ds.map((d) => `${d.file}:${d.line}:${d.col} ${d.path}: ${d.message}${d.fix ? ` (fix: ${d.fix})` : ''}`).join('\n');
  const hits = ds.filter((d) => message.test(d.message));
  expect(hits.length, `no diagnostic matching ${message} in:\n${list}`).toBeGreaterThan(0);
  const exact = hits.find((d) => {
    try {
      expect(d).toMatchObject(where);
      return true;
    } catch {
      return false;
    }
  });
  expect(exact, `no diagnostic matching ${message} and ${JSON.stringify(where)} in:\n${list}`).toBeDefined();
  return exact!;
}

/** The workspace loads with no diagnostics. */
export function expectValid(r: LoadResult): void {
  expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.path}: ${d.message}`)).toEqual([]);
  expect(r.workspace).toBeDefined();
}

/** `nodes:` from flow-style node mappings, then `edges:` from flow-style edges (omitted when none). */
export const graph = (nodeList: string[], edgeList: string[] = []): string =>
  `nodes:\n${nodeList.map((n) => `  - ${n}\n`).join('')}${edgeList.length ? `edges:\n${edgeList.map((e) => `  - ${e}\n`).join('')}` : ''}`;
