/**
 * Which Pulumi engine Catalyst runs and when the offline settings apply (src/pulumi/engine.ts,
 * docs/engine.md "Which engine"): fake `pulumi` executables on PATH that print a version.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { clearEngineCache, compareVersions, MIN_PULUMI_VERSION, offlineNotice, PULUMI_VERSION, resolveEngine } from '../../src/pulumi/engine.ts';
import { pulumiEnv } from '../../src/pulumi/pulumi.ts';

let root: string;
let repo: string;

function fakePulumi(dir: string, version: string, withHost = true): string {
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, 'pulumi');
  writeFileSync(bin, `#!/bin/sh\n[ "$1" = version ] && echo v${version}\n`);
  chmodSync(bin, 0o755);
  if (withHost) {
    writeFileSync(join(dir, 'pulumi-language-nodejs'), '#!/bin/sh\n');
    chmodSync(join(dir, 'pulumi-language-nodejs'), 0o755);
  }
  return bin;
}

/** A stand-in for the engine scripts/setup-engine.sh builds into <repo>/.tools/pulumi/bin. */
function builtEngine(): string {
  return fakePulumi(join(repo, '.tools', 'pulumi', 'bin'), PULUMI_VERSION);
}

beforeEach(() => {
  clearEngineCache();
  root = mkdtempSync(join(tmpdir(), 'catalyst-engine-'));
  repo = join(root, 'repo');
  mkdirSync(repo);
});
afterEach(() => {
  clearEngineCache();
  rmSync(root, { recursive: true, force: true });
});

describe('engine selection', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('3.276.0', '3.276.0')).toBe(0);
    expect(compareVersions('v3.280.1', '3.276.0')).toBe(1);
    expect(compareVersions('3.99.0', '3.276.0')).toBe(-1);
    expect(compareVersions('4.0.0-alpha', '3.276.0')).toBe(1);
  });

  it('uses a new enough pulumi on PATH and leaves PULUMI_HOME and plugin acquisition alone', () => {
    const bin = fakePulumi(join(root, 'user-bin'), '3.280.0');
    builtEngine(); // present, but only the fallback
    const base = { PATH: `${join(root, 'user-bin')}:/usr/bin:/bin` };
    const e = resolveEngine(repo, base);
    expect(e).toMatchObject({ binary: bin, kind: 'path', version: '3.280.0', offline: false });
    const env = pulumiEnv(repo, 'billing.prod', base);
    expect(env.PULUMI_HOME).toBeUndefined();
    expect(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBeUndefined();
    expect(env.PULUMI_SKIP_UPDATE_CHECK).toBeUndefined();
    expect(env.PATH!.split(':')).not.toContain(join(repo, '.tools', 'pulumi', 'bin'));
    expect(pulumiEnv(repo, 'billing.prod', { ...base, PULUMI_HOME: '/home/u/.pulumi' }).PULUMI_HOME).toBe('/home/u/.pulumi');
    expect(offlineNotice(repo, e, base)).toBeUndefined();
  });

  it('accepts exactly the minimum version', () => {
    fakePulumi(join(root, 'user-bin'), MIN_PULUMI_VERSION);
    expect(resolveEngine(repo, { PATH: join(root, 'user-bin') }).kind).toBe('path');
  });

  it('skips a pulumi older than the minimum, and one without the language host beside it, for the built engine with offline settings', () => {
    fakePulumi(join(root, 'old'), '3.100.0');
    fakePulumi(join(root, 'nohost'), '3.280.0', false);
    const built = builtEngine();
    const base = { PATH: `${join(root, 'old')}:${join(root, 'nohost')}` };
    const e = resolveEngine(repo, base);
    expect(e).toMatchObject({ binary: built, kind: 'built', offline: true });
    expect(e.skipped.join('\n')).toMatch(/old\/pulumi \(v3\.100\.0, older than the v3\.\d+\.\d+ Catalyst needs\)/);
    expect(e.skipped.join('\n')).toMatch(/nohost\/pulumi \(v3\.280\.0, but no pulumi-language-nodejs beside it/);
    const env = pulumiEnv(repo, 'billing.prod', base);
    expect(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe('true');
    expect(env.PULUMI_SKIP_UPDATE_CHECK).toBe('true');
    expect(env.PULUMI_HOME).toBe(join(repo, '.tools', 'pulumi-home'));
    expect(env.PATH!.split(':')[0]).toBe(join(repo, '.tools', 'pulumi', 'bin'));
    expect(offlineNotice(repo, e, base)).toMatch(/^catalyst: offline settings on \(the engine in use is the one scripts\/setup-engine\.sh built\): Pulumi downloads no plugins .*PULUMI_HOME=\.tools\/pulumi-home/);
  });

  it('the built engine found first on PATH (scripts/pulumi-env.sh sourced) is still the built engine', () => {
    fakePulumi(join(root, 'user-bin'), '3.280.0');
    const built = builtEngine();
    const e = resolveEngine(repo, { PATH: `${join(repo, '.tools', 'pulumi', 'bin')}:${join(root, 'user-bin')}` });
    expect(e).toMatchObject({ binary: built, kind: 'built', offline: true });
  });

  it('CATALYST_OFFLINE=1 turns the offline settings on for any engine, CATALYST_OFFLINE=0 off also for the built one', () => {
    fakePulumi(join(root, 'user-bin'), '3.280.0');
    const onUser = { PATH: join(root, 'user-bin'), CATALYST_OFFLINE: '1' };
    expect(resolveEngine(repo, onUser)).toMatchObject({ kind: 'path', offline: true, offlineReason: 'CATALYST_OFFLINE=1' });
    expect(pulumiEnv(repo, undefined, onUser).PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe('true');
    builtEngine();
    const offBuilt = { PATH: '/usr/bin:/bin', CATALYST_OFFLINE: '0' };
    expect(resolveEngine(repo, offBuilt)).toMatchObject({ kind: 'built', offline: false });
    const env = pulumiEnv(repo, undefined, offBuilt);
    expect(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBeUndefined();
    expect(env.PULUMI_HOME).toBeUndefined();
  });

  it('without a usable engine, says why and how to install Pulumi with its installer', () => {
    fakePulumi(join(root, 'old'), '3.100.0');
    expect(() => resolveEngine(repo, { PATH: join(root, 'old') })).toThrow(
      new RegExp(`no usable Pulumi CLI: skipped .*old/pulumi \\(v3\\.100\\.0.*curl -fsSL https://get\\.pulumi\\.com \\| sh -s -- --version ${PULUMI_VERSION.replace(/\./g, '\\.')}.*scripts/setup-engine\\.sh`),
    );
    expect(() => resolveEngine(repo, { PATH: '/nonexistent' })).toThrow(/the Pulumi CLI was not found on PATH; .*get\.pulumi\.com/);
  });

  it('catalyst --version names Catalyst, the SDK and the engine in use', async () => {
    fakePulumi(join(root, 'user-bin'), '3.280.0');
    let out = '';
    const code = await main(['--version'], { cwd: repo, env: { PATH: join(root, 'user-bin') }, stdout: (t) => void (out += t), stderr: () => {} });
    expect(code).toBe(0);
    expect(out).toBe(
      `catalyst 0.1.0\nPulumi SDK @pulumi/pulumi ${PULUMI_VERSION} (needs the pulumi CLI v${MIN_PULUMI_VERSION} or newer)\n` +
        `Pulumi CLI: ${join(root, 'user-bin', 'pulumi')} v3.280.0 (on PATH; offline settings off)\n`,
    );
  });
});
