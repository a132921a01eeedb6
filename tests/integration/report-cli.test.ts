import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Report } from '../../src/report/report.ts';
import {
  captureCtx,
  closedPort,
  fakePulumi,
  type FixtureServer,
  gitRepo,
  isolatedPath,
  outputsFor,
  PLANTED,
  startFixtureServer,
  tempDir,
  writeJson,
} from './report-helpers.ts';

const FAST = ['--timeout', '1500', '--slow', '400ms', '--no-deploys'];

let repo: string;
let shas: string[];
let server: FixtureServer;
let closed: number;

beforeAll(async () => {
  repo = tempDir('catalyst-report-repo-');
  shas = gitRepo(repo, 3);
  server = await startFixtureServer({ commit: shas[2] });
  closed = await closedPort();
});
afterAll(async () => {
  await server.close();
});

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
}

describe('catalyst report --outputs', () => {
  it('writes index.html, report.json and report.md with statuses, reasons, drift, and no planted secret anywhere', async () => {
    const dir = tempDir();
    const outputs = {
      'healthy.prod': outputsFor('healthy.prod', server.url('healthy'), { dbPassword: PLANTED.outputs, apiToken: PLANTED.outputs }),
      'old.prod': outputsFor('old.prod', server.url('noextras'), { version: { commit: shas[0], branch: 'main', dirty: false, secret: PLANTED.outputs } }),
      'degraded.prod': outputsFor('degraded.prod', server.url('degraded')),
      'secret-url.prod': outputsFor('secret-url.prod', server.url('healthy', 'su').replace('http://', `http://admin:${PLANTED.url}@`), {
        consoleUrl: `https://console.example.com/x?u=1`,
        logsUrl: `https://admin:${PLANTED.url}@logs.example.com/q`,
      }),
      'closed.prod': outputsFor('closed.prod', `http://127.0.0.1:${closed}`),
      'hang.prod': outputsFor('hang.prod', server.url('hang')),
    };
    const outputsFile = writeJson(join(dir, 'outputs.json'), outputs);
    const out = join(dir, 'site');
    const history = join(dir, 'h', 'history.jsonl');
    const cap = captureCtx(repo);
    const start = performance.now();
    const code = await main(['report', '--outputs', outputsFile, '--out', out, '--history', history, ...FAST], cap.ctx);
    // The hanging stack costs one 1.5 s deadline; generous slack for a loaded CI machine.
    expect(performance.now() - start).toBeLessThan(15_000);
    expect(cap.stderr()).toBe('');
    expect(code).toBe(0);
    expect(cap.stdout()).toMatch(/^catalyst report: 6 stacks: 2 down, 1 degraded, 3 healthy \(\d+\.\d s\) → /);

    const report = readReport(out);
    expect(report.schemaVersion).toBe(1);
    expect(report.summary).toEqual({ total: 6, healthy: 3, degraded: 1, down: 2 });
    expect(report.repo).toEqual({ head: shas[2], dirty: false, problem: null });
    expect(report.stacks.map((s) => [s.name, s.status])).toEqual([
      ['closed.prod', 'down'],
      ['hang.prod', 'down'],
      ['degraded.prod', 'degraded'],
      ['healthy.prod', 'healthy'],
      ['old.prod', 'healthy'],
      ['secret-url.prod', 'healthy'],
    ]);
    const by = new Map(report.stacks.map((s) => [s.name, s]));
    expect(by.get('closed.prod')?.reason).toMatch(/connection refused/);
    expect(by.get('hang.prod')?.reason).toBe('timeout: no complete response within 1500 ms');
    expect(by.get('healthy.prod')?.drift).toMatchObject({ state: 'up-to-date', source: 'endpoint', commit: shas[2] });
    expect(by.get('old.prod')?.drift).toMatchObject({ state: 'behind', behind: 2, text: 'behind by 2 commits', source: 'outputs' });
    expect(by.get('old.prod')?.notes).toEqual(['/version answered HTTP 404', '/metrics answered HTTP 404']);
    expect(by.get('healthy.prod')?.uptime).toEqual({ '24h': 100, '7d': 100, '30d': 100, '90d': 100 });
    expect(by.get('healthy.prod')?.deployments).toEqual({ available: false, reason: 'skipped (--no-deploys)', entries: [] });
    expect(by.get('secret-url.prod')?.url).toBe(server.url('healthy', 'su'));
    expect(by.get('secret-url.prod')?.logsUrl).toBe('https://logs.example.com/q');

    const files = ['index.html', 'report.json', 'report.md'].map((f) => readFileSync(join(out, f), 'utf8'));
    const everything = [...files, readFileSync(history, 'utf8'), cap.stdout(), cap.stderr()].join('\n');
    for (const secret of Object.values(PLANTED)) expect(everything).not.toContain(secret);
    expect(files[0]).toContain('class="card down"');
    expect(files[2]).toContain('| 🔴 down | closed.prod |');

    // A second run uses the history: uptime over two rounds, and an interval error rate.
    const again = captureCtx(repo);
    expect(await main(['report', '--outputs', outputsFile, '--out', out, '--history', history, ...FAST], again.ctx)).toBe(0);
    expect(readFileSync(history, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readReport(out).stacks.find((s) => s.name === 'hang.prod')?.latencySeries).toEqual([null, null]);
  });

  it('--fail-on sets the exit code; --json prints the report; --stack and --env select', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), {
      'a.prod': outputsFor('a.prod', server.url('healthy', 'a')),
      'b.prod': outputsFor('b.prod', server.url('degraded', 'b')),
      'c.dev': outputsFor('c.dev', server.url('error500', 'c')),
    });
    const base = ['report', '--outputs', outputsFile, '--out', join(dir, 'out'), '--no-history', ...FAST];
    const run = async (...extra: string[]) => {
      const cap = captureCtx(repo);
      const code = await main([...base, ...extra], cap.ctx);
      return { code, stdout: cap.stdout(), stderr: cap.stderr() };
    };
    expect((await run()).code).toBe(0);
    expect((await run('--fail-on', 'never')).code).toBe(0);
    expect((await run('--fail-on', 'down')).code).toBe(1);
    expect((await run('--fail-on', 'degraded')).code).toBe(1);
    expect((await run('--fail-on', 'down', '--env', 'prod')).code).toBe(0);
    expect((await run('--fail-on', 'degraded', '--stack', 'a.prod')).code).toBe(0);
    const j = await run('--json', '--stack', 'a.prod', '--stack', 'b.prod');
    const report = JSON.parse(j.stdout) as Report;
    expect(report.stacks.map((s) => s.name)).toEqual(['b.prod', 'a.prod']);
    expect(report.stacks[0].uptime['24h']).toBeNull();
    expect(j.stderr).toMatch(/^catalyst report: 2 stacks/);
  });

  it('reads thresholds from --config, flags win', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'slow.prod': outputsFor('slow.prod', server.url('slow', 'cfg')) });
    writeFileSync(join(dir, 'report.yaml'), 'slowMs: 5000\ntimeoutMs: 2000\nsamples: 1\nstacks:\n  slow.prod:\n    slowMs: 100\n');
    const cap = captureCtx(dir);
    expect(await main(['report', '--outputs', 'o.json', '--config', 'report.yaml', '--out', 'out', '--no-history', '--no-deploys'], cap.ctx)).toBe(0);
    const r = readReport(join(dir, 'out'));
    expect(r.settings).toMatchObject({ slowMs: 5000, timeoutMs: 2000, samples: 1 });
    expect(r.stacks[0]).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/> 100 ms$/) });
    expect(r.stacks[0].health.samples).toHaveLength(1);
    expect(r.repo.problem).toBe('not a git repository');
    expect(cap.stdout()).toContain('→ out/index.html');
  });

  it('shows progress on a terminal only (stderr), and the summary line always', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'tty')) });
    const tty = captureCtx(dir, { isTTY: true });
    await main(['report', '--outputs', outputsFile, '--out', join(dir, 'o'), '--no-history', ...FAST], tty.ctx);
    expect(tty.stderr()).toContain('\rprobing 1/1 stacks…');
    expect(tty.stderr().endsWith('\r\x1b[K')).toBe(true);
    expect(tty.stdout()).toMatch(/^catalyst report: 1 stack: 0 down, 0 degraded, 1 healthy/);
  });
});

