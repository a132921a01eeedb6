/**
 * The Railway providers as Pulumi runs them: serialized with `pulumi.runtime.serializeFunction`,
 * revived from the text in a plain Node process (no vitest loader), and run against the Railway
 * contract fake, also with the checkout path rewritten (a state written by another checkout).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { railwayStateSize, startRailwayFake, type RailwayFake } from '../helpers/contract-fake-railway.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'rw-serialize-token-0c';
let fake: RailwayFake;

beforeAll(async () => {
  fake = await startRailwayFake(TOKEN);
});
afterAll(async () => {
  await fake.close();
});

const SCRIPT = `
import * as pulumi from '@pulumi/pulumi';
import rfs from 'require-from-string';
const { railwayProjectProvider, railwayVariablesProvider } = await import(process.env.ROOT + 'src/infra/targets/railway/providers.ts');
const revive = async (p) => {
  let text = (await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true })).text;
  if (process.env.MOVE) text = text.replaceAll(process.env.ROOT, '/moved/checkout/');
  return { text, provider: rfs(text).handler() };
};
const api = { baseUrl: process.env.URL, maxAttempts: 2, baseDelayMs: 1 };
const project = await revive(railwayProjectProvider);
const variables = await revive(railwayVariablesProvider);
const created = await project.provider.create({ api, token: process.env.TOKEN, name: process.env.NAME, environment: 'prod', workspaceId: null, stack: 'x.prod' });
const diff = await variables.provider.diff('v', { projectId: 'p', environmentId: 'e', serviceId: 's', api, token: process.env.TOKEN, plainKeys: [], secretKeys: [], salt: 'a', digest: 'b' },
  { projectId: 'p', environmentId: 'e', serviceId: 's', api, token: process.env.TOKEN, plain: {}, secret: {} });
await project.provider.delete(created.id, created.outs);
console.log(JSON.stringify({ texts: [project.text, variables.text], outs: created.outs, diff }));
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

describe('serialized railway providers', () => {
  it.each([
    ['from this checkout', 'serialize-a', ''],
    ['from a state written by another checkout', 'serialize-b', '1'],
  ])('revive and run in plain Node %s', async (_label, name, move) => {
    const res = await runNode({ URL: fake.url, TOKEN, NAME: name, MOVE: move });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { texts: string[]; outs: { name: string; projectCreated: boolean }; diff: { changes: boolean } };
    expect(out.outs).toMatchObject({ name, projectCreated: true });
    expect(out.diff.changes).toBe(true);
    expect(out.texts[0]).toMatch(/infra\/targets\/railway\/impl\.ts/);
    expect(out.texts[1]).toMatch(/infra\/targets\/railway\/impl-deploy\.ts/);
    for (const text of out.texts) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toMatch(/__vite|vitest/);
    }
    if (move) expect(out.texts[0]).toContain('/moved/checkout/src/infra/targets/railway/impl.ts');
    expect(railwayStateSize(fake.state)).toBe(0);
    expect(fake.violations).toEqual([]);
  });
});
