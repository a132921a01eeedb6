import { formatDiagnostic } from '../definitions/diagnostics.ts';
import { Converter, type ConversionResult, type ImportOptions } from './convert.ts';
import type { N8nFile } from './export.ts';
import { renderProject, validateFiles, type ProjectFiles } from './project.ts';
import { buildReport, type ImportReport } from './report.ts';

export { readExports, parseExport, ExportError, type N8nFile } from './export.ts';
export { formatReport, type ImportReport } from './report.ts';
export { writeProject, WriteError, type ProjectFiles } from './project.ts';

export interface ImportResult {
  files: ProjectFiles;
  report: ImportReport;
  conversion: ConversionResult;
  /** True when there is something to write: no errors, or --allow-partial and at least one workflow. */
  writable: boolean;
}

const MAX_PASSES = 6;

/**
 * Import n8n exports into one project: convert, render, and validate the result with the definitions
 * loader. Anything the loader rejects is mapped back to its n8n node and stubbed (or its workflow
 * refused), so the files returned always validate.
 */
export function importN8n(exports: N8nFile[], project: string, opts: Omit<ImportOptions, 'forcedStubs' | 'refuse'>): ImportResult {
  const forcedStubs = new Map<string, Map<string, string>>();
  const refuse = new Map<string, string>();
  let conv: ConversionResult | undefined;
  let files: ProjectFiles | undefined;
  const sources = [...new Set(exports.map((e) => e.file))];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    conv = new Converter({ ...opts, forcedStubs, refuse }).run(exports);
    files = renderProject(project, conv, sources);
    const diags = validateFiles(project, files);
    if (diags.length === 0) break;
    let progress = false;
    const stubbedNow = new Set<string>();
    for (const d of diags) {
      const m = /(?:^|[\\/])workflows[\\/]([^\\/]+)\.ya?ml$/.exec(d.file);
      const wf = m ? conv.workflows.find((w) => w.info.name === m[1]) : undefined;
      if (!wf) throw new Error(`n8n import produced an invalid project file: ${formatDiagnostic(d)}`);
      const idx = /^nodes\[(\d+)\]/.exec(d.path);
      const node = idx ? (wf.doc.nodes as { id: string }[])[Number(idx[1])] : undefined;
      const n8nName = node ? wf.origin.get(node.id) : undefined;
      const reason = `the translation is not valid: ${d.message}${d.fix ? ` (${d.fix})` : ''}`;
      // Several problems in one node: the first one stubs it (and is its reason).
      if (n8nName && stubbedNow.has(`${wf.info.name}\u0000${n8nName}`)) continue;
      if (n8nName && n8nName !== wf.info.trigger.name && !forcedStubs.get(wf.info.name)?.has(n8nName)) {
        forcedStubs.set(wf.info.name, (forcedStubs.get(wf.info.name) ?? new Map()).set(n8nName, reason));
        stubbedNow.add(`${wf.info.name}\u0000${n8nName}`);
        progress = true;
      } else if (!refuse.has(wf.info.name)) {
        refuse.set(wf.info.name, reason);
        progress = true;
      }
    }
    if (!progress) throw new Error(`n8n import could not produce a valid project:\n${diags.map(formatDiagnostic).join('\n')}`);
  }
  const errors = conv!.files.some((f) => f.issues.some((i) => i.severity === 'error'));
  const writable = conv!.workflows.length > 0 && (!errors || opts.allowPartial);
  const report = buildReport(project, conv!.files, conv!.project.secrets, conv!.project.env, false);
  return { files: files!, report, conversion: conv!, writable };
}
