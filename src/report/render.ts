/**
 * Report → index.html (EJS, one self-contained file), report.json and report.md, written atomically
 * (temp file + rename) so a reader never sees half a file while `monitor` rewrites them.
 */
import ejs from 'ejs';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMs } from './classify.ts';
import type { Report, StackReport } from './report.ts';
import { pageView, uptimeFigures } from './view.ts';

export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates', 'report');

let compiled: ejs.TemplateFunction | undefined;

/** Renders index.html. Templates only loop and print; `<%=` escapes every value. */
export function renderHtml(report: Report): string {
  const filename = join(TEMPLATE_DIR, 'index.ejs');
  compiled ??= ejs.compile(readFileSync(filename, 'utf8'), { filename, _with: false, localsName: 'view', cache: true });
  return compiled({ page: pageView(report) });
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** GitHub's comment limit is 65,536 characters; stay well below it. */
export const MARKDOWN_BUDGET = 60_000;
const ICON = { down: '🔴', degraded: '🟡', healthy: '🟢' } as const;

/** Escapes text for a Markdown table cell (GFM): no HTML, no pipes, no line breaks. */
export function mdCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1');
}

function mdRow(s: StackReport): string {
  const version = s.version.commit ? `${s.version.commit.slice(0, 7)} ${s.drift.text}` : s.drift.text;
  const cells = [
    `${ICON[s.status]} ${s.status}`,
    s.name,
    s.reason,
    s.latencyMs === null ? '—' : formatMs(s.latencyMs),
    uptimeFigures(s.uptime, s.uptimeCoverage)[0]?.value ?? '—',
    version,
  ];
  return `| ${cells.map(mdCell).join(' | ')} |`;
}

const TABLE_HEAD = '| Status | Stack | Reason | Latency | Uptime | Version |\n|---|---|---|---|---|---|';

export function renderMarkdown(report: Report): string {
  const { summary } = report;
  const head = report.repo.head ? `\`${report.repo.head.slice(0, 7)}\`${report.repo.dirty ? ' (dirty)' : ''}` : 'unknown';
  const out: string[] = [
    `## Catalyst deployments: ${ICON.down} ${summary.down} down · ${ICON.degraded} ${summary.degraded} degraded · ${ICON.healthy} ${summary.healthy} healthy`,
    '',
    `Generated ${report.generatedAt.slice(0, 16).replace('T', ' ')} UTC for ${summary.total} stack${summary.total === 1 ? '' : 's'} · repository HEAD ${head}`,
    '',
  ];
  let size = out.join('\n').length;
  let left = report.stacks.length;
  const push = (line: string) => {
    out.push(line);
    size += line.length + 1;
  };
  const table = (rows: StackReport[]) => {
    push(TABLE_HEAD);
    for (const s of rows) {
      const row = mdRow(s);
      if (size + row.length > MARKDOWN_BUDGET) return false;
      push(row);
      left--;
    }
    return true;
  };
  const problems = report.stacks.filter((s) => s.status !== 'healthy');
  const healthy = report.stacks.filter((s) => s.status === 'healthy');
  let fits = true;
  if (problems.length) fits = table(problems);
  else push('All stacks are healthy.');
  if (fits && healthy.length) {
    push('');
    push(`<details><summary>${healthy.length} healthy stack${healthy.length === 1 ? '' : 's'}</summary>`);
    push('');
    fits = table(healthy);
    push('');
    push('</details>');
  }
  if (left > 0) {
    push('');
    push(`… and ${left} more stack${left === 1 ? '' : 's'} (see report.json or index.html).`);
  }
  return `${out.join('\n')}\n`;
}

function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export interface WrittenFiles {
  html: string;
  json: string;
  markdown: string;
}

export function writeReport(dir: string, report: Report): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const files = { html: join(dir, 'index.html'), json: join(dir, 'report.json'), markdown: join(dir, 'report.md') };
  writeAtomic(files.json, renderJson(report));
  writeAtomic(files.markdown, renderMarkdown(report));
  writeAtomic(files.html, renderHtml(report));
  return files;
}
