import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fileBackendDir } from '../../src/pulumi/pulumi.ts';
import {
  deployedCommit,
  fileCheckpoints,
  loadDeployments,
  parseHistory,
  pickOutputs,
  pinnedImage,
  pulumiProjectName,
  stackOutputsOf,
} from '../../src/pulumi/history.ts';
import { PulumiError } from '../../src/pulumi/pulumi.ts';
import { digestOf, fakePulumi, historyEntry, IMAGE_REPO, outputsFor, stateDoc } from '../integration/git-helpers.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('parseHistory', () => {
  it('reads `pulumi stack history --json` entries, newest first, without secrets or messages', () => {
    const data = [
      historyEntry(1, A, { changes: { create: 3, same: 0 } }),
      historyEntry(3, C, { dirty: true, override: `${IMAGE_REPO}@${digestOf(1)}` }),
      historyEntry(2, B, { result: 'failed' }),
      { version: 4, kind: 'refresh', startTime: 'not a date', environment: { 'git.head': 'NOT-HEX' }, result: 'Weird Result!', resourceChanges: { 'bad key': 1, update: -1, same: 2 } },
      'garbage',
      null,
    ];
    const d = parseHistory(data);
    expect(d.map((x) => x.stackVersion)).toEqual([4, 3, 2, 1]);
    expect(d[0]).toMatchObject({ kind: 'refresh', result: 'in-progress', startTime: null, git: { commit: null, branch: null, dirty: null }, resourceChanges: { same: 2 } });
    expect(d[1]).toMatchObject({ kind: 'update', result: 'succeeded', git: { commit: C, branch: 'main', dirty: true }, imageOverride: `${IMAGE_REPO}@${digestOf(1)}` });
    expect(d[2].result).toBe('failed');
    expect(d[3]).toMatchObject({ startTime: '2026-03-01T10:00:00.000Z', endTime: '2026-03-01T10:02:00.000Z', resourceChanges: { create: 3, same: 0 }, imageOverride: null });
    expect(JSON.stringify(d)).not.toMatch(/deploy \d|OPENAI/);
    expect(() => parseHistory({})).toThrow(PulumiError);
  });

  it('ignores a secret imageOverride config value', () => {
    const e = historyEntry(1, A);
    (e.config as Record<string, unknown>)['catalyst:imageOverride'] = { secret: true };
    expect(parseHistory([e])[0].imageOverride).toBeNull();
  });
});

describe('outputs', () => {
  it('picks the contract fields and drops anything malformed or secret', () => {
    const o = pickOutputs(outputsFor(1, A.toUpperCase()));
    expect(o).toEqual({
      target: 'cloudrun',
      imageRef: `${IMAGE_REPO}:${A.toUpperCase().slice(0, 12)}`,
      imageDigest: digestOf(1),
      contentHash: expect.any(String),
      version: { commit: A, branch: 'main', dirty: false },
      rolledBackFrom: null,
    });
    expect(pickOutputs({ imageDigest: 'md5:x', version: { commit: 'zz', dirty: 'no' }, imageRef: { '4dabf18193072939515e22adb298388d': 'x' } })).toEqual({
      target: null,
      imageRef: null,
      imageDigest: null,
      contentHash: null,
      version: { commit: null, branch: null, dirty: null },
      rolledBackFrom: null,
    });
    expect(pickOutputs(null)).toBeNull();
    expect(pickOutputs({ '4dabf18193072939515e22adb298388d': 'x' })).toBeNull();
  });

  it('finds the Stack resource outputs in checkpoints and exports', () => {
    const outs = outputsFor(2, B);
    expect(stackOutputsOf(stateDoc(outs, 'checkpoint'))).toEqual(outs);
    expect(stackOutputsOf(stateDoc(outs, 'export'))).toEqual(outs);
    expect(stackOutputsOf({ version: 3, deployment: { resources: [] } })).toBeNull();
    expect(stackOutputsOf({ version: 3 })).toBeNull();
    expect(stackOutputsOf('x')).toBeNull();
  });

  it('pins an image by digest when it can', () => {
    expect(pinnedImage(pickOutputs({ imageRef: 'r.io/a/b:tag', imageDigest: digestOf(3) }))).toBe(`r.io/a/b@${digestOf(3)}`);
    expect(pinnedImage(pickOutputs({ imageRef: 'localhost:5000/app:tag', imageDigest: digestOf(3) }))).toBe(`localhost:5000/app@${digestOf(3)}`);
    expect(pinnedImage(pickOutputs({ imageRef: 'localhost:5000/app', imageDigest: digestOf(3) }))).toBe(`localhost:5000/app@${digestOf(3)}`);
    expect(pinnedImage(pickOutputs({ imageRef: `r.io/a@${digestOf(4)}`, imageDigest: digestOf(3) }))).toBe(`r.io/a@${digestOf(4)}`);
    expect(pinnedImage(pickOutputs({ imageRef: 'r.io/a:tag' }))).toBe('r.io/a:tag');
    // docker: loaded into the local engine, never pushed; the content-hash tag is what resolves there.
    expect(pinnedImage(pickOutputs({ target: 'docker', imageRef: `catalyst-billing:${'c'.repeat(64)}`, imageDigest: digestOf(3) }))).toBe(`catalyst-billing:${'c'.repeat(64)}`);
    expect(pinnedImage(pickOutputs({ imageRef: null }))).toBeNull();
    expect(pinnedImage(null)).toBeNull();
  });
});

