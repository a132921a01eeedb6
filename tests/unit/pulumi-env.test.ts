import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runnerFactory } from '../../src/cli/commands/env.ts';
import { LOCAL_DEV_PASSPHRASE, pulumiEnv, type PulumiRunner } from '../../src/pulumi/pulumi.ts';
import { listStackFiles } from '../../src/contracts/stack-name.ts';

const repoRoot = join(import.meta.dirname, '..', '..');

interface Call {
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** `otherProjects`: stacks of other Pulumi projects in the same backend, which `pulumi stack ls` lists only with --all. */
function fakeRunner(calls: Call[], opts: { existing?: string[]; otherProjects?: string[]; failOn?: string; outputs?: Record<string, unknown> } = {}): PulumiRunner {
  return async (args, o) => {
    calls.push({ args, env: o.env });
    if (args[0] === 'stack' && args[1] === 'ls') {
      const names = [...(opts.existing ?? []), ...(args.includes('--all') ? (opts.otherProjects ?? []) : [])];
      return { code: 0, stdout: JSON.stringify(names.map((name) => ({ name }))), stderr: '' };
    }
    const stack = args[args.indexOf('--stack') + 1];
    if (opts.failOn && stack === opts.failOn && args[0] !== 'stack') return { code: 255, stdout: '', stderr: 'boom' };
    if (args[0] === 'stack' && args[1] === 'output') return { code: 0, stdout: JSON.stringify(opts.outputs?.[stack] ?? { url: `http://${stack}` }), stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  };
}

describe('catalyst up/preview/down/outputs --env', () => {
  let repo: string;
  let out: string;
  let err: string;
  const original = runnerFactory.create;
  const ctx = () => ({ cwd: repo, stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), env: { PATH: process.env.PATH } });

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'catalyst-env-'));
    cpSync(join(repoRoot, 'projects'), join(repo, 'projects'), { recursive: true });
    mkdirSync(join(repo, 'stacks'));
    for (const s of ['support-bot.local', 'billing.local', 'billing.prod']) writeFileSync(join(repo, 'stacks', `Pulumi.${s}.yaml`), 'config:\n  catalyst:target: local\n');
    out = '';
    err = '';
  });
  afterEach(() => {
    runnerFactory.create = original;
    rmSync(repo, { recursive: true, force: true });
  });

  it('lists stacks from stacks/ by file name', () => {
    expect(listStackFiles(repo).map((s) => s.name)).toEqual(['billing.local', 'billing.prod', 'support-bot.local']);
  });

  it('a stack of the same name in another Pulumi project of the backend does not count as existing', async () => {
    const calls: Call[] = [];
    runnerFactory.create = () => fakeRunner(calls, { existing: ['organization/catalyst/billing.local'], otherProjects: ['organization/other/support-bot.local'] });
    expect(await main(['up', '--env', 'local'], ctx())).toBe(0);
    const inits = calls.filter((c) => c.args[0] === 'stack' && c.args[1] === 'init').map((c) => c.args[2]);
    expect(inits).toEqual(['support-bot.local']);
  });

  it('deploys callees first, creating missing stacks, with the dev passphrase only for local stacks', async () => {
    const calls: Call[] = [];
    runnerFactory.create = () => fakeRunner(calls, { existing: ['organization/catalyst/billing.local'] });
    expect(await main(['up', '--env', 'local'], ctx())).toBe(0);
    const ups = calls.filter((c) => c.args[0] === 'up').map((c) => c.args[c.args.indexOf('--stack') + 1]);
    expect(ups).toEqual(['billing.local', 'support-bot.local']);
    const inits = calls.filter((c) => c.args[0] === 'stack' && c.args[1] === 'init').map((c) => c.args[2]);
    expect(inits).toEqual(['support-bot.local']);
    for (const c of calls.filter((x) => x.args[0] === 'up')) {
      expect(c.env.PULUMI_CONFIG_PASSPHRASE).toBe(LOCAL_DEV_PASSPHRASE);
      expect(c.env.PULUMI_BACKEND_URL).toBe(`file://${join(repo, '.pulumi-state')}`);
      // No engine here and no CATALYST_OFFLINE: the user's Pulumi settings are left as they are.
      expect(c.env.PULUMI_SKIP_UPDATE_CHECK).toBeUndefined();
      expect(c.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBeUndefined();
      expect(c.env.PULUMI_HOME).toBeUndefined();
    }
    expect(err).toMatch(/updated: billing\.local, support-bot\.local/);
  });

  it('never sets the development passphrase for non-local stacks', () => {
    expect(pulumiEnv(repo, 'billing.prod', {}).PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(pulumiEnv(repo, 'billing.local', { PULUMI_CONFIG_PASSPHRASE: 'mine' }).PULUMI_CONFIG_PASSPHRASE).toBe('mine');
  });

  it('stops at the first failure and says what was and was not updated', async () => {
    const calls: Call[] = [];
    runnerFactory.create = () => fakeRunner(calls, { existing: ['billing.local', 'support-bot.local'], failOn: 'billing.local' });
    expect(await main(['up', '--env', 'local'], ctx())).toBe(1);
    expect(calls.filter((c) => c.args[0] === 'up')).toHaveLength(1);
    expect(err).toMatch(/FAILED: billing\.local; not attempted: support-bot\.local/);
  });

  it('destroys callers first and skips stacks that were never deployed', async () => {
    const calls: Call[] = [];
    runnerFactory.create = () => fakeRunner(calls, { existing: ['support-bot.local'] });
    expect(await main(['down', '--env', 'local'], ctx())).toBe(0);
    expect(calls.filter((c) => c.args[0] === 'destroy').map((c) => c.args[c.args.indexOf('--stack') + 1])).toEqual(['support-bot.local']);
    expect(err).toMatch(/billing\.local: not deployed/);
  });

  it('passes --expect-no-changes to preview', async () => {
    const calls: Call[] = [];
    runnerFactory.create = () => fakeRunner(calls, { existing: ['billing.local', 'support-bot.local'] });
    expect(await main(['preview', '--env', 'local', '--expect-no-changes'], ctx())).toBe(0);
    const previews = calls.filter((c) => c.args[0] === 'preview');
    expect(previews).toHaveLength(2);
    for (const p of previews) expect(p.args).toContain('--expect-no-changes');
  });

  it('prints every stack output as one object keyed by stack', async () => {
    const calls: Call[] = [];
    runnerFactory.create = () => fakeRunner(calls, { existing: ['billing.local', 'support-bot.local'], outputs: { 'billing.local': { url: 'http://127.0.0.1:1' } } });
    expect(await main(['outputs', '--env', 'local', '--json'], ctx())).toBe(0);
    expect(JSON.parse(out)).toEqual({ 'billing.local': { url: 'http://127.0.0.1:1' }, 'support-bot.local': { url: 'http://support-bot.local' } });
  });

  it('refuses an environment where a called project has no stack', async () => {
    runnerFactory.create = () => fakeRunner([]);
    writeFileSync(join(repo, 'stacks', 'Pulumi.support-bot.staging.yaml'), 'config: {}\n');
    expect(await main(['up', '--env', 'staging'], ctx())).toBe(1);
    expect(err).toMatch(/support-bot\.staging calls project "billing", but there is no stack billing\.staging/);
  });

  it('stops at an interrupted pulumi (Ctrl-C) with exit 130 and says how to finish', async () => {
    const calls: Call[] = [];
    const base = fakeRunner(calls, { existing: ['billing.local', 'support-bot.local'] });
    runnerFactory.create = () => async (args, o) => (args[0] === 'up' ? { code: 255, stdout: '', stderr: 'error: update canceled', interrupted: 'SIGINT' as const } : base(args, o));
    expect(await main(['up', '--env', 'local'], ctx())).toBe(130);
    expect(err).toMatch(/INTERRUPTED: billing\.local; not attempted: support-bot\.local/);
    expect(err).toMatch(/run `catalyst up --env local` again to finish/);
  });

  it('requires --env', async () => {
    expect(await main(['up'], ctx())).toBe(2);
    expect(err).toMatch(/--env is required/);
  });
});
