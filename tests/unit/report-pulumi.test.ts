import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listStackFiles } from '../../src/contracts/stack-name.ts';
import { readOnlyRunner } from '../../src/pulumi/pulumi.ts';
import { deployHistory, findPulumi, parseStackHistory, readStackOutputsWithPulumi } from '../../src/report/pulumi.ts';
import { fakePulumi, isolatedPath, tempDir } from '../integration/report-helpers.ts';

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/report/pulumi-stack-history.json'), 'utf8')) as unknown;

describe('parseStackHistory (pulumi stack history --json)', () => {
  it('reads version, kind, result, times, git.head/git.dirty and resource changes; newest first', () => {
    expect(parseStackHistory(FIXTURE)).toEqual([
      { version: 5, kind: 'refresh', result: 'in-progress', startTime: '2025-06-30T09:00:00.000Z', endTime: null, commit: null, dirty: null, resourceChanges: {} },
      {
        version: 4,
        kind: 'update',
        result: 'failed',
        startTime: '2025-06-30T08:00:00.000Z',
        endTime: '2025-06-30T08:01:00.000Z',
        commit: '2'.repeat(40),
        dirty: true,
        resourceChanges: { same: 9, update: 1 },
      },
      {
        version: 3,
        kind: 'update',
        result: 'succeeded',
        startTime: '2025-06-29T10:15:02.000Z',
        endTime: '2025-06-29T10:16:40.000Z',
        commit: '1'.repeat(40),
        dirty: false,
        author: 'Dev One',
        resourceChanges: { create: 1, same: 7, update: 2 },
      },
      { version: 2, kind: 'update', result: 'succeeded', startTime: '2025-06-28T09:00:00.000Z', endTime: '2025-06-28T09:05:00.000Z', commit: null, dirty: null, resourceChanges: { create: 8 } },
    ]);
  });

  it('never reads the message or config', () => {
    const text = JSON.stringify(parseStackHistory(FIXTURE));
    expect(text).not.toContain('PLANTED');
    expect(text).not.toContain('apiKey');
    expect(text).not.toContain('dev@example.com');
  });

  it('tolerates odd entries and rejects a non-array', () => {
    expect(parseStackHistory([null, 'x', { kind: 'Update!', startTime: 'never' }])).toEqual([
      { version: null, kind: 'unknown', result: 'in-progress', startTime: null, endTime: null, commit: null, dirty: null, resourceChanges: {} },
    ]);
    expect(parseStackHistory([])).toEqual([]);
    expect(() => parseStackHistory({})).toThrow(/expected a JSON array of updates/);
  });

  it('keeps the newest 10', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ version: i + 1, kind: 'update', result: 'succeeded', startTime: '2025-01-01T00:00:00.000Z' }));
    expect(parseStackHistory(many).map((e) => e.version)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
  });
});

describe('pulumi CLI', () => {
  it('finds a usable pulumi on PATH first, else the engine the repository built (.tools/pulumi/bin/pulumi), else null', () => {
    const dir = tempDir();
    const fake = fakePulumi(dir, {});
    expect(findPulumi(dir, { PATH: isolatedPath(fake.binDir) })).toBe(join(fake.binDir, 'pulumi'));
    expect(findPulumi(dir, { PATH: isolatedPath() })).toBeNull();
    expect(findPulumi(dir, {})).toBeNull();
    mkdirSync(join(dir, '.tools/pulumi/bin'), { recursive: true });
    copyFileSync(join(fake.binDir, 'pulumi'), join(dir, '.tools/pulumi/bin/pulumi'));
    chmodSync(join(dir, '.tools/pulumi/bin/pulumi'), 0o755);
    expect(findPulumi(dir, { PATH: isolatedPath() })).toBe(join(dir, '.tools/pulumi/bin/pulumi'));
    expect(findPulumi(dir, { PATH: isolatedPath(fake.binDir) })).toBe(join(fake.binDir, 'pulumi'));
  });

  it('lists stacks from stacks/Pulumi.<project>.<env>.yaml', () => {
    const dir = tempDir();
    expect(listStackFiles(dir).map((s) => s.name)).toEqual([]);
    mkdirSync(join(dir, 'stacks'));
    for (const f of ['Pulumi.support-bot.prod.yaml', 'Pulumi.billing.dev.yml', 'Pulumi.yaml', 'Pulumi.x.yaml', 'README.md', 'Pulumi.a.b.c.yaml']) {
      writeFileSync(join(dir, 'stacks', f), '');
    }
    expect(listStackFiles(dir).map((s) => s.name)).toEqual(['billing.dev', 'support-bot.prod']);
  });

  it('reads outputs and history; failures become reasons; --show-secrets is never passed', async () => {
    const dir = tempDir();
    const fake = fakePulumi(dir, { outputs: { 'a.prod': { url: 'http://x' } }, history: { 'a.prod': FIXTURE, 'odd.prod': { not: 'an array' } } });
    const runner = { bin: join(fake.binDir, 'pulumi'), cwd: dir, env: { PATH: isolatedPath(fake.binDir) } };
    expect(await readStackOutputsWithPulumi(runner, 'a.prod')).toEqual({ data: { url: 'http://x' } });
    expect(await readStackOutputsWithPulumi(runner, 'b.prod')).toEqual({ error: "pulumi stack output failed: error: no stack named 'b.prod' found" });
    expect(await readStackOutputsWithPulumi(runner, 'garbled.prod')).toEqual({ error: 'pulumi stack output printed no JSON' });
    const h = await deployHistory(runner, 'a.prod');
    expect(h.available).toBe(true);
    expect(h.entries[0].version).toBe(5);
    expect(await deployHistory(runner, 'b.prod')).toMatchObject({ available: false, reason: expect.stringContaining('no stack named') });
    expect(await deployHistory(runner, 'odd.prod')).toMatchObject({ available: false, reason: expect.stringContaining('expected a JSON array of updates') });
    expect(await deployHistory({ ...runner, bin: null }, 'a.prod')).toMatchObject({ available: false, reason: expect.stringContaining('pulumi CLI not found') });
    const calls = fake.calls();
    expect(calls[0]).toEqual(['stack', 'output', '--json', '--stack', 'a.prod', '--non-interactive']);
    expect(calls.find((c) => c[1] === 'history')).toEqual(['stack', 'history', '--json', '--page-size', '10', '--stack', 'a.prod', '--non-interactive']);
    expect(calls.flat()).not.toContain('--show-secrets');
  });

  it('the read-only runner kills a call after its timeout and never throws', async () => {
    const started = Date.now();
    const slow = await readOnlyRunner('/bin/sleep', 300)(['10'], { cwd: '/', env: process.env });
    expect(slow.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readOnlyRunner('/nonexistent/pulumi', 1000)(['version'], { cwd: '/', env: process.env })).toMatchObject({ code: 1, stdout: '' });
  });
});