describe('file backend checkpoints', () => {
  it('resolves file:// URLs', () => {
    expect(fileBackendDir('file:///srv/state', '/repo')).toBe('/srv/state');
    expect(fileBackendDir('file://~', '/repo')).toBe(homedir());
    expect(fileBackendDir('file://~/st', '/repo')).toBe(join(homedir(), 'st'));
    expect(fileBackendDir('file://rel/state', '/repo')).toBe('/repo/rel/state');
    expect(fileBackendDir('https://api.pulumi.com', '/repo')).toBeUndefined();
    expect(fileBackendDir(undefined, '/repo')).toBeUndefined();
  });

  it('pairs history files with checkpoints by stack version (plain and gzip)', () => {
    const root = mkdtempSync(join(tmpdir(), 'catalyst-state-'));
    dirs.push(root);
    const dir = join(root, '.pulumi', 'history', 'catalyst', 'support-bot.prod');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'support-bot.prod-100.history.json'), JSON.stringify({ version: 1 }));
    writeFileSync(join(dir, 'support-bot.prod-100.checkpoint.json'), JSON.stringify(stateDoc(outputsFor(1, A), 'checkpoint')));
    writeFileSync(join(dir, 'support-bot.prod-200.history.json.gz'), gzipSync(JSON.stringify({ version: 2 })));
    writeFileSync(join(dir, 'support-bot.prod-200.checkpoint.json.gz'), gzipSync(JSON.stringify(stateDoc(outputsFor(2, B), 'checkpoint'))));
    writeFileSync(join(dir, 'support-bot.prod-300.history.json'), '{not json');
    writeFileSync(join(dir, 'support-bot.prod-300.checkpoint.json'), '{}');
    writeFileSync(join(dir, 'support-bot.prod-400.history.json'), JSON.stringify({ version: 4 }));
    const cps = fileCheckpoints(root, 'support-bot.prod', null);
    // An unreadable history file is still an update (the third); its checkpoint is kept.
    expect([...cps.keys()].sort()).toEqual([1, 2, 3]);
    expect(cps.get(2)).toMatch(/200\.checkpoint\.json\.gz$/);
    expect(fileCheckpoints(root, 'support-bot.prod', 'catalyst').size).toBe(3);
    expect(fileCheckpoints(root, 'nope.prod', 'catalyst').size).toBe(0);
    expect(fileCheckpoints(join(root, 'missing'), 'support-bot.prod', null).size).toBe(0);
  });

  it('reads the Pulumi project name', () => {
    const repo = mkdtempSync(join(tmpdir(), 'catalyst-proj-'));
    dirs.push(repo);
    expect(pulumiProjectName(repo)).toBeNull();
    writeFileSync(join(repo, 'Pulumi.yaml'), 'name: catalyst\nruntime: nodejs\n');
    expect(pulumiProjectName(repo)).toBe('catalyst');
    writeFileSync(join(repo, 'Pulumi.yaml'), 'name: [unclosed\n');
    expect(pulumiProjectName(repo)).toBeNull();
  });
});

