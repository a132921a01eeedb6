import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { formatDiagnostic, type Diagnostic } from '../definitions/diagnostics.ts';
import { loadWorkspace } from '../definitions/load.ts';
import type { ConversionResult } from './convert.ts';
import { UserError } from '../shared/errors.ts';

/** The files of an imported project: relative path (inside the project directory) → content. */
export type ProjectFiles = Map<string, string>;

function yaml(doc: unknown, header: string[]): string {
  const body = stringify(doc, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
  return `${header.map((h) => `# ${h}`).join('\n')}\n${body}`;
}

/** Render the project.yaml and one workflow file per imported workflow. Deterministic. */
export function renderProject(project: string, conv: ConversionResult, sources: string[]): ProjectFiles {
  const files: ProjectFiles = new Map();
  const secrets = Object.fromEntries([...conv.project.secrets].sort(([a], [b]) => a.localeCompare(b)));
  const env = Object.fromEntries([...conv.project.env].sort(([a], [b]) => a.localeCompare(b)));
  const doc: Record<string, unknown> = {
    catalyst: 1,
    name: project,
    description: `Imported from n8n (${sources.length} export${sources.length === 1 ? '' : 's'}) by catalyst import n8n`,
  };
  if (Object.keys(secrets).length) doc.secrets = secrets;
  if (Object.keys(env).length) doc.env = env;
  files.set('project.yaml', yaml(doc, ['yaml-language-server: $schema=../../schemas/project.schema.json', 'Imported from n8n by `catalyst import n8n`; see the import report for what changed.']));
  for (const w of [...conv.workflows].sort((a, b) => a.info.name.localeCompare(b.info.name))) {
    files.set(`workflows/${w.info.name}.yaml`, yaml(w.doc, ['yaml-language-server: $schema=../../../schemas/workflow.schema.json', `Imported from n8n: ${w.info.file}`]));
  }
  return files;
}

export function writeFiles(dir: string, files: ProjectFiles): void {
  for (const [rel, content] of files) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** Validate rendered files with the real loader (in a scratch directory). */
export function validateFiles(project: string, files: ProjectFiles): Diagnostic[] {
  const root = mkdtempSync(join(tmpdir(), 'catalyst-n8n-'));
  try {
    const dir = join(root, project);
    writeFiles(dir, files);
    return loadWorkspace(dir, { base: root }).diagnostics;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export class WriteError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'WriteError';
  }
}

/**
 * Write the project into `<into>/<project>` transactionally: render into a temporary directory next to
 * the target, validate the whole result with loadWorkspace, then move it into place. On any error the
 * target is unchanged.
 */
export function writeProject(into: string, project: string, files: ProjectFiles, opts: { force?: boolean } = {}): string {
  const target = join(into, project);
  if (existsSync(target) && !opts.force) throw new WriteError(`${target} already exists; choose another --project name, or pass --force to replace it`);
  mkdirSync(into, { recursive: true });
  const scratch = mkdtempSync(join(into, '.catalyst-import-'));
  try {
    const fresh = join(scratch, project);
    writeFiles(fresh, files);
    const r = loadWorkspace(fresh, { base: scratch });
    if (r.diagnostics.length) throw new WriteError(`the imported project does not validate:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
    if (existsSync(target)) {
      const old = join(scratch, `${project}.old`);
      renameSync(target, old);
      try {
        renameSync(fresh, target);
      } catch (err) {
        renameSync(old, target);
        throw err;
      }
    } else renameSync(fresh, target);
    return target;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
