import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PulumiError, type PulumiRunner } from '../../src/pulumi/pulumi.ts';
import { backendStacks, renameBackendStack } from '../../src/pulumi/stacks.ts';
import { cleanupTemp, tempDir } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

const printing = (stdout: string, code = 0, calls: { args: string[]; env: NodeJS.ProcessEnv }[] = []): PulumiRunner => async (args, o) => (calls.push({ args, env: o.env }), { code, stdout, stderr: code ? 'error: no backend' : '' });

describe('backendStacks (pulumi stack ls --json)', () => {
  it("reads the project's stacks: short names, resource counts, running updates", async () => {
    const repo = tempDir();
    mkdirSync(join(repo, '.pulumi-state'));
    const calls: { args: string[]; env: NodeJS.ProcessEnv }[] = [];
    const out = JSON.stringify([
      { name: 'billing.prod', current: true, resourceCount: 9 },
      { name: 'acme/catalyst/billing.dev', resourceCount: 0, updateInProgress: true },
      { name: 'billing.new' },
      { nope: 1 },
      null,
    ]);
    expect(await backendStacks(() => printing(out, 0, calls), repo, {})).toEqual([
      { name: 'billing.prod', resourceCount: 9 },
      { name: 'billing.dev', resourceCount: 0, updateInProgress: true },
      { name: 'billing.new' },
    ]);
    expect(calls.map((c) => c.args)).toEqual([['stack', 'ls', '--json']]);
    expect(calls[0].env.PULUMI_BACKEND_URL).toBe(`file://${join(repo, '.pulumi-state')}`);
  });

  it('a file backend without its directory holds nothing: Pulumi is not asked for, nothing is created', async () => {
    const repo = tempDir();
    const none = () => {
      throw new Error('no runner needed');
    };
    expect(await backendStacks(none, repo, {})).toEqual([]);
    expect(await backendStacks(none, repo, { PULUMI_BACKEND_URL: `file://${join(repo, 'elsewhere')}` })).toEqual([]);
    // Any other backend is asked.
    expect(await backendStacks(() => printing('[]'), repo, { PULUMI_BACKEND_URL: 'https://api.pulumi.com' })).toEqual([]);
  });

  it('a failing or unreadable stack ls is a PulumiError', async () => {
    const repo = tempDir();
    mkdirSync(join(repo, '.pulumi-state'));
    await expect(backendStacks(() => printing('', 255), repo, {})).rejects.toThrow(new PulumiError('pulumi stack ls failed: error: no backend'));
    await expect(backendStacks(() => printing('warning: something\n[]'), repo, {})).rejects.toThrow(/^pulumi stack ls --json printed no list of stacks: warning: something/);
    await expect(backendStacks(() => printing('{"name":"x"}'), repo, {})).rejects.toThrow(PulumiError);
  });

  it('renameBackendStack runs pulumi stack rename with the environment of the old stack', async () => {
    const repo = tempDir();
    const calls: { args: string[]; env: NodeJS.ProcessEnv }[] = [];
    await renameBackendStack(printing('', 0, calls), repo, {}, 'billing.local', 'shop.local');
    expect(calls[0].args).toEqual(['stack', 'rename', 'shop.local', '--stack', 'billing.local', '--non-interactive']);
    expect(calls[0].env.PULUMI_CONFIG_PASSPHRASE).toBe('catalyst-local-dev');
  });
});
