import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../shared/errors.ts';

/**
 * The n8n workflow export format (what "Download" / `n8n export:workflow` writes). Only the fields the
 * importer reads are checked; everything else passes through.
 */
const connection = z.looseObject({ node: z.string(), type: z.string().default('main'), index: z.number().int().min(0).default(0) });

export const n8nNode = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1),
  type: z.string().min(1),
  typeVersion: z.number().default(1),
  parameters: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()).optional(),
  disabled: z.boolean().optional(),
  notes: z.string().optional(),
  alwaysOutputData: z.boolean().optional(),
  executeOnce: z.boolean().optional(),
  continueOnFail: z.boolean().optional(),
  onError: z.string().optional(),
  retryOnFail: z.boolean().optional(),
  maxTries: z.number().optional(),
  waitBetweenTries: z.number().optional(),
  webhookId: z.string().optional(),
});

export const n8nWorkflow = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  name: z.string().default(''),
  nodes: z.array(n8nNode),
  connections: z.record(z.string(), z.record(z.string(), z.array(z.array(connection).nullable()))).default({}),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export type N8nNode = z.infer<typeof n8nNode>;
export type N8nWorkflow = z.infer<typeof n8nWorkflow>;

export interface N8nFile {
  /** Path as shown in messages (relative to the working directory). */
  file: string;
  workflow: N8nWorkflow;
}

export class ExportError extends UserError {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ExportError';
    this.file = file;
  }
}

/** Deepest nesting the importer accepts in a node's parameters, and in the brackets of one expression. */
export const MAX_N8N_DEPTH = 64;

/** Why a node is too deep to import (checked without recursion, before any conversion), or undefined. */
export function tooDeep(parameters: unknown): string | undefined {
  const todo: [unknown, string, number][] = [[parameters, '', 0]];
  while (todo.length) {
    const [v, path, depth] = todo.pop()!;
    if (depth > MAX_N8N_DEPTH) return `parameter ${path || '(top)'} nests more than ${MAX_N8N_DEPTH} levels deep`;
    if (typeof v === 'string') {
      let d = 0;
      for (const c of v) {
        if (c === '(' || c === '[' || c === '{') d++;
        else if (c === ')' || c === ']' || c === '}') d--;
        if (d > MAX_N8N_DEPTH) return `parameter ${path || '(top)'} has brackets nested more than ${MAX_N8N_DEPTH} deep`;
      }
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) todo.push([x, path ? `${path}.${k}` : k, depth + 1]);
    }
  }
  return undefined;
}

/** Parse one export. Some tools wrap exports in an array or under `workflow`/`data`; those are unwrapped. */
export function parseExport(text: string, file: string): N8nWorkflow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ExportError(file, `not JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(data) ? data : [data];
  return list.map((item, i) => {
    let w = item as Record<string, unknown>;
    if (w && typeof w === 'object' && !('nodes' in w)) {
      const inner = (w.workflow ?? w.data) as Record<string, unknown> | undefined;
      if (inner && typeof inner === 'object' && 'nodes' in inner) w = inner;
    }
    const r = n8nWorkflow.safeParse(w);
    if (!r.success) {
      const where = list.length > 1 ? ` (workflow ${i + 1})` : '';
      const issue = r.error.issues[0];
      throw new ExportError(file, `not an n8n workflow export${where}: ${issue.path.join('.') || '(top level)'}: ${issue.message} (an export has top-level "nodes" and "connections")`);
    }
    for (const n of r.data.nodes) {
      const why = tooDeep(n.parameters);
      if (why) throw new ExportError(file, `node "${n.name}": ${why}; the importer refuses it (simplify the node in n8n and export again)`);
    }
    return r.data;
  });
}

/** Read files and directories (every *.json inside, sorted; MANIFEST-like files are skipped). */
export function readExports(paths: string[], cwd: string): N8nFile[] {
  const out: N8nFile[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new ExportError(p, 'no such file or directory');
    const files = statSync(abs).isDirectory()
      ? readdirSync(abs)
          .filter((f) => f.toLowerCase().endsWith('.json'))
          .sort()
          .map((f) => join(abs, f))
      : [abs];
    if (files.length === 0) throw new ExportError(p, 'no *.json files in this directory');
    for (const f of files) {
      const shown = relative(cwd, f) || basename(f);
      for (const workflow of parseExport(readFileSync(f, 'utf8'), shown)) out.push({ file: shown, workflow });
    }
  }
  return out;
}
