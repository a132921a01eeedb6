/**
 * With the real engine (.tools/pulumi/bin), in a temporary copy of the repository (harness.ts):
 *
 * - Plugins. Acquisition is turned ON for the built engine (CATALYST_OFFLINE=0) and Pulumi's plugin
 *   downloads are pointed at a loopback server (PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES) that records
 *   each request and refuses it. `catalyst setup` asks for exactly the plugins package.json pins,
 *   and a preview of a docker stack fails with one line naming the plugin, its version and the
 *   command that gets it, without a stack trace.
 * - Stack files. `catalyst stack init` writes the encryptionsalt Pulumi would otherwise add, so the
 *   first preview (which creates the stack in the backend) leaves the committed file byte-identical;
 *   a file written without it is rewritten by that preview (the control).
 *
 * A missing engine fails the suite with the setup command; it is never skipped.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredPlugins } from '../../src/pulumi/plugins.ts';
import { E2eRepo, requirePulumiEngine } from './harness.ts';

let repo: E2eRepo;
let server: Server;
let port = 0;
const requests: string[] = [];

function git(...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@catalyst.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  requirePulumiEngine();
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('refused by the test');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
  repo = E2eRepo.create();
  // The built engine with plugin acquisition on, downloading from the loopback server only.
  delete repo.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION;
  repo.env.CATALYST_OFFLINE = '0';
  repo.env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES = `^.*=http://127.0.0.1:${port}/plugins`;
  repo.env.PULUMI_CONFIG_PASSPHRASE = 'e2e-passphrase';
  // These tests are about plugins and stack files, not secrets: in this copy billing's lookup is open, so a
  // new billing stack declares no secret (the example's BILLING_API_KEY, and the peer key support-bot presents)
  // and its first preview reaches the plugins without any `pulumi config set --secret`.
  const lookup = repo.path('projects', 'billing', 'workflows', 'lookup.yaml');
  writeFileSync(lookup, readFileSync(lookup, 'utf8').replace(/^auth: .*$/m, 'auth: none'));
  const project = repo.path('projects', 'billing', 'project.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace(/^secrets:\n(?: {2}.*\n)+/m, ''));
  expect(readFileSync(project, 'utf8')).not.toMatch(/^secrets:/m);
  git('commit', '-q', '-am', 'billing without secrets (plugin and stack-file tests)');
}, 120_000);

afterAll(async () => {
  await repo?.cleanup();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

const tarball = (name: string, version: string) => `GET /plugins/pulumi-resource-${name}-v${version}-linux-amd64.tar.gz`;

describe('provider plugins with acquisition on (loopback download server that refuses)', () => {
  it('catalyst setup asks for exactly the pinned plugins and names each one it cannot get, with its command', async () => {
    const pins = requiredPlugins(repo.dir);
    const pkg = JSON.parse(readFileSync(repo.path('package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pins.map((p) => [p.name, p.version])).toEqual([
      ['docker', pkg.dependencies['@pulumi/docker']],
      ['docker-build', pkg.dependencies['@pulumi/docker-build']],
      ['gcp', pkg.dependencies['@pulumi/gcp']],
    ]);
    requests.length = 0;
    const r = await repo.cli(['setup'], 120_000);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(requests).toEqual(pins.map((p) => tarball(p.name, p.version)));
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      pins.map(
        (p) =>
          `catalyst setup: the Pulumi plugin ${p.name} v${p.version} (needed by @pulumi/${p.name}) could not be obtained: ` +
          `403 HTTP error fetching plugin from http://127.0.0.1:${port}/plugins/pulumi-resource-${p.name}-v${p.version}-linux-amd64.tar.gz. ` +
          `Get it with \`pulumi plugin install resource ${p.name} ${p.version}\` (\`catalyst setup\` installs every plugin), or see docs/engine.md ("Plugins")`,
      ),
    );
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
  }, 180_000);

  it('a preview that needs an unobtainable plugin fails with one line naming it, its version and the command', async () => {
    const init = await repo.cli(['stack', 'init', 'billing', 'dock', '--target', 'docker']);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    git('add', '-A');
    git('commit', '-q', '-m', 'docker stack');
    requests.length = 0;
    const r = await repo.cli(['preview', '--env', 'dock'], 240_000);
    expect(r.code).toBe(1);
    // Pulumi asks for the program's plugins up front and again for the one a resource needs.
    expect(new Set(requests)).toEqual(new Set([tarball('docker-build', '0.0.22'), tarball('docker', '5.2.0'), tarball('gcp', '9.37.0')]));
    // The first resource that needs a missing plugin stops the preview: the schedule lease volume (docker) or
    // the image (docker-build), whichever the engine registers first; its plugin is named once, with its command.
    const message = (name: string, version: string, pkg: string) =>
      `the Pulumi plugin ${name} v${version} (needed by ${pkg}) could not be obtained. ` +
      `Get it with \`pulumi plugin install resource ${name} ${version}\` (\`catalyst setup\` installs every plugin), or see docs/engine.md ("Plugins")`;
    const count = (m: string) => r.stderr.split(m).length - 1;
    const named = [message('docker', '5.2.0', '@pulumi/docker'), message('docker-build', '0.0.22', '@pulumi/docker-build')].map(count);
    expect(named.reduce((a, b) => a + b), r.stderr).toBe(1);
    expect(r.stderr.match(/could not be obtained/g), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/FAILED: billing\.dock/);
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
    // Stack files: the first preview created the stack in the backend and left the committed file alone.
    expect(git('status', '--porcelain')).toBe('');
  }, 300_000);
});

describe('stack files stay as committed', () => {
  it('a first preview of a stack catalyst stack init wrote leaves every stack file byte-identical', async () => {
    const init = await repo.cli(['stack', 'init', 'billing', 'qa', '--target', 'local']);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(init.stdout).toMatch(/with its encryptionsalt \(passphrase secrets provider; passphrase from PULUMI_CONFIG_PASSPHRASE\)/);
    git('add', '-A');
    git('commit', '-q', '-m', 'qa stack');
    const before = readFileSync(repo.path('stacks', 'Pulumi.billing.qa.yaml'), 'utf8');
    expect(before).toMatch(/^encryptionsalt: v1:[A-Za-z0-9+/=]+:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/m);
    const r = await repo.cli(['preview', '--env', 'qa'], 240_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/billing\.qa: creating the stack in the backend/);
    expect(readFileSync(repo.path('stacks', 'Pulumi.billing.qa.yaml'), 'utf8')).toBe(before);
    expect(git('status', '--porcelain')).toBe('');
  }, 300_000);

  it('(control) a stack file without the salt is rewritten by that first preview', async () => {
    const env = { ...repo.env };
    delete repo.env.PULUMI_CONFIG_PASSPHRASE;
    const init = await repo.cli(['stack', 'init', 'billing', 'qa2', '--target', 'local']);
    Object.assign(repo.env, env);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(init.stdout).toMatch(/without an encryptionsalt: no PULUMI_CONFIG_PASSPHRASE/);
    git('add', '-A');
    git('commit', '-q', '-m', 'qa2 stack');
    const r = await repo.cli(['preview', '--env', 'qa2'], 240_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(git('status', '--porcelain')).toBe(' M stacks/Pulumi.billing.qa2.yaml\n');
    expect(readFileSync(repo.path('stacks', 'Pulumi.billing.qa2.yaml'), 'utf8')).toMatch(/^encryptionsalt: /m);
  }, 300_000);
});
