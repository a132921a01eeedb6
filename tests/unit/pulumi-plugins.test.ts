/**
 * Provider plugins (src/pulumi/plugins.ts): which ones the program needs, `catalyst setup` over a
 * fake Pulumi runner, and recognizing Pulumi's "plugin not obtained" errors. The same paths run with
 * the real engine in tests/e2e/plugins-stack-files.test.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runnerFactory, type PulumiRunner } from '../../src/pulumi/pulumi.ts';
import { clearEngineCache } from '../../src/pulumi/engine.ts';
import { missingPlugin, PluginError, requiredPlugins } from '../../src/pulumi/plugins.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const original = runnerFactory.create;
const dirs: string[] = [];
afterEach(() => {
  runnerFactory.create = original;
  clearEngineCache();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the plugins the program needs', () => {
  it('are the resource plugins of the @pulumi/* dependencies, at the pinned versions (none for @pulumi/command, which is gone)', () => {
    expect(requiredPlugins(ROOT)).toEqual([
      { name: 'docker', version: PKG.dependencies['@pulumi/docker'], pkg: '@pulumi/docker' },
      { name: 'docker-build', version: PKG.dependencies['@pulumi/docker-build'], pkg: '@pulumi/docker-build' },
      { name: 'gcp', version: PKG.dependencies['@pulumi/gcp'], pkg: '@pulumi/gcp' },
    ]);
    expect(PKG.dependencies['@pulumi/command']).toBeUndefined();
  });

  it('refuses an installed package whose plugin version differs from the pin, and a missing node_modules', () => {
    const d = mkdtempSync(join(tmpdir(), 'catalyst-plugins-'));
    dirs.push(d);
    writeFileSync(join(d, 'package.json'), JSON.stringify({ dependencies: { '@pulumi/gcp': '9.37.0' } }));
    expect(() => requiredPlugins(d)).toThrow(/@pulumi\/gcp is not installed .*run `npm install` first/);
    mkdirSync(join(d, 'node_modules', '@pulumi', 'gcp'), { recursive: true });
    writeFileSync(join(d, 'node_modules', '@pulumi', 'gcp', 'package.json'), JSON.stringify({ pulumi: { resource: true, name: 'gcp', version: '9.1.0' } }));
    expect(() => requiredPlugins(d)).toThrow('node_modules/@pulumi/gcp declares plugin version 9.1.0, but package.json pins 9.37.0: run `npm ci`');
  });

  it("recognizes Pulumi's errors for a plugin it could not get (download refused, acquisition off)", () => {
    const pins = requiredPlugins(ROOT);
    const refused =
      "error: Could not automatically download and install resource plugin 'pulumi-resource-docker-build' at version v0.0.22, install the plugin using `pulumi plugin install resource docker-build v0.0.22`: " +
      'error downloading provider docker-build to file: failed to download plugin: docker-build-0.0.22: 403 HTTP error fetching plugin from http://127.0.0.1:1/plugins/pulumi-resource-docker-build-v0.0.22-linux-amd64.tar.gz';
    expect(missingPlugin(refused, pins)).toEqual({ name: 'docker-build', version: '0.0.22', pkg: '@pulumi/docker-build' });
    expect(missingPlugin("error: no resource plugin 'pulumi-resource-gcp' found in the workspace at version v9.37.0 or on your $PATH", pins)).toEqual(pins[2]);
    expect(missingPlugin('error: failed to download plugin: docker-5.2.0: 404', pins)).toEqual(pins[0]);
    expect(missingPlugin('error: update failed: 1 resource errored', pins)).toBeUndefined();
    expect(new PluginError(pins[2], '').message).toBe(
      'the Pulumi plugin gcp v9.37.0 (needed by @pulumi/gcp) could not be obtained. Get it with `pulumi plugin install resource gcp 9.37.0` (`catalyst setup` installs every plugin), or see docs/engine.md ("Plugins")',
    );
  });
});

describe('catalyst setup', () => {
  function repo(): string {
    const d = mkdtempSync(join(tmpdir(), 'catalyst-setup-'));
    dirs.push(d);
    cpSync(join(ROOT, 'package.json'), join(d, 'package.json'));
    // A stand-in engine (a regular file at the built engine's place) and the real node_modules.
    mkdirSync(join(d, '.tools', 'pulumi', 'bin'), { recursive: true });
    writeFileSync(join(d, '.tools', 'pulumi', 'bin', 'pulumi'), '#!/bin/sh\necho v3.276.0\n', { mode: 0o755 });
    symlinkSync(join(ROOT, 'node_modules'), join(d, 'node_modules'));
    return d;
  }

  it('installs every pinned plugin with pulumi plugin install', async () => {
    const d = repo();
    const calls: string[][] = [];
    runnerFactory.create = (): PulumiRunner => async (args) => (calls.push(args), { code: 0, stdout: '', stderr: '' });
    let out = '';
    const code = await main(['setup'], { cwd: d, env: { PATH: '/usr/bin:/bin' }, stdout: (t) => void (out += t), stderr: () => {} });
    expect(code).toBe(0);
    expect(calls).toEqual(requiredPlugins(ROOT).map((p) => ['plugin', 'install', 'resource', p.name, p.version]));
    expect(out).toMatch(/ready: docker 5\.2\.0, docker-build 0\.0\.22, gcp 9\.37\.0/);
  });

  it('names each plugin it cannot get with its version and command, once, and exits 1', async () => {
    const d = repo();
    runnerFactory.create = (): PulumiRunner => async (args) =>
      args[3] === 'gcp' ? { code: 255, stdout: '', stderr: 'error: [resource plugin gcp-9.37.0] downloading: dial tcp: lookup get.pulumi.com on 127.0.0.53:53: no such host\n' } : { code: 0, stdout: '', stderr: '' };
    let err = '';
    const code = await main(['setup'], { cwd: d, env: { PATH: '/usr/bin:/bin' }, stdout: () => {}, stderr: (t) => void (err += t) });
    expect(code).toBe(1);
    expect(err.trim().split('\n').filter((l) => l.startsWith('catalyst setup:'))).toEqual([
      'catalyst setup: the Pulumi plugin gcp v9.37.0 (needed by @pulumi/gcp) could not be obtained: cannot resolve get.pulumi.com (no network?). Get it with `pulumi plugin install resource gcp 9.37.0` (`catalyst setup` installs every plugin), or see docs/engine.md ("Plugins")',
    ]);
    expect(err).toMatch(/^catalyst: offline settings on \(the engine in use is the one scripts\/setup-engine\.sh built\)/);
  });

  it('without any engine, says how to install Pulumi', async () => {
    const d = mkdtempSync(join(tmpdir(), 'catalyst-setup-'));
    dirs.push(d);
    let err = '';
    const code = await main(['setup'], { cwd: d, env: { PATH: '/nonexistent' }, stdout: () => {}, stderr: (t) => void (err += t) });
    expect(code).toBe(1);
    expect(err).toMatch(/^catalyst setup: the Pulumi CLI was not found on PATH; .*curl -fsSL https:\/\/get\.pulumi\.com/);
  });
});
