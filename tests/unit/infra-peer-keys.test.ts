/**
 * Cross-project call authentication in the Pulumi program, under mocks (docs/security.md,
 * "Cross-project calls"): the callee's `catalyst:peerKey` is checked by the preflight, reaches its app
 * as a secret env var and is exported as a secret `peerKey` output; the caller reads that output
 * through its StackReference (still secret; the URL stays plain) into its app's secret env; a callee
 * stack without the output stops the caller's update naming what to do. No key in plain text anywhere.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { readStackConfig, type RawStackConfig } from '../../src/infra/config.ts';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { TARGETS } from '../../src/infra/targets/index.ts';
import type { Target } from '../../src/infra/targets/types.ts';
import type { ProgramDeps } from '../../src/infra/program.ts';
import { stackOutputsSchema } from '../../src/contracts/outputs.ts';
import { installMocks, peerStacks, plainStrings, registered, resolveOutputs, settle, tempRoot, unwrap } from './helpers/infra-mocks.ts';

const KEY = 'pk-PLANTED-current-9d2e71';
const OLD = 'pk-PLANTED-previous-40ab3c';
const TOKEN = 'tk-PLANTED-vault-55f0e2';
const GIT = { commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', dirty: false, isRepo: true };

const FILES: Record<string, string> = {
  'vault/project.yaml': 'catalyst: 1\nname: vault\nsecrets:\n  VAULT_TOKEN: bearer token of the public routes\n',
  'vault/workflows/balance.yaml':
    'catalyst: 1\nname: balance\nvisibility: public\nauth: { type: bearer, secrets: [VAULT_TOKEN] }\ntrigger: { type: webhook, method: POST, path: /balance }\nnodes:\n  - id: out\n    type: respond\n    body: { balance: 42 }\n',
  'desk/project.yaml': 'catalyst: 1\nname: desk\n',
  'desk/workflows/ask.yaml':
    'catalyst: 1\nname: ask\nvisibility: public\nauth: none\ntrigger: { type: webhook, method: POST, path: /ask }\nnodes:\n  - id: bal\n    type: workflowCall\n    workflow: vault/balance\n    input: {}\n',
};

installMocks('vault.dev');
let program: typeof import('../../src/infra/program.ts');
let root: string;
beforeAll(async () => {
  program = await import('../../src/infra/program.ts');
  root = tempRoot();
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(join(root, 'projects', rel, '..'), { recursive: true });
    writeFileSync(join(root, 'projects', rel), text);
  }
});
beforeEach(() => {
  registered.length = 0;
  peerStacks.clear();
});

function raw(stack: string, values: Record<string, unknown>, secrets: Record<string, string> = {}, short: string[] = []): RawStackConfig {
  const v: Record<string, unknown> = { ...values };
  for (const [k, s] of Object.entries(secrets)) v[k] = pulumi.secret(s);
  return { stack, values: v, secretKeys: Object.keys(secrets), shortSecretKeys: short };
}

function deps(config: RawStackConfig): ProgramDeps {
  return { root, generate: generateApp, write: writeApp, raw: config, pulumiProject: 'catalyst', readGit: () => GIT, readSource: () => null };
}

async function run(stack: string, config: RawStackConfig) {
  installMocks(stack);
  const outputs = await program.runCatalyst(deps(config));
  const resolved = await resolveOutputs(outputs);
  await settle();
  return { outputs, resolved };
}

const localApp = () => {
  const apps = registered.filter((r) => r.type === 'pulumi-nodejs:dynamic/catalyst:LocalApp');
  expect(apps).toHaveLength(1);
  return apps[0];
};

function expectNoKeyInPlainText(resolved: Record<string, unknown>, allowedOutput: boolean): void {
  for (const r of registered) for (const { path, text } of plainStrings(r.inputs)) for (const k of [KEY, OLD, TOKEN]) expect(text.includes(k), `${r.type} ${r.name} ${path}`).toBe(false);
  const { peerKey, ...rest } = resolved;
  for (const k of [KEY, OLD, TOKEN]) expect(JSON.stringify(rest)).not.toContain(k);
  if (!allowedOutput) expect(peerKey).toBeNull();
}

describe('the callee (vault: another project calls its authenticated workflow)', () => {
  it('hands catalyst:peerKey and peerKeyPrevious to its app as secret env and exports the current key as a secret output', async () => {
    const { outputs, resolved } = await run('vault.dev', raw('vault.dev', { target: 'local' }, { VAULT_TOKEN: TOKEN, peerKey: KEY, peerKeyPrevious: OLD }));
    const app = localApp();
    expect(app.secretProps).toContain('secretEnv');
    expect(unwrap(app.inputs.secretEnv)).toEqual({ CATALYST_PEER_KEY: KEY, CATALYST_PEER_KEY_PREVIOUS: OLD, VAULT_TOKEN: TOKEN });
    expect(resolved.peerKey).toBe(KEY);
    expect(await (outputs.peerKey as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(stackOutputsSchema.safeParse(resolved).error?.issues ?? []).toEqual([]);
    expectNoKeyInPlainText(resolved, true);
  });

  it('preflight: the key is required, must be a secret and long enough; every problem with its fix', async () => {
    const fail = (config: RawStackConfig) =>
      program.runCatalyst(deps(config)).then(
        () => null,
        (e: Error) => e,
      );
    installMocks('vault.dev');
    const missing = await fail(raw('vault.dev', { target: 'local' }, { VAULT_TOKEN: TOKEN }));
    expect(missing?.message).toContain(
      '  - catalyst:peerKey: other projects call balance of project vault (auth other than none), so the stack needs the peer key they present; it is not set\n' +
        '      fix: pulumi config set --secret catalyst:peerKey --stack vault.dev (a random value of at least 32 characters, e.g. from: openssl rand -hex 32)',
    );
    const plain = await fail(raw('vault.dev', { target: 'local', peerKey: KEY }, { VAULT_TOKEN: TOKEN }));
    expect(plain?.message).toContain('catalyst:peerKey: is a secret, but the stack config holds it in plain text\n      fix: pulumi config rm catalyst:peerKey --stack vault.dev; pulumi config set --secret catalyst:peerKey --stack vault.dev');
    expect(plain?.message).not.toContain(KEY);
    const short = await fail(raw('vault.dev', { target: 'local' }, { VAULT_TOKEN: TOKEN, peerKey: 'Zq7!x', peerKeyPrevious: 'Yp6?w' }, ['peerKey', 'peerKeyPrevious']));
    expect(short?.message).toContain('catalyst:peerKey: is shorter than 8 characters');
    expect(short?.message).toContain('catalyst:peerKeyPrevious: is shorter than 8 characters');
    expect(short?.message).not.toMatch(/Zq7|Yp6/);
    await settle();
    expect(registered).toEqual([]);
  });

  it('a project nobody calls with a key exports null, passes no key of its own to its app, and warns about a set one', async () => {
    peerStacks.set('organization/catalyst/vault.dev', { url: 'http://127.0.0.1:23456/', peerKey: KEY, target: 'local' });
    const { resolved } = await run('desk.dev', raw('desk.dev', { target: 'local' }, { peerKey: OLD }));
    expect(resolved.peerKey).toBeNull();
    expect(Object.keys(unwrap(localApp().inputs.secretEnv) as object)).toEqual(['CATALYST_PEER_VAULT_KEY']);
    expectNoKeyInPlainText(resolved, false);
    const { project, workspace } = loadProjectModel('desk', { cwd: root });
    const r = readStackConfig(raw('desk.dev', { target: 'local' }, { peerKey: OLD }), { targets: TARGETS as Record<string, Target<any>>, loadProject: () => ({ project, workspace }) });
    expect(r.ok && r.warnings).toEqual([
      'catalyst:peerKey is set, but no other project calls an authenticated workflow of project desk, so nothing uses it; if that stays so: pulumi config rm catalyst:peerKey --stack desk.dev',
    ]);
  });
});

describe('the caller (desk)', () => {
  it("reads the callee's secret peerKey output by StackReference into its app's secret env; the URL stays plain", async () => {
    peerStacks.set('organization/catalyst/vault.dev', { url: 'http://127.0.0.1:23456/', peerKey: KEY, target: 'local' });
    const { resolved } = await run('desk.dev', raw('desk.dev', { target: 'local' }));
    const ref = registered.find((r) => r.type === 'pulumi:pulumi:StackReference');
    expect(ref?.name).toBe('desk-peer-vault');
    const app = localApp();
    expect(unwrap(app.inputs.secretEnv)).toEqual({ CATALYST_PEER_VAULT_KEY: KEY });
    expect(app.secretProps).toContain('secretEnv');
    expect(app.secretProps).not.toContain('env');
    expect((unwrap(app.inputs.env) as Record<string, string>).CATALYST_PEER_VAULT_URL).toBe('http://127.0.0.1:23456');
    expect(resolved.peerKey).toBeNull();
    expectNoKeyInPlainText(resolved, false);
  });

  it('stops when the callee stack exports no usable peerKey, naming the commands, never a value', async () => {
    const peers = await import('../../src/infra/peers.ts');
    for (const value of [undefined, null, 42, 'Zq7!x']) {
      let err: Error | null = null;
      try {
        peers.peerKeyFromOutput(value, 'desk', 'vault', 'dev', 'organization/catalyst/vault.dev');
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toBe(
        'project desk calls authenticated workflows of project vault, but stack organization/catalyst/vault.dev exports no "peerKey". ' +
          'Set it and deploy vault.dev first: pulumi config set --secret catalyst:peerKey --stack vault.dev; pulumi up --stack vault.dev (or `catalyst up --env dev`, which deploys callees first)',
      );
      expect(pulumi.RunError.isInstance(err)).toBe(true);
    }
    expect(pulumi.isUnknown(peers.peerKeyFromOutput(undefined, 'desk', 'vault', 'dev', 'o/c/vault.dev', true))).toBe(true);
    expect(peers.peerKeyFromOutput(KEY, 'desk', 'vault', 'dev', 'o/c/vault.dev')).toBe(KEY);
  });
});