describe('catalyst report with the pulumi CLI', () => {
  it('reads stacks/ outputs and deployment history through pulumi (never --show-secrets)', async () => {
    const dir = tempDir();
    gitRepo(dir, 1);
    mkdirSync(join(dir, 'stacks'));
    for (const s of ['web.prod', 'web.dev', 'gone.prod']) writeFileSync(join(dir, 'stacks', `Pulumi.${s}.yaml`), 'config: {}\n');
    const history = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/report/pulumi-stack-history.json'), 'utf8')) as unknown;
    const fake = fakePulumi(dir, {
      outputs: {
        'web.prod': outputsFor('web.prod', server.url('healthy', 'wp'), { secretThing: PLANTED.outputs }),
        'web.dev': outputsFor('web.dev', server.url('healthy', 'wd')),
      },
      history: { 'web.prod': history },
    });
    const cap = captureCtx(dir, { env: { ...process.env, PATH: isolatedPath(fake.binDir) } });
    const code = await main(['report', '--out', 'out', '--history', 'h.jsonl', '--timeout', '1500'], cap.ctx);
    expect(cap.stderr()).toBe('');
    expect(code).toBe(0);
    const r = readReport(join(dir, 'out'));
    const by = new Map(r.stacks.map((s) => [s.name, s]));
    expect(by.get('gone.prod')).toMatchObject({ status: 'down', reason: "stack outputs unavailable: pulumi stack output failed: error: no stack named 'gone.prod' found" });
    expect(by.get('web.prod')?.status).toBe('healthy');
    expect(by.get('web.prod')?.deployments.available).toBe(true);
    expect(by.get('web.prod')?.deployments.entries.map((e) => e.version)).toEqual([5, 4, 3, 2]);
    expect(by.get('web.dev')?.deployments).toMatchObject({ available: false, reason: expect.stringContaining("no stack named 'web.dev'") });
    const html = readFileSync(join(dir, 'out', 'index.html'), 'utf8');
    expect(html).toContain('+1 =7 ~2');
    expect(html).not.toContain(PLANTED.outputs);
    expect(html).not.toContain('PLANTED-HISTORY-MESSAGE');
    expect(fake.calls().flat()).not.toContain('--show-secrets');
    expect(fake.calls().filter((c) => c[1] === 'output')).toHaveLength(3);

    // --env narrows the stacks/ list; --stack names stacks explicitly.
    const cap2 = captureCtx(dir, { env: { ...process.env, PATH: isolatedPath(fake.binDir) } });
    await main(['report', '--out', 'out2', '--no-history', '--env', 'dev', '--json'], cap2.ctx);
    expect((JSON.parse(cap2.stdout()) as Report).stacks.map((s) => s.name)).toEqual(['web.dev']);
  });

  it('says "unavailable" for deployment history when pulumi is missing (not an error)', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'np')) });
    const cap = captureCtx(dir, { env: { PATH: isolatedPath() } });
    expect(await main(['report', '--outputs', outputsFile, '--out', 'o', '--no-history', '--timeout', '1500'], cap.ctx)).toBe(0);
    expect(readReport(join(dir, 'o')).stacks[0].deployments).toMatchObject({ available: false, reason: expect.stringContaining('pulumi CLI not found') });
    expect(readFileSync(join(dir, 'o', 'index.html'), 'utf8')).toContain('unavailable: pulumi CLI not found');
  });
});

