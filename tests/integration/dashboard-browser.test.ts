/**
 * `catalyst dashboard` in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
 * against two loopback apps playing billing.local and support-bot.local (support-bot calls billing
 * in the example definitions): the page updates without a reload when billing goes down and comes
 * back (support-bot's card says why it is degraded), charts render from a known /metrics sequence,
 * log lines stream with credentials redacted, no request leaves the dashboard's origin, no console
 * errors, keyboard navigation works, and the phone layout shows plain numbers. Screenshots go to
 * test-results/dashboard/ (git-ignored).
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-results', 'dashboard');
const INTERVAL_MS = 400;
const SECRET = 'sk-live-PLANTEDdashboard0123456789';

/** A loopback app that can be stopped and started on the same port; /metrics counts up on every scrape. */
class FakeApp {
  server: Server | null = null;
  port = 0;
  scrapes = 0;
  readonly workflow: string;
  constructor(workflow: string) {
    this.workflow = workflow;
  }
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"status":"ok","checks":{}}');
      }
      if (req.url === '/metrics') {
        const n = ++this.scrapes;
        const req10 = n * 20;
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        return res.end(
          [
            `catalyst_requests_total{status="200",workflow="${this.workflow}"} ${req10}.0`,
            `catalyst_request_errors_total{workflow="${this.workflow}"} 0.0`,
            `catalyst_request_duration_seconds_bucket{le="0.005",workflow="${this.workflow}"} ${n * 10}.0`,
            `catalyst_request_duration_seconds_bucket{le="0.025",workflow="${this.workflow}"} ${n * 18 + (n % 3)}.0`,
            `catalyst_request_duration_seconds_bucket{le="+Inf",workflow="${this.workflow}"} ${req10}.0`,
            '',
          ].join('\n'),
        );
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

let browser: Browser;
const billing = new FakeApp('lookup');
const bot = new FakeApp('ask');
let dir: string;
let logFile: string;
let url: string;
const stop = new AbortController();
let finished: Promise<number>;
const stderr: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the dashboard's browser tests need it. Install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does this).`);
  }
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  await billing.start();
  await bot.start();
  dir = mkdtempSync(join(tmpdir(), 'catalyst-dashboard-'));
  cpSync(join(ROOT, 'projects'), join(dir, 'projects'), { recursive: true });
  const out = (project: string, app: FakeApp, wf: string, path: string) => ({
    project, env: 'local', target: 'local', url: app.url, healthUrl: `${app.url}/health`,
    workflows: [{ name: wf, visibility: 'public' }], publicRoutes: [{ workflow: wf, method: 'POST', path }],
    version: { commit: null, branch: null, dirty: false },
  });
  writeFileSync(join(dir, 'outputs.json'), JSON.stringify({ 'billing.local': out('billing', billing, 'lookup', '/lookup'), 'support-bot.local': out('support-bot', bot, 'ask', '/ask') }));
  mkdirSync(join(dir, '.catalyst', 'run', 'billing.local'), { recursive: true });
  logFile = join(dir, '.catalyst', 'run', 'billing.local', 'app.log');
  writeFileSync(logFile, `{"level":"info","msg":"started"}\n{"level":"error","msg":"upstream said Authorization: Bearer ${SECRET}"}\n`);
  let printed = '';
  finished = main(['dashboard', '--outputs', 'outputs.json', '--port', '0', '--interval', `${INTERVAL_MS}ms`, '--no-deploys', '--no-history', '--samples', '1', '--timeout', '300ms'], {
    cwd: dir,
    env: { ...process.env, RENDER_API_KEY: undefined },
    stdout: (t) => (printed += t),
    stderr: (t) => stderr.push(t),
    isTTY: false,
    signal: stop.signal,
  });
  const deadline = Date.now() + 10_000;
  while (!/http:\/\/127\.0\.0\.1:\d+\//.test(printed)) {
    if (Date.now() > deadline) throw new Error(`the dashboard did not start: ${printed}${stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /http:\/\/127\.0\.0\.1:\d+\//.exec(printed)![0];
});

afterAll(async () => {
  stop.abort();
  expect(await finished).toBe(0);
  await browser?.close();
  await billing.stop();
  await bot.stop();
});

interface Opened {
  page: Page;
  requests: string[];
  errors: string[];
  navigations: number;
}

async function open(viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const o: Opened = { page, requests: [], errors: [], navigations: 0 };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') o.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => o.errors.push(`pageerror: ${e.message}`));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) o.navigations++;
  });
  await page.route('**/*', (route) => {
    o.requests.push(route.request().url());
    return route.request().url().startsWith(url) ? route.continue() : route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return o;
}

const card = (page: Page, stack: string) => page.locator(`button.stack[data-stack="${stack}"]`);

describe('dashboard in Chromium', () => {
  it('goes red without a reload when a service goes down, says why its caller is degraded, and recovers', async () => {
    const o = await open();
    const { page } = o;
    await expect.poll(() => page.locator('section.project').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => card(page, 'billing.local').getAttribute('class')).toContain('healthy');
    await expect.poll(() => card(page, 'support-bot.local').getAttribute('class')).toContain('healthy');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-desktop.png'), fullPage: true });

    await billing.stop();
    const t0 = Date.now();
    await expect.poll(() => card(page, 'billing.local').getAttribute('class'), { timeout: 3 * INTERVAL_MS + 2000, interval: 50 }).toContain('down');
    const tookMs = Date.now() - t0;
    await expect.poll(() => card(page, 'support-bot.local').getAttribute('class')).toContain('degraded');
    expect(await card(page, 'support-bot.local').locator('.reason').textContent()).toContain('dependency: calls billing, which is down');
    expect(await page.locator('section.project').first().getAttribute('data-project')).toBe('billing');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-down.png'), fullPage: true });

    await billing.start();
    await expect.poll(() => card(page, 'billing.local').getAttribute('class'), { timeout: 3 * INTERVAL_MS + 2000 }).toContain('healthy');
    await expect.poll(() => card(page, 'support-bot.local').getAttribute('class')).toContain('healthy');

    expect(o.navigations).toBe(1);
    expect(o.requests.every((r) => r.startsWith(url))).toBe(true);
    expect(o.errors).toEqual([]);
    // Within one probe interval of the round that saw it, plus the round's own time.
    expect(tookMs).toBeLessThan(2 * INTERVAL_MS + 1500);
    await page.close();
  });

  it('details: charts from /metrics, deployments note, live logs with credentials redacted; keyboard only', async () => {
    const o = await open();
    const { page } = o;
    await expect.poll(() => card(page, 'billing.local').count(), { timeout: 10_000 }).toBe(1);
    // Three scrapes make two steps: the traffic chart has a line.
    await expect.poll(() => billing.scrapes, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    await card(page, 'billing.local').focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog#detail');
    await expect.poll(() => dialog.getAttribute('open')).not.toBeNull();
    const row = dialog.locator('tr[data-workflow="lookup"]');
    await expect.poll(() => row.locator('svg.chart path').count(), { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(await row.locator('svg.chart path').first().getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+ L/);
    const rate = await row.locator('td.n').first().textContent();
    expect(rate).toMatch(/\/s|\/min/);

    const logs = dialog.locator('pre.logs');
    await expect.poll(() => logs.textContent(), { timeout: 5000 }).toContain('started');
    expect(await logs.textContent()).toContain('Authorization: [redacted]');
    appendFileSync(logFile, `{"level":"info","msg":"live line api_key=${SECRET}"}\n`);
    await expect.poll(() => logs.textContent(), { timeout: 5000 }).toContain('live line api_key=[redacted]');
    expect(await page.content()).not.toContain(SECRET);
    expect(await dialog.textContent()).not.toMatch(/\b(null|undefined|NaN)\b/);
    expect(await dialog.locator('#log-source').textContent()).toBe('live from app.log');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-detail.png'), fullPage: true });

    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.getAttribute('open')).toBeNull();
    // the dialog's `close` event (which returns focus to the card) is dispatched as a task after `open` goes
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.dataset.stack')).toBe('billing.local');
    expect(o.errors).toEqual([]);
    expect(o.requests.every((r) => r.startsWith(url))).toBe(true);
    await page.close();
  });

  it('phone layout: plain numbers, no charts, no horizontal scroll', async () => {
    const o = await open({ width: 390, height: 844 });
    const { page } = o;
    await expect.poll(() => page.locator('button.stack').count(), { timeout: 10_000 }).toBe(2);
    const widths = (await page.evaluate('({ doc: document.documentElement.scrollWidth, view: window.innerWidth })')) as { doc: number; view: number };
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    expect(await card(page, 'billing.local').locator('.nums').textContent()).toMatch(/latency .*traffic .*errors /);
    await card(page, 'billing.local').click();
    await expect.poll(() => page.locator('dialog#detail tr[data-workflow="lookup"]').count()).toBe(1);
    expect(await page.locator('dialog#detail svg.chart').first().isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    expect(o.errors).toEqual([]);
    await page.close();
  });
});
