import type { FileOutcome } from './convert.ts';
import type { ImportIssue } from './issues.ts';

/** The import report: JSON for machines (--report), a summary for people. Deterministic. */
export interface ImportReport {
  report: 'catalyst-n8n-import';
  version: 1;
  project: string;
  written: boolean;
  summary: { files: number; clean: number; partial: number; refused: number; workflows: number; errors: number; warnings: number };
  /** Error categories by number of files they occur in (the top refusal reasons). */
  reasons: { code: string; files: number; example: string }[];
  secrets: { name: string; description: string }[];
  env: string[];
  files: FileOutcome[];
}

export function buildReport(project: string, files: FileOutcome[], secrets: Map<string, string>, env: Map<string, unknown>, written: boolean): ImportReport {
  const sorted = [...files].sort((a, b) => a.file.localeCompare(b.file));
  const all = sorted.flatMap((f) => f.issues);
  return {
    report: 'catalyst-n8n-import',
    version: 1,
    project,
    written,
    summary: {
      files: sorted.length,
      clean: sorted.filter((f) => f.status === 'clean').length,
      partial: sorted.filter((f) => f.status === 'partial').length,
      refused: sorted.filter((f) => f.status === 'refused').length,
      workflows: sorted.reduce((n, f) => n + f.workflows.length, 0),
      errors: all.filter((i) => i.severity === 'error').length,
      warnings: all.filter((i) => i.severity === 'warning').length,
    },
    reasons: topReasons(sorted),
    secrets: [...secrets].sort(([a], [b]) => a.localeCompare(b)).map(([name, description]) => ({ name, description })),
    env: [...env.keys()].sort(),
    files: sorted,
  };
}

export function topReasons(files: FileOutcome[]): ImportReport['reasons'] {
  const byCode = new Map<string, { files: Set<string>; example: string }>();
  for (const f of files) {
    for (const i of f.issues) {
      if (i.severity !== 'error') continue;
      const e = byCode.get(i.code) ?? { files: new Set(), example: i.reason };
      e.files.add(f.file);
      byCode.set(i.code, e);
    }
  }
  return [...byCode]
    .map(([code, e]) => ({ code, files: e.files.size, example: e.example }))
    .sort((a, b) => b.files - a.files || a.code.localeCompare(b.code));
}

function where(i: ImportIssue): string {
  const parts = [i.node ? `node "${i.node}"` : '', i.parameter ? `parameter ${i.parameter}` : ''].filter(Boolean);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

/** The human summary printed by the CLI. */
export function formatReport(r: ImportReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const f of r.files) {
    const label = f.status.padEnd(8);
    lines.push(`${label} ${f.file}${f.workflows.length ? ` → ${f.workflows.join(', ')}` : ''}`);
    for (const i of f.issues) {
      if (i.severity === 'note' && !opts.verbose) continue;
      const tag = i.severity === 'error' ? (i.stubbed ? 'error (stubbed)' : 'error') : i.severity;
      lines.push(`    ${tag}: ${where(i)}${i.reason}${i.expression ? `\n        expression: ${i.expression.length > 160 ? `${i.expression.slice(0, 157)}…` : i.expression}` : ''}`);
    }
  }
  const s = r.summary;
  lines.push('');
  lines.push(`${s.files} export(s): ${s.clean} clean, ${s.partial} partial, ${s.refused} refused; ${s.workflows} workflow(s); ${s.errors} error(s), ${s.warnings} warning(s)`);
  if (r.reasons.length) {
    lines.push('top reasons:');
    for (const x of r.reasons.slice(0, 8)) lines.push(`  ${String(x.files).padStart(3)} file(s)  ${x.code}: ${x.example}`);
  }
  if (r.secrets.length) lines.push(`secrets to set (pulumi config set --secret): ${r.secrets.map((x) => x.name).join(', ')}`);
  if (r.env.length) lines.push(`settings to fill in (env in project.yaml): ${r.env.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