describe('argument and input errors', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /unknown option --bogus/],
    [['--timout', '5'], /did you mean --timeout/],
    [['extra'], /unexpected argument "extra"/],
    [['--timeout', 'fast'], /--timeout must be a duration/],
    [['--timeout', '10'], /--timeout must be a duration from 50 ms/],
    [['--slow', '0'], /--slow must be a duration/],
    [['--samples', '0'], /--samples must be a whole number from 1 to 20/],
    [['--concurrency', 'x'], /--concurrency must be a whole number/],
    [['--min-requests', '-1'], /--min-requests must be a whole number/],
    [['--error-rate', '150'], /--error-rate must be a percentage/],
    [['--error-rate', 'lots'], /--error-rate must be a percentage/],
    [['--fail-on', 'sometimes'], /--fail-on must be never, down or degraded/],
    [['--out'], /--out needs a value/],
    [['--config', 'missing.yaml'], /cannot read the settings file/],
    [['--outputs', 'missing.json'], /cannot read the outputs file missing\.json \(check the --outputs path\)/],
    [['--outputs', 'bad.json'], /bad\.json is not valid JSON: /],
    [['--outputs', 'array.json'], /object mapping each stack name/],
    [['--outputs', 'empty.json'], /no stacks to report on in empty\.json; pass --stack/],
    [['--outputs', 'ok.json', '--stack', 'zzz.prod'], /stack zzz\.prod is not in/],
    [['--outputs', 'ok.json', '--env', 'staging'], /no stacks to report on .* for env "staging"/],
    [['--stack', 'nodot'], /invalid stack name "nodot"/],
    [[], /no stacks to report on in stacks\//],
    [['--stack', 'a.prod'], /pulumi CLI is needed to read stack outputs/],
  ];
  it.each(cases)('report %j → exit 2 with a clear message', async (args, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{');
    writeFileSync(join(dir, 'array.json'), '[]');
    writeFileSync(join(dir, 'empty.json'), '{}');
    writeJson(join(dir, 'ok.json'), { 'a.prod': outputsFor('a.prod', 'http://127.0.0.1:1') });
    const cap = captureCtx(dir, { env: { PATH: isolatedPath() } });
    expect(await main(['report', ...args], cap.ctx)).toBe(2);
    expect(cap.stderr()).toMatch(new RegExp(`^catalyst report: .*${message.source}`));
    expect(cap.stdout()).toBe('');
  });

  it.each([
    [['--interval', 'soon'], /--interval must be a duration/],
    [['--interval', '5ms'], /--interval must be a duration from 10ms/],
    [['--rounds', '0'], /--rounds must be a whole number/],
    [['--refresh-every', 'x'], /--refresh-every must be a whole number/],
  ])('monitor %j → exit 2', async (args, message) => {
    const cap = captureCtx(tempDir());
    expect(await main(['monitor', ...args], cap.ctx)).toBe(2);
    expect(cap.stderr()).toMatch(message);
  });

  it('a corrupt history file is reported and repaired', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'corrupt')) });
    writeFileSync(join(dir, 'h.jsonl'), 'garbage\n');
    const cap = captureCtx(dir);
    expect(await main(['report', '--outputs', outputsFile, '--out', 'o', '--history', 'h.jsonl', ...FAST], cap.ctx)).toBe(0);
    expect(cap.stderr()).toContain('warning: skipped 1 unreadable line(s)');
    expect(readFileSync(join(dir, 'h.jsonl'), 'utf8')).not.toContain('garbage');
    writeFileSync(join(dir, 'afile'), '');
    const cap3 = captureCtx(dir);
    expect(await main(['report', '--outputs', outputsFile, '--out', 'afile/sub', '--no-history', ...FAST], cap3.ctx)).toBe(2);
    expect(cap3.stderr()).toMatch(/^catalyst report: cannot write afile\/sub: (ENOTDIR|EEXIST) \(check --out and --history\)\n$/);
    mkdirSync(join(dir, 'adir'));
    const cap2 = captureCtx(dir);
    expect(await main(['report', '--outputs', outputsFile, '--out', 'o', '--history', 'adir', ...FAST], cap2.ctx)).toBe(2);
    expect(cap2.stderr()).toMatch(/cannot read the history file .*EISDIR/);
  });

  it('help', async () => {
    for (const name of ['report', 'monitor']) {
      const cap = captureCtx(tempDir());
      expect(await main(['help', name], cap.ctx)).toBe(0);
      expect(cap.stdout()).toContain(`Usage: catalyst ${name}`);
      expect(cap.stdout()).toContain('--fail-on');
    }
  });
});

