/**
 * JavaScript nodes in a generated app under real uvicorn with the pinned mini-racer: n8n's Code node
 * contract ($input, $json, items, $(), $node, $env, $now, $today, DateTime, $workflow, $execution), both
 * modes, the return value's normalisation, errors with the node and line, and the limits: an endless loop
 * ends within the time limit, a memory bomb is contained, a promise that never settles is refused, and the
 * app keeps serving after each of them.
 */
import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { call, cleanupTemps, generateInto, project, REPO, requirePython, runAsync, startApp, stopAllApps, testPythonJs, type RunningApp } from '../helpers/codegen.ts';

let app: RunningApp;
let files: Map<string, string>;
let python: string;
let dir: string;

beforeAll(async () => {
  requirePython();
  python = await testPythonJs();
  const r = loadWorkspace(join(REPO, 'tests', 'fixtures', 'js', 'projects'), { base: REPO });
  if (!r.workspace) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`).join('\n'));
  const g = generateInto(project(r.workspace, 'jsdemo'), r.workspace);
  files = g.app.files;
  dir = g.dir;
  app = await startApp(g.dir, python, { GREETING: 'hi there', OTHER: 'never-visible' });
}, 600_000);

afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

describe('javascript nodes', () => {
  it('provide the n8n Code node helpers and normalise the returned items', async () => {
    const r = await call(`${app.url}/calc`, { body: { n: 21 } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      doubled: 42,
      greet: 'hi there',
      other: null,
      prep: 'fixed',
      node: 'fixed',
      items: 1,
      when: '2024-01-02 04:04',
      wf: 'calc',
      exec: 'string',
      today: 10,
      now: true,
      leakedBefore: 'undefined',
      v: 5,
      globals: 'undefined,undefined,undefined,undefined,undefined',
    });
    // globals a run leaves behind are gone before the next run
    const again = await call(`${app.url}/calc`, { body: { n: 1 } });
    expect((again.body as { leakedBefore: string }).leakedBefore).toBe('undefined');
  });

  it('run once for each item: $json and $input.item are the item', async () => {
    const r = await call(`${app.url}/each`, { body: { name: 'ada' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: 'ADA', seen: true });
  });

  it('a thrown error names the node and the line of the code', async () => {
    const r = await call(`${app.url}/calc`, { body: { n: 'throw' } });
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ error: 'node_failed', node: 'js' });
    expect((r.body as { message: string }).message).toBe('JavaScript node js failed: Error: bad n (line 6)');
  });

  it('return values n8n refuses are refused the same way', async () => {
    const none = await call(`${app.url}/calc`, { body: { n: 'none' } });
    expect((none.body as { message: string }).message).toContain("Code doesn't return items properly");
    const two = await call(`${app.url}/calc`, { body: { n: 'two' } });
    expect((two.body as { message: string }).message).toBe('JavaScript node js returned 2 items; a Catalyst workflow handles one item');
  });

  it('an endless loop ends within the time limit and the app keeps serving', async () => {
    const r = await call(`${app.url}/calc`, { body: { n: 'loop' } });
    expect(r.status).toBe(500);
    expect((r.body as { message: string }).message).toBe('JavaScript node js did not finish within 1500 ms (time limit)');
    expect(r.ms).toBeLessThan(6000);
    expect((await call(`${app.url}/health`)).status).toBe(200);
    expect((await call(`${app.url}/calc`, { body: { n: 2 } })).body).toMatchObject({ doubled: 4 });
  });

  it('a memory bomb is contained and the next run gets a fresh context', async () => {
    const r = await call(`${app.url}/bomb`, { body: {} });
    expect(r.status).toBe(500);
    expect((r.body as { message: string }).message).toBe('JavaScript node js used more than 128 MB (memory limit)');
    expect((await call(`${app.url}/health`)).status).toBe(200);
    expect((await call(`${app.url}/calc`, { body: { n: 3 } })).body).toMatchObject({ doubled: 6 });
  });

  it('awaiting a promise is refused (there is no I/O to wait for)', async () => {
    const r = await call(`${app.url}/calc`, { body: { n: 'promise' } });
    expect((r.body as { message: string }).message).toContain('awaiting a promise is not supported');
    // a promise job would run after the time limit has ended: none can be scheduled
    const then = await call(`${app.url}/calc`, { body: { n: 'then' } });
    expect((then.body as { message: string }).message).toContain('promises are not supported');
    expect((await call(`${app.url}/calc`, { body: { n: 4 } })).body).toMatchObject({ doubled: 8 });
  });

  it("require('crypto') signs and hashes as Node's crypto does (sha1, sha256; hex, base64)", async () => {
    for (const [key, text] of [['secret', 'postapi/email-verification2024-01-02t03:04:05.000z'], ['k'.repeat(100), 'héllo ✓ 😀'.repeat(20)], ['', '']]) {
      const r = await call(`${app.url}/sign`, { body: { key, text } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        hmac1: createHmac('sha1', key).update(text).digest('hex'),
        hmac256: createHmac('sha256', key).update(text).update('!').digest('base64'),
        sha256: createHash('sha256').update(text).digest('hex'),
        sha1: createHash('sha1').update(text).digest('base64'),
      });
    }
  });

  it('the generated app lints clean', async () => {
    const ruff = await runAsync(python, ['-m', 'ruff', 'check', '--no-cache', '.'], { cwd: dir });
    expect(ruff.out).toContain('All checks passed');
  });

  it('only apps with JavaScript nodes get the engine, Luxon and the pin', () => {
    expect(files.get('requirements.txt')).toMatch(/^mini-racer==0\.12\.4 /m);
    expect(files.get('catalyst_runtime/luxon.min.js')).toMatch(/^\/\/ Luxon 3\.7\.2 /);
    expect(files.has('catalyst_runtime/js.py')).toBe(true);
  });
});
