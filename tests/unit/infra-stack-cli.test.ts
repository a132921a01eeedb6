/** `catalyst stack init`: writes a validated stack file, prints the secret commands, never half-writes. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { kebab, scalar, stackDocument } from '../../src/cli/commands/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
function repo(): string {
  const d = mkdtempSync(join(tmpdir(), 'catalyst-stack-'));
  dirs.push(d);
  cpSync(join(ROOT, 'projects'), join(d, 'projects'), { recursive: true });
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, isTTY: false });
  return { code, stdout, stderr };
}

describe('catalyst stack init', () => {
  it('writes the target config and prints the secret commands', async () => {
    const cwd = repo();
    const r = await cli(cwd, 'stack', 'init', 'support-bot', 'prod', '--target', 'cloudrun', '--gcp-project', 'acme-prod-1', '--region', 'europe-west1', '--minInstances', '1', '--env', 'LLM_MODEL=gpt-4o', '--monitoring-project', 'acme-mon-1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = parse(readFileSync(join(cwd, 'stacks', 'Pulumi.support-bot.prod.yaml'), 'utf8'));
    expect(doc).toEqual({
      config: {
        'catalyst:project': 'support-bot',
        'catalyst:target': 'cloudrun',
        'catalyst:monitoringProject': 'acme-mon-1',
        'catalyst:env': { LLM_MODEL: 'gpt-4o' },
        'catalyst:gcpProject': 'acme-prod-1',
        'catalyst:region': 'europe-west1',
        'catalyst:minInstances': 1,
      },
    });
    expect(r.stdout).toContain('wrote stacks/Pulumi.support-bot.prod.yaml (target cloudrun)');
    expect(r.stdout).toContain('pulumi config set --secret catalyst:OPENAI_API_KEY --stack support-bot.prod');
    expect(r.stdout).toContain('pulumi config set --secret catalyst:TICKETS_TOKEN --stack support-bot.prod');
  });

  it('prints JSON, including the target secrets, and the dev passphrase hint for local stacks', async () => {
    const cwd = repo();
    const r = await cli(cwd, 'stack', 'init', 'billing', 'prod', '--target', 'fly', '--flyOrg', 'acme', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: 'stacks/Pulumi.billing.prod.yaml', stack: 'billing.prod', target: 'fly', secretCommands: ['pulumi config set --secret catalyst:BILLING_API_KEY --stack billing.prod', 'pulumi config set --secret catalyst:peerKey --stack billing.prod', 'pulumi config set --secret catalyst:flyApiToken --stack billing.prod'] });
    const local = await cli(cwd, 'stack', 'init', 'support-bot', 'local', '--target', 'local', '--port', '18000');
    expect(local.stdout).toContain('PULUMI_CONFIG_PASSPHRASE=catalyst-local-dev');
    expect(parse(readFileSync(join(cwd, 'stacks', 'Pulumi.support-bot.local.yaml'), 'utf8')).config['catalyst:port']).toBe(18000);
  });

  it('--target railway: writes its options, names the token command, reports every problem at once', async () => {
    const cwd = repo();
    const r = await cli(cwd, 'stack', 'init', 'billing', 'prod', '--target', 'railway', '--railwayImageRepository', 'ghcr.io/acme/billing', '--railwayRegion', 'europe-west4-drams3a', '--railwayReplicas', '2', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: 'stacks/Pulumi.billing.prod.yaml', stack: 'billing.prod', target: 'railway', secretCommands: ['pulumi config set --secret catalyst:BILLING_API_KEY --stack billing.prod', 'pulumi config set --secret catalyst:peerKey --stack billing.prod', 'pulumi config set --secret catalyst:railwayToken --stack billing.prod'] });
    expect(parse(readFileSync(join(cwd, 'stacks', 'Pulumi.billing.prod.yaml'), 'utf8')).config).toEqual({
      'catalyst:project': 'billing',
      'catalyst:target': 'railway',
      'catalyst:railwayImageRepository': 'ghcr.io/acme/billing',
      'catalyst:railwayRegion': 'europe-west4-drams3a',
      'catalyst:railwayReplicas': 2,
    });
    const bad = await cli(cwd, 'stack', 'init', 'billing', 'staging', '--target', 'railway', '--railwayRestartPolicy', 'SOMETIMES', '--railwayReplicas', '0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('stack billing.staging: 3 problem(s); nothing written:');
    for (const key of ['railwayImageRepository', 'railwayRestartPolicy', 'railwayReplicas']) expect(bad.stderr).toContain(`catalyst:${key} (--${key})`);
  });

  it('refuses to overwrite without --force; --force keeps the encryption salt and secrets', async () => {
    const cwd = repo();
    mkdirSync(join(cwd, 'stacks'));
    const file = join(cwd, 'stacks', 'Pulumi.billing.dev.yaml');
    const before = 'config:\n  catalyst:project: billing\n  catalyst:target: docker\n  catalyst:SOME_TOKEN:\n    secure: v1:abc:def\nencryptionsalt: v1:salt\n';
    writeFileSync(file, before);
    const refused = await cli(cwd, 'stack', 'init', 'billing', 'dev', '--target', 'local');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stacks/Pulumi.billing.dev.yaml already exists; pass --force');
    expect(readFileSync(file, 'utf8')).toBe(before);
    const forced = await cli(cwd, 'stack', 'init', 'billing', 'dev', '--target', 'local', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('rewrote stacks/Pulumi.billing.dev.yaml');
    expect(parse(readFileSync(file, 'utf8'))).toEqual({
      config: { 'catalyst:project': 'billing', 'catalyst:target': 'local', 'catalyst:SOME_TOKEN': { secure: 'v1:abc:def' } },
      encryptionsalt: 'v1:salt',
    });
  });

  it('validates with the program schemas and writes nothing on error', async () => {
    const cwd = repo();
    const bad = await cli(cwd, 'stack', 'init', 'support-bot', 'prod', '--target', 'cloudrun', '--region', 'Europe', '--maxInstances', '0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('stack support-bot.prod: 3 problem(s); nothing written:');
    expect(bad.stderr).toContain('catalyst:gcpProject (--gcpProject): required');
    expect(bad.stderr).toContain('catalyst:region (--region): must be a Cloud Run region');
    expect(existsSync(join(cwd, 'stacks'))).toBe(false);

    const wrongTarget = await cli(cwd, 'stack', 'init', 'billing', 'dev', '--target', 'local', '--region', 'x');
    expect(wrongTarget.stderr).toContain('--region is an option of target cloudrun, not of local');
    const unknown = await cli(cwd, 'stack', 'init', 'billing', 'dev', '--target', 'cloud-run');
    expect(unknown.stderr).toMatch(/unknown target "cloud-run" \(did you mean "cloudrun"\?\)/);
    expect((await cli(cwd, 'stack', 'init', 'billing', 'dev')).stderr).toContain('--target is required');
    expect((await cli(cwd, 'stack', 'init', 'billing')).stderr).toContain('give a project and an environment');
    expect((await cli(cwd, 'stack', 'init', 'Billing', 'dev', '--target', 'local')).stderr).toContain('is not a valid stack name');
    expect((await cli(cwd, 'stack', 'init', 'ghost', 'dev', '--target', 'local')).stderr).toContain('project "ghost" cannot be loaded');
    expect((await cli(cwd, 'stack', 'init', 'billing', 'dev', '--target', 'local', '--env', 'NOEQUALS')).stderr).toContain('--env takes NAME=value');
    expect((await cli(cwd, 'stack', 'rm')).stderr).toContain('unknown subcommand "stack rm"');
    expect((await cli(cwd, 'stack')).stderr).toContain('give a subcommand');
    expect(existsSync(join(cwd, 'stacks')) ? readdirSync(join(cwd, 'stacks')) : []).toEqual([]);
  });

  it('documents every target option in its usage', async () => {
    const r = await cli(ROOT, 'help', 'stack');
    for (const opt of ['--gcpProject', '--region', '--port', '--flyOrg', '--renderOwnerId', '--railwayImageRepository', '--monitoring-project', '--force']) expect(r.stdout).toContain(opt);
  });

  it('helpers', () => {
    expect(kebab('gcpProject')).toBe('gcp-project');
    expect(scalar('12')).toBe(12);
    expect(scalar('true')).toBe(true);
    expect(scalar('1.5')).toBe('1.5');
    expect(stackDocument({ a: 1 }, null)).toEqual({ config: { a: 1 } });
  });
});