describe('catalyst monitor', () => {
  it('probes each round, prints status changes, rewrites report and history', async () => {
    let healthHits = 0;
    const flip = http.createServer((req, res) => {
      if (req.url === '/health') healthHits++;
      const ok = req.url !== '/health' || healthHits <= 3;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/health' ? { status: 'ok', checks: {} } : {}));
    });
    await new Promise<void>((r) => flip.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(flip.address() as AddressInfo).port}`;
    try {
      const dir = tempDir();
      const outputsFile = writeJson(join(dir, 'o.json'), {
        'flip.prod': outputsFor('flip.prod', url),
        'down.prod': outputsFor('down.prod', `http://127.0.0.1:${closed}`),
      });
      const cap = captureCtx(dir);
      const start = performance.now();
      const code = await main(
        ['monitor', '--outputs', outputsFile, '--out', 'site', '--history', 'h.jsonl', '--interval', '50ms', '--rounds', '3', '--refresh-every', '2', '--fail-on', 'down', ...FAST],
        cap.ctx,
      );
      expect(performance.now() - start).toBeLessThan(20_000);
      expect(code).toBe(1);
      const lines = cap.stdout().trim().split('\n');
      expect(lines[0]).toMatch(/^catalyst monitor: 2 stacks every 0\.05 s → site \(Ctrl-C to stop\)$/);
      expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d down\.prod: new → down \(connection refused/);
      expect(lines[2]).toBe('round 1: 2 stacks: 1 down, 0 degraded, 1 healthy');
      expect(lines[3]).toMatch(/ flip\.prod: healthy → down \(\/health answered HTTP 503 \(3 of 3 samples failed\)\)$/);
      expect(lines[4]).toBe('round 2: 2 stacks: 2 down, 0 degraded, 0 healthy');
      expect(lines[5]).toBe('catalyst monitor: stopped after 3 rounds');
      expect(lines).toHaveLength(6);
      expect(readFileSync(join(dir, 'h.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
      expect(readReport(join(dir, 'site')).stacks.find((s) => s.name === 'flip.prod')?.uptime['24h']).toBe(33.33);
      expect(existsSync(join(dir, 'site', 'index.html'))).toBe(true);
    } finally {
      flip.closeAllConnections();
      await new Promise<void>((r) => flip.close(() => r()));
    }
  });

  it('stops cleanly and promptly when ctx.signal aborts (mid-sleep and mid-round)', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'sig')) });
    const ac = new AbortController();
    let abortedAt = 0;
    let out = '';
    // Abort during the 60 s sleep that follows round 1.
    const cap = captureCtx(dir, {
      signal: ac.signal,
      stdout: (t: string) => {
        out += t;
        if (t.startsWith('round 1:')) {
          abortedAt = performance.now();
          setTimeout(() => ac.abort(), 50);
        }
      },
    });
    const code = await main(['monitor', '--outputs', outputsFile, '--out', 'o', '--history', 'h.jsonl', '--interval', '60', ...FAST], cap.ctx);
    expect(performance.now() - abortedAt).toBeLessThan(1500);
    expect(code).toBe(0);
    expect(out).toContain('catalyst monitor: stopped after 1 round\n');

    // Aborted while a round is in flight (a hanging endpoint, 10 s deadline): no partial round is written.
    const hangFile = writeJson(join(dir, 'hang.json'), { 'h.prod': outputsFor('h.prod', server.url('hang', 'sig')) });
    const ac2 = new AbortController();
    const cap2 = captureCtx(dir, { signal: ac2.signal });
    let abortedAt2 = 0;
    setTimeout(() => {
      abortedAt2 = performance.now();
      ac2.abort();
    }, 300);
    expect(await main(['monitor', '--outputs', hangFile, '--out', 'o2', '--history', 'h2.jsonl', '--timeout', '10s', '--no-deploys'], cap2.ctx)).toBe(0);
    expect(performance.now() - abortedAt2).toBeLessThan(1500);
    expect(cap2.stdout()).toContain('stopped after 0 rounds');
    expect(existsSync(join(dir, 'h2.jsonl'))).toBe(false);
  });

  it('installs SIGINT/SIGTERM handlers without ctx.signal and removes them afterwards', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'sigint')) });
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    let signalledAt = 0;
    const cap = captureCtx(dir, {
      stdout: (t: string) => {
        if (t.startsWith('round 1:')) {
          signalledAt = performance.now();
          setTimeout(() => process.emit('SIGTERM'), 50);
        }
      },
    });
    expect(await main(['monitor', '--outputs', outputsFile, '--out', 'o', '--no-history', '--interval', '60s', ...FAST], cap.ctx)).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(1500);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });

  it('re-reads the stacks every --refresh-every rounds: a stack added in between is probed from then on', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'grow-a')) });
    let out = '';
    const cap = captureCtx(dir, {
      stdout: (t: string) => {
        out += t;
        if (t.startsWith('round 1:')) writeJson(outputsFile, { 'a.prod': outputsFor('a.prod', server.url('healthy', 'grow-a')), 'b.prod': outputsFor('b.prod', `http://127.0.0.1:${closed}`) });
      },
    });
    const args = ['monitor', '--outputs', outputsFile, '--out', 'o', '--no-history', '--interval', '20ms', '--rounds', '3', '--refresh-every', '2', ...FAST];
    expect(await main(args, cap.ctx)).toBe(0);
    const rounds = out.split('\n').filter((l) => /^round \d+:/.test(l) || / b\.prod: /.test(l));
    // Round 2 still probes the list read at the start; round 3 (the refresh) finds b.prod.
    expect(rounds[0]).toBe('round 1: 1 stack: 0 down, 0 degraded, 1 healthy');
    expect(rounds[1]).toMatch(/ b\.prod: new → down \(connection refused/);
    expect(rounds[2]).toBe('round 3: 2 stacks: 1 down, 0 degraded, 1 healthy');
    expect(rounds).toHaveLength(3);
    expect(cap.stderr()).toBe('');
  });

  it('keeps the previous stack list when a refresh fails', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'a.prod': outputsFor('a.prod', server.url('healthy', 'refresh')) });
    let out = '';
    // Break the outputs file as soon as round 1 is reported; round 2 re-reads it.
    const cap = captureCtx(dir, {
      stdout: (t: string) => {
        out += t;
        if (t.startsWith('round 1:')) writeFileSync(outputsFile, '{ broken');
      },
    });
    const args = ['monitor', '--outputs', outputsFile, '--out', 'o', '--no-history', '--interval', '20ms', '--rounds', '2', '--refresh-every', '1', ...FAST];
    expect(await main(args, cap.ctx)).toBe(0);
    expect(cap.stderr()).toMatch(/warning: could not re-read the stacks \(.*not valid JSON.*\); keeping the previous list/);
    expect(out).toContain('stopped after 2 rounds');
  });
});

describe('catalyst report cancelled', () => {
  it('exits 130 without writing when ctx.signal aborts mid-probe', async () => {
    const dir = tempDir();
    const outputsFile = writeJson(join(dir, 'o.json'), { 'h.prod': outputsFor('h.prod', server.url('hang', 'cancel')) });
    const ac = new AbortController();
    const cap = captureCtx(dir, { signal: ac.signal });
    setTimeout(() => ac.abort(), 150);
    expect(await main(['report', '--outputs', outputsFile, '--out', 'o', '--history', 'h.jsonl', '--timeout', '10s', '--no-deploys'], cap.ctx)).toBe(130);
    expect(cap.stderr()).toBe('catalyst report: cancelled; no report written\n');
    expect(existsSync(join(dir, 'o'))).toBe(false);
    expect(existsSync(join(dir, 'h.jsonl'))).toBe(false);
  });
});
