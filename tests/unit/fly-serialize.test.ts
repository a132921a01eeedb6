/**
 * The providers as Pulumi really runs them: serialized with `pulumi.runtime.serializeFunction`
 * (what `pulumi.dynamic.Resource` stores in `__provider`), revived from the text in a plain Node
 * process (no vitest loader), and called against the contract fakes. Also: a state written from
 * another checkout (absolute path gone) still finds the implementation relative to the project.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractFake } from '../helpers/contract-fake.ts';
import { startFlyFake, type FlyFakeState } from '../helpers/contract-fake-fly.ts';
import { startRenderFake, type RenderFakeState } from '../helpers/contract-fake-render.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'fo1_serialize-token';
const KEY = 'rnd_serialize-key';
let fly: ContractFake<FlyFakeState>;
let render: ContractFake<RenderFakeState>;

beforeAll(async () => {
  fly = await startFlyFake(TOKEN);
  render = await startRenderFake(KEY);
});
afterAll(async () => {
  await fly.close();
  await render.close();
});

const SCRIPT = `
import * as pulumi from '@pulumi/pulumi';
import rfs from 'require-from-string';
const { flyAppProvider, flyMachinesProvider } = await import(process.env.ROOT + 'src/infra/targets/fly/providers.ts');
const { renderServiceProvider } = await import(process.env.ROOT + 'src/infra/targets/render/providers.ts');
const revive = async (p) => {
  let text = (await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true })).text;
  if (process.env.MOVE) text = text.replaceAll(process.env.ROOT, '/moved/checkout/');
  return { text, provider: rfs(text).handler() };
};
const api = (baseUrl) => ({ baseUrl, maxAttempts: 2, baseDelayMs: 1 });
const app = await revive(flyAppProvider);
const machines = await revive(flyMachinesProvider);
const service = await revive(renderServiceProvider);
const created = await app.provider.create({ api: api(process.env.FLY_URL), token: process.env.TOKEN, appName: process.env.APP, org: 'acme' });
const svc = await service.provider.create({
  api: api(process.env.RENDER_URL), apiKey: process.env.KEY, name: process.env.APP, ownerId: 'tea-1', region: 'oregon', plan: 'starter',
  numInstances: 1, imagePath: 'ghcr.io/acme/app:1', registryCredentialId: null, healthCheckPath: '/health', dockerCommand: null, env: {},
});
await app.provider.delete(created.id, created.outs);
console.log(JSON.stringify({
  texts: [app.text, machines.text, service.text],
  fly: created.outs.appName,
  render: svc.outs.url,
}));
`;

function runNode(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', SCRIPT], { cwd: ROOT, env: { ...process.env, ...env, ROOT } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('serialized providers', () => {
  it.each([
    ['from this checkout', 'serialize-a', ''],
    ['from a state written by another checkout', 'serialize-b', '1'],
  ])('revive and run in plain Node %s', async (_label, appName, move) => {
    const res = await runNode({ FLY_URL: fly.url, RENDER_URL: render.url, TOKEN, KEY, APP: appName, MOVE: move });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { texts: string[]; fly: string; render: string };
    expect(out.fly).toBe(appName);
    expect(out.render).toMatch(new RegExp(`^https://${appName}-\\w+\\.onrender\\.com$`));
    for (const text of out.texts) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(KEY);
      expect(text).not.toMatch(/__vite|vitest/);
      expect(text).toMatch(/infra\/targets\/(fly|render)\/impl\.ts/);
    }
    if (move) expect(out.texts[0]).toContain('/moved/checkout/src/infra/targets/fly/impl.ts');
    expect(fly.violations).toEqual([]);
    expect(render.violations).toEqual([]);
  });
});