describe('loadDeployments', () => {
  const history = { 'support-bot.prod': [historyEntry(1, A), historyEntry(2, B), historyEntry(3, C, { result: 'failed' })] };

  it('joins outputs from the file backend checkpoints', async () => {
    const root = mkdtempSync(join(tmpdir(), 'catalyst-state-'));
    dirs.push(root);
    const dir = join(root, '.pulumi', 'history', 'catalyst', 'support-bot.prod');
    mkdirSync(dir, { recursive: true });
    for (const [v, c] of [[1, A], [2, B]] as const) {
      writeFileSync(join(dir, `support-bot.prod-${v}.history.json`), JSON.stringify({ version: v }));
      writeFileSync(join(dir, `support-bot.prod-${v}.checkpoint.json`), JSON.stringify(stateDoc(outputsFor(v, c), 'checkpoint')));
    }
    writeFileSync(join(dir, 'support-bot.prod-3.history.json'), JSON.stringify({ version: 3 }));
    writeFileSync(join(dir, 'support-bot.prod-3.checkpoint.json'), '{broken');
    const { runner, calls } = fakePulumi({ history });
    const list = await loadDeployments({ runner, repo: root, env: { PULUMI_BACKEND_URL: `file://${root}` } }, 'support-bot.prod');
    expect(list.snapshots).toBe('checkpoints');
    expect(list.deployments.map((d) => [d.stackVersion, pinnedImage(d.outputs)])).toEqual([
      [3, null],
      [2, `${IMAGE_REPO}@${digestOf(2)}`],
      [1, `${IMAGE_REPO}@${digestOf(1)}`],
    ]);
    expect(list.warnings).toEqual([expect.stringMatching(/checkpoint of version 3/)]);
    expect(calls.map((c) => c.args.slice(0, 2))).toEqual([['stack', 'history']]);
    expect(calls[0].args).toEqual(['stack', 'history', '--json', '--stack', 'support-bot.prod', '--page-size', '20', '--non-interactive']);
  });

  it('numbers the updates of a real file backend (Pulumi records version 0 there) and pairs them by start time', async () => {
    const root = mkdtempSync(join(tmpdir(), 'catalyst-state-'));
    dirs.push(root);
    const dir = join(root, '.pulumi', 'history', 'catalyst', 'support-bot.prod');
    mkdirSync(dir, { recursive: true });
    // What pulumi 3.274 writes: `<stack>-<unix ns>` names, version 0, startTime in Unix seconds.
    const diy: Record<string, unknown>[] = [historyEntry(1, A), historyEntry(2, B), historyEntry(3, C, { result: 'failed' })].map((e) => ({ ...e, version: 0 }));
    const ns = ['999999999000000000', '1795667517023408428', '1795667528755253884']; // sorted as numbers, not as text
    diy.forEach((e, i) => {
      const base = join(dir, `support-bot.prod-${ns[i]}`);
      writeFileSync(`${base}.history.json`, JSON.stringify({ version: 0, kind: 'update', startTime: Date.parse(String(e.startTime)) / 1000, result: e.result }));
      if (i < 2) writeFileSync(`${base}.checkpoint.json`, JSON.stringify(stateDoc(outputsFor(i + 1, [A, B][i]), 'checkpoint')));
    });
    expect(parseHistory(diy).map((d) => d.stackVersion)).toEqual([null, null, null]);
    const { runner } = fakePulumi({ history: { 'support-bot.prod': diy } });
    const list = await loadDeployments({ runner, repo: root, env: { PULUMI_BACKEND_URL: `file://${root}` } }, 'support-bot.prod');
    expect(list.deployments.map((d) => [d.stackVersion, deployedCommit(d), pinnedImage(d.outputs)])).toEqual([
      [3, C, null],
      [2, B, `${IMAGE_REPO}@${digestOf(2)}`],
      [1, A, `${IMAGE_REPO}@${digestOf(1)}`],
    ]);
    expect(list.warnings).toEqual([]);
  });

  it('exports earlier versions from other backends, and falls back to the current outputs', async () => {
    const exports = { 'support-bot.prod': { 1: stateDoc(outputsFor(1, A), 'export'), 2: stateDoc(outputsFor(2, B), 'export') } };
    const { runner, calls } = fakePulumi({ history, exports });
    const p = { runner, repo: '/r', env: { PULUMI_BACKEND_URL: 'https://api.pulumi.com' } };
    const list = await loadDeployments(p, 'support-bot.prod', { limit: 2 });
    expect(list.snapshots).toBe('export');
    expect(list.deployments.map((d) => deployedCommit(d))).toEqual([C, B]);
    expect(calls.filter((c) => c.args[1] === 'export').map((c) => c.args)).toEqual([['stack', 'export', '--stack', 'support-bot.prod', '--version', '2', '--non-interactive']]);

    const diy = fakePulumi({ history: { s: [historyEntry(1, A), historyEntry(2, B)] }, noExport: true, outputs: { s: outputsFor(2, B) } });
    const l2 = await loadDeployments({ runner: diy.runner, repo: '/r', env: { PULUMI_BACKEND_URL: 's3://bucket' } }, 's');
    expect(l2.snapshots).toBe('current');
    expect(l2.warnings[0]).toMatch(/outputs of earlier versions are unavailable: pulumi stack export failed: the current backend \(diy\) does not provide/);
    expect(pinnedImage(l2.deployments[0].outputs)).toBe(`${IMAGE_REPO}@${digestOf(2)}`);
    expect(l2.deployments[1].outputs).toBeNull();
  });

  it('reports pulumi failures and bad output clearly', async () => {
    const { runner } = fakePulumi({});
    await expect(loadDeployments({ runner, repo: '/r', env: {} }, 'nope.prod')).rejects.toThrow("pulumi stack history failed: no stack named 'nope.prod' found");
    const garbage = async () => ({ code: 0, stdout: 'not json', stderr: '' });
    await expect(loadDeployments({ runner: garbage, repo: '/r', env: {} }, 's')).rejects.toThrow('pulumi stack history printed no JSON');
    const empty = fakePulumi({ history: { s: [] } });
    expect((await loadDeployments({ runner: empty.runner, repo: '/r', env: {} }, 's')).deployments).toEqual([]);
    const noOutputs = fakePulumi({ history });
    const l = await loadDeployments({ runner: noOutputs.runner, repo: '/r', env: {} }, 'support-bot.prod', { outputs: false });
    expect(l.snapshots).toBe('none');
    expect(noOutputs.calls).toHaveLength(1);
  });
});
