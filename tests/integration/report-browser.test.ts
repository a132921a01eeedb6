/**
 * The report page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): it
 * loads with no console errors and no network requests besides the file itself, the cards show the
 * right statuses, the filters work, it fits a phone screen, and a 300-stack report renders within
 * a size budget. Screenshots go to test-results/report/ (git-ignored).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { renderHtml } from '../../src/report/render.ts';
import { captureCtx, closedPort, type FixtureServer, gitRepo, outputsFor, startFixtureServer, tempDir, writeJson } from './report-helpers.ts';
import { HTML_BUDGET_300, sampleReport } from './report-sample.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-results', 'report');

let browser: Browser;
let server: FixtureServer;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the report's browser tests need it. Install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does this).`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  server = await startFixtureServer();
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Loaded {
  page: Page;
  requests: string[];
  errors: string[];
}

/** Opens the file with every request intercepted: only the file itself may load. */
async function open(file: string, viewport = { width: 1280, height: 900 }): Promise<Loaded> {
  const page = await browser.newPage({ viewport });
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

async function visibleCards(page: Page): Promise<number> {
  return page.locator('main .card:visible').count();
}

describe('report page in Chromium', () => {
  it('a real report: statuses, no errors, no network, filters, phone layout; screenshots saved', async () => {
    const repo = tempDir('catalyst-browser-repo-');
    gitRepo(repo, 1);
    const closed = await closedPort();
    const outputs = {
      'web.prod': outputsFor('web.prod', server.url('healthy', 'web'), { consoleUrl: 'https://console.example.com/run/web', logsUrl: 'https://console.example.com/logs/web' }),
      'api.prod': outputsFor('api.prod', server.url('slow', 'api')),
      'bot.prod': outputsFor('bot.prod', server.url('degraded', 'bot')),
      'billing.prod': outputsFor('billing.prod', server.url('error500', 'billing')),
      'search.dev': outputsFor('search.dev', `http://127.0.0.1:${closed}`),
      'queue.dev': outputsFor('queue.dev', server.url('hang', 'queue')),
    };
    const outputsFile = writeJson(join(repo, 'outputs.json'), outputs);
    const out = join(ARTIFACTS, 'site');
    const cap = captureCtx(repo);
    const args = ['report', '--outputs', outputsFile, '--out', out, '--history', join(repo, 'h.jsonl'), '--timeout', '1500', '--slow', '400', '--no-deploys'];
    // Two rounds, so the sparklines have more than one point.
    expect(await main(args, cap.ctx)).toBe(0);
    expect(await main(args, cap.ctx)).toBe(0);
    const file = join(out, 'index.html');

    const { page, requests, errors } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    const expected: Record<string, string> = {
      'billing.prod': 'down',
      'queue.dev': 'down',
      'search.dev': 'down',
      'api.prod': 'degraded',
      'bot.prod': 'degraded',
      'web.prod': 'healthy',
    };
    // Down first, then degraded, then healthy.
    expect(await page.locator('main .card h2').allTextContents()).toEqual(Object.keys(expected));
    for (const [name, status] of Object.entries(expected)) {
      const card = page.locator(`#stack-${name.replace('.', '-')}`);
      expect(await card.getAttribute('class')).toBe(`card ${status}`);
      expect((await card.locator('.badge').textContent())?.toLowerCase()).toBe(status);
      expect((await card.locator('.reason').textContent())?.length).toBeGreaterThan(5);
    }
    expect(await page.locator('#stack-queue-dev .reason').textContent()).toBe('timeout: no complete response within 1500 ms');
    expect(await page.locator('#stack-bot-prod .reason').textContent()).toBe('/health reports degraded: check llm not ok');
    expect(await page.locator('#stack-web-prod .links a').allTextContents()).toEqual(['App', 'Console', 'Logs']);
    expect(await page.locator('#stack-web-prod svg polyline').count()).toBe(1);
    expect(await page.locator('#shown').textContent()).toBe('6 of 6 shown');

    // Filters: status buttons, the select, and the text box.
    await page.locator('button[data-filter="down"]').click();
    expect(await visibleCards(page)).toBe(3);
    expect(await page.locator('#shown').textContent()).toBe('3 of 6 shown');
    await page.locator('button[data-filter=""]').click();
    await page.locator('#q').fill('.dev');
    expect(await visibleCards(page)).toBe(2);
    await page.locator('#status').selectOption('degraded');
    expect(await visibleCards(page)).toBe(0);
    await page.locator('#q').fill('');
    expect(await visibleCards(page)).toBe(2);
    await page.locator('#status').selectOption('');
    // Details open with workflows and routes.
    await page.locator('#stack-web-prod summary').click();
    expect(await page.locator('#stack-web-prod details').textContent()).toContain('/answer');
    await page.screenshot({ path: join(ARTIFACTS, 'report-desktop.png'), fullPage: true });
    await page.close();

    // A phone: one column, nothing wider than the screen.
    const phone = await open(file, { width: 375, height: 812 });
    expect(phone.errors).toEqual([]);
    const widths = (await phone.page.evaluate('({ doc: document.documentElement.scrollWidth, view: window.innerWidth })')) as { doc: number; view: number };
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    const boxes = await phone.page.locator('main .card').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
    expect(new Set(boxes).size).toBe(1);
    await phone.page.screenshot({ path: join(ARTIFACTS, 'report-phone.png') });
    await phone.page.close();
    expect(statSync(join(ARTIFACTS, 'report-desktop.png')).size).toBeGreaterThan(10_000);
  });

  it(`a 300-stack report renders, stays under ${HTML_BUDGET_300} bytes, and filters`, async () => {
    const dir = join(ARTIFACTS, 'report-300');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'index.html');
    writeFileSync(file, renderHtml(sampleReport(300)));
    const bytes = statSync(file).size;
    expect(bytes).toBeLessThan(HTML_BUDGET_300);
    const start = Date.now();
    const { page, requests, errors } = await open(file);
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await page.locator('main .card').count()).toBe(300);
    expect(await page.locator('main .card').first().getAttribute('data-status')).toBe('down');
    const counts = await page.locator('.count b').allTextContents();
    expect(counts).toEqual(['30', '39', '231', '300']);
    await page.locator('#q').fill('project-01');
    expect(await visibleCards(page)).toBe(10);
    await page.screenshot({ path: join(ARTIFACTS, 'report-300.png') });
    await page.close();
    expect(readFileSync(file, 'utf8')).toContain('<meta http-equiv="Content-Security-Policy"');
  });
});
