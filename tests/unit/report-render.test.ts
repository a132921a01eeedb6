import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKDOWN_BUDGET, mdCell, renderHtml, renderJson, renderMarkdown, writeReport } from '../../src/report/render.ts';
import { byStatusThenName, summarize } from '../../src/report/report.ts';
import { anchorId, cardView, DEPLOYS_IN_HTML, formatPercent, formatTime, pageView } from '../../src/report/view.ts';
import { tempDir } from '../integration/report-helpers.ts';
import { HTML_BUDGET_300, sampleReport, sampleStack } from '../integration/report-sample.ts';

describe('renderHtml', () => {
  it('is deterministic: the same report renders to the same bytes', () => {
    expect(renderHtml(sampleReport(20))).toBe(renderHtml(sampleReport(20)));
  });

  it('is self-contained: no external scripts, styles, fonts, images or frames; CSP forbids loads', () => {
    const html = renderHtml(sampleReport(30));
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b|<iframe\b|<object\b|<embed\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html.match(/<script>/g)).toHaveLength(1);
    // Only anchors carry URLs (navigation, not loads).
    const urls = html.match(/(?:src|href)="[^"]*"/g) ?? [];
    expect(urls.every((u) => u.startsWith('href="https://'))).toBe(true);
  });

  it('escapes every value', () => {
    const report = sampleReport(1);
    report.stacks[0].reason = '<script>alert("x")</script> & "quotes"';
    report.stacks[0].workflows = [{ name: '<b>wf</b>', visibility: 'public' }];
    report.stacks[0].url = 'https://x.example/?a=1&b="2"';
    const html = renderHtml(report);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;');
    expect(html).toContain('&lt;b&gt;wf&lt;/b&gt;');
    expect(html).toContain('href="https://x.example/?a=1&amp;b=&#34;2&#34;"');
  });

  it(`a 300-stack report stays under ${HTML_BUDGET_300} bytes`, () => {
    const html = renderHtml(sampleReport(300));
    expect(Buffer.byteLength(html)).toBeLessThan(HTML_BUDGET_300);
    expect(html.match(/<article /g)).toHaveLength(300);
  });

  it('renders an empty report', () => {
    expect(renderHtml(sampleReport(0))).toContain('No stacks.');
  });
});

describe('view model', () => {
  it('formats times, percentages and anchors deterministically', () => {
    expect(formatTime('2025-06-30T12:34:56.789Z')).toBe('2025-06-30 12:34 UTC');
    expect(formatTime(null)).toBe('—');
    expect(formatTime('nonsense')).toBe('—');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(99.5)).toBe('99.50%');
    expect(formatPercent(0)).toBe('0%');
    expect(anchorId('a.b/c d')).toBe('stack-a-b-c-d');
  });

  it('computes a card: links, drift, deployments, facts', () => {
    const s = sampleStack(3, 'down');
    s.deployments.entries = Array.from({ length: 8 }, () => ({ ...s.deployments.entries[0], resourceChanges: { same: 3, replace: 1, 'other-op': 2 } }));
    const c = cardView(s);
    expect(c.links.map((l) => l.label)).toEqual(['App', 'Console', 'Logs']);
    expect(c.statusLabel).toBe('Down');
    expect(c.latency).toBe('—');
    expect(c.deploys).toHaveLength(DEPLOYS_IN_HTML);
    expect(c.deploys[0].changes).toBe('other-op 2 ±1 =3');
    expect(c.sparkTitle).toMatch(/^last 48 probes: max \d+ ms, now down$/);
    expect(c.facts.find((f) => f.label === 'Image digest')?.value).toBe('sha256:ffffffffffff…');
    const none = cardView({ ...sampleStack(1, 'healthy'), latencySeries: [], url: null, consoleUrl: null, logsUrl: null, deployments: { available: false, reason: null, entries: [] } });
    expect(none.links).toEqual([]);
    expect(none.sparkTitle).toBe('no history yet');
    expect(none.deploysNote).toBe('unavailable: unknown reason');
    expect(cardView({ ...sampleStack(1, 'healthy'), deployments: { available: true, reason: null, entries: [] } }).deploysNote).toBe('no deployments yet');
    expect(cardView({ ...sampleStack(1, 'down'), latencySeries: [null, null] }).sparkTitle).toBe('last 2 probes: no response');
    expect(cardView({ ...sampleStack(1, 'healthy'), latencySeries: [12] }).sparkTitle).toBe('last probe: max 12 ms, now 12 ms');
  });

  it('page counts and repository line', () => {
    const r = sampleReport(30);
    const p = pageView(r);
    expect(p.counts.map((c) => [c.status, c.count])).toEqual([
      ['down', 3],
      ['degraded', 4],
      ['healthy', 23],
      ['', 30],
    ]);
    expect(p.head).toBe('0000000');
    expect(pageView({ ...r, repo: { head: null, dirty: null, problem: 'not a git repository' } }).head).toBe('unknown (not a git repository)');
  });

  it('orders down first, then degraded, then healthy, by name', () => {
    const list = [
      { name: 'b', status: 'healthy' as const },
      { name: 'a', status: 'healthy' as const },
      { name: 'z', status: 'down' as const },
      { name: 'c', status: 'degraded' as const },
    ];
    expect([...list].sort(byStatusThenName).map((s) => s.name)).toEqual(['z', 'c', 'a', 'b']);
    expect(summarize(list)).toEqual({ total: 4, healthy: 2, degraded: 1, down: 1 });
  });
});

describe('renderMarkdown', () => {
  it('escapes table cells', () => {
    expect(mdCell('a|b <i>*x*</i> _y_ `z` [l](u)\nnext')).toBe('a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\_y\\_ \\`z\\` \\[l\\](u) next');
  });

  it('lists problems first and folds healthy stacks into <details>', () => {
    const md = renderMarkdown(sampleReport(30));
    expect(md).toMatch(/^## Catalyst deployments: 🔴 3 down · 🟡 4 degraded · 🟢 23 healthy\n/);
    const firstHealthy = md.indexOf('🟢 healthy |');
    expect(md.indexOf('<details><summary>23 healthy stacks</summary>')).toBeLessThan(firstHealthy);
    expect(md.lastIndexOf('🔴 down |')).toBeLessThan(md.indexOf('<details>'));
  });

  it('says so when everything is healthy', () => {
    const r = sampleReport(3);
    r.stacks = r.stacks.filter((s) => s.status === 'healthy');
    r.summary = summarize(r.stacks);
    expect(renderMarkdown(r)).toContain('All stacks are healthy.');
  });

  it(`stays under ${MARKDOWN_BUDGET} characters (a PR comment) for thousands of stacks`, () => {
    const md = renderMarkdown(sampleReport(3000));
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET + 200);
    expect(md).toMatch(/… and \d+ more stacks \(see report\.json or index\.html\)\.\n$/);
  });
});

describe('writeReport', () => {
  it('writes the three files (JSON is the Report itself)', () => {
    const dir = join(tempDir(), 'nested', 'out');
    const report = sampleReport(5);
    const files = writeReport(dir, report);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(report);
    expect(readFileSync(files.json, 'utf8')).toBe(renderJson(report));
    expect(readFileSync(files.markdown, 'utf8')).toBe(renderMarkdown(report));
    expect(readFileSync(files.html, 'utf8')).toBe(renderHtml(report));
  });
});
