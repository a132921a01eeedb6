/**
 * The stack config reader (src/infra/config.ts) as a pure function: every problem at once, each with
 * the exact command that fixes it; defaults; the adapter over the Pulumi runtime.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadProjectModel } from '../../src/definitions/load.ts';
import type { ProjectModel } from '../../src/definitions/model.ts';
import { reservedEnvProblem } from '../../src/definitions/reserved-env.ts';
import { rawStackConfigFromPulumi, readStackConfig, type ConfigContext, type ReadStackConfigResult } from '../../src/infra/config.ts';
import { formatProblems, schemaKeys, setSecretCommand, StackConfigError } from '../../src/infra/config-problems.ts';
import { configBool, configHttpsUrl, configInt, parseConfigText, secretOption } from '../../src/infra/options.ts';
import { TARGETS } from '../../src/infra/targets/index.ts';
import type { Target } from '../../src/infra/targets/types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const projects = new Map<string, ProjectModel>();
for (const name of ['billing', 'support-bot']) projects.set(name, loadProjectModel(name, { cwd: ROOT }).project);

const ctx: ConfigContext = {
  targets: TARGETS as Record<string, Target<any>>,
  loadProject: (name) => {
    const p = projects.get(name);
    return p ? { project: p } : { problems: [`projects/${name}: no project "${name}" (no project.yaml)`] };
  },
};

const secret = (v: string) => pulumi.secret(v);
/** billing declares BILLING_API_KEY (its lookup route takes an API key). */
const billingKey = secret('billing-api-key-0');

function problems(r: ReadStackConfigResult) {
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('readStackConfig', () => {
  it('accepts a complete cloudrun stack and applies defaults', () => {
    const r = readStackConfig(
      {
        stack: 'support-bot.prod',
        values: { project: 'support-bot', target: 'cloudrun', gcpProject: 'acme-prod-1', region: 'europe-west1', OPENAI_API_KEY: secret('sk'), TICKETS_TOKEN: secret('tt') },
        secretKeys: ['OPENAI_API_KEY', 'TICKETS_TOKEN'],
      },
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.env).toBe('prod');
    expect(r.config.project.name).toBe('support-bot');
    expect(r.config.target.name).toBe('cloudrun');
    expect(r.config.options).toEqual({ gcpProject: 'acme-prod-1', region: 'europe-west1', minInstances: 0, maxInstances: 3, concurrency: 80, cpu: '1', memory: '512Mi' });
    expect(r.config.requireCleanGit).toBe(true); // *.prod
    expect(r.config.org).toBe('organization');
    expect(r.config.monitoring).toBeNull();
    expect(Object.keys(r.config.secrets)).toEqual(['OPENAI_API_KEY', 'TICKETS_TOKEN']);
    expect(r.warnings).toEqual([]);
  });

  it('derives the project from the stack name and parses typed values from strings', () => {
    const r = readStackConfig(
      {
        stack: 'billing.dev',
        values: { BILLING_API_KEY: billingKey, target: 'local', port: '8123', env: { CURRENCY: 'USD', TAX_RATE: 0.1, DEBUG: true }, requireCleanGit: 'true', monitoringProject: 'acme-mon-1', alertEmail: 'ops@example.com' },
        secretKeys: ['BILLING_API_KEY'],
      },
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.project.name).toBe('billing');
    expect(r.config.options).toEqual({ port: 8123, startTimeout: 60 });
    expect(r.config.envOverrides).toEqual({ CURRENCY: 'USD', DEBUG: 'true', TAX_RATE: '0.1' });
    expect(r.config.requireCleanGit).toBe(true);
    expect(r.config.monitoring).toEqual({ project: 'acme-mon-1', alertEmail: 'ops@example.com' });
  });

  it('lists every problem together, each with the command that fixes it', () => {
    const r = readStackConfig(
      {
        stack: 'support-bot.prod',
        values: { target: 'cloudrun', region: 'Europe', maxInstances: '0', gcpProjct: 'x', TICKETS_TOKEN: 'plain-text-token' },
        secretKeys: [],
      },
      ctx,
    );
    const ps = problems(r);
    const byKey = (k: string) => ps.filter((p) => p.key === k);
    expect(byKey('catalyst:gcpProject')[0]).toMatchObject({ message: 'required', fix: 'pulumi config set catalyst:gcpProject <value> --stack support-bot.prod' });
    expect(byKey('catalyst:region')[0].message).toMatch(/Cloud Run region/);
    expect(byKey('catalyst:maxInstances')[0].message).toBe('must be at least 1');
    expect(byKey('catalyst:gcpProjct')[0]).toMatchObject({ message: expect.stringContaining('did you mean catalyst:gcpProject?'), fix: 'pulumi config rm catalyst:gcpProjct --stack support-bot.prod' });
    expect(byKey('catalyst:OPENAI_API_KEY')[0]).toMatchObject({
      message: expect.stringContaining('is not set'),
      fix: 'pulumi config set --secret catalyst:OPENAI_API_KEY --stack support-bot.prod',
    });
    expect(byKey('catalyst:TICKETS_TOKEN')[0]).toMatchObject({
      message: 'is a secret, but the stack config holds it in plain text',
      fix: 'pulumi config rm catalyst:TICKETS_TOKEN --stack support-bot.prod; pulumi config set --secret catalyst:TICKETS_TOKEN --stack support-bot.prod',
    });
    expect(ps).toHaveLength(6);
    const text = new StackConfigError('support-bot.prod', ps).message;
    expect(text).toMatch(/^stack support-bot\.prod: 6 problem\(s\) in the stack config \(stacks\/Pulumi\.support-bot\.prod\.yaml\):/);
    expect(text).toContain('fix: pulumi config set --secret catalyst:OPENAI_API_KEY --stack support-bot.prod');
    // The plain-text value is never repeated in a message.
    expect(text).not.toContain('plain-text-token');
  });

  it('reports an unknown target with a suggestion, and still checks the secrets', () => {
    const ps = problems(readStackConfig({ stack: 'support-bot.prod', values: { target: 'cloud-run' }, secretKeys: [] }, ctx));
    expect(ps[0]).toMatchObject({ key: 'catalyst:target', message: expect.stringMatching(/^unknown target "cloud-run" \(did you mean "cloudrun"\?\); targets: /), fix: 'pulumi config set catalyst:target cloudrun --stack support-bot.prod' });
    expect(ps.map((p) => p.fix)).toEqual(expect.arrayContaining([setSecretCommand('support-bot.prod', 'OPENAI_API_KEY'), setSecretCommand('support-bot.prod', 'TICKETS_TOKEN')]));
  });

  it('reports a missing target, a bad stack name, a project mismatch and an unloadable project', () => {
    expect(problems(readStackConfig({ stack: 'billing.dev', values: {}, secretKeys: [] }, ctx))[0]).toMatchObject({ key: 'catalyst:target', message: 'is not set' });
    expect(problems(readStackConfig({ stack: 'dev', values: { target: 'local', project: 'billing' }, secretKeys: [] }, ctx))[0].message).toMatch(/is not <project>\.<env>/);
    expect(problems(readStackConfig({ stack: 'billing.dev', values: { target: 'local', project: 'support-bot' }, secretKeys: [] }, ctx))[0]).toMatchObject({
      key: 'catalyst:project',
      fix: 'pulumi config set catalyst:project billing --stack billing.dev',
    });
    expect(problems(readStackConfig({ stack: 'ghost.dev', values: { target: 'local' }, secretKeys: [] }, ctx))).toEqual([{ key: null, message: 'projects/ghost: no project "ghost" (no project.yaml)' }]);
  });

  it('rejects secrets for plain settings, env overrides of secrets and reserved names, and alertEmail without a monitoring project', () => {
    const ps = problems(
      readStackConfig(
        {
          stack: 'support-bot.dev',
          values: { target: secret('local'), env: { OPENAI_API_KEY: 'x', PORT: 1, CATALYST_GIT_COMMIT: 'y', CATALYST_LOG_LEVEL: 'debug' }, alertEmail: 'a@b.co', OPENAI_API_KEY: secret('k'), TICKETS_TOKEN: secret('t') },
          secretKeys: ['target', 'OPENAI_API_KEY', 'TICKETS_TOKEN'],
        },
        ctx,
      ),
    );
    const keys = ps.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['catalyst:target', 'catalyst:env.OPENAI_API_KEY', 'catalyst:env.PORT', 'catalyst:env.CATALYST_GIT_COMMIT', 'catalyst:alertEmail']));
    expect(keys).not.toContain('catalyst:env.CATALYST_LOG_LEVEL');
    expect(ps.find((p) => p.key === 'catalyst:target')!.message).toBe('is set as a secret, but it is a plain setting');
  });

  it('reads catalyst:imageBuilder (default docker-build), its build arguments and network, and rejects bad values naming the fix', () => {
    const docker = readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'docker' }, secretKeys: ['BILLING_API_KEY'] }, ctx);
    expect(docker.ok && docker.config.imageBuild).toEqual({ builder: 'docker-build', args: {}, network: 'default' });
    const cli = readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'docker', imageBuilder: 'docker-cli', imageBuildArgs: { BASE_IMAGE: 'm/p:3.11' }, imageBuildNetwork: 'host' }, secretKeys: ['BILLING_API_KEY'] }, ctx);
    expect(cli.ok && cli.config.imageBuild).toEqual({ builder: 'docker-cli', args: { BASE_IMAGE: 'm/p:3.11' }, network: 'host' });
    const bad = problems(readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'docker', imageBuilder: 'kaniko', imageBuildArgs: { 'base-image': 'x' }, imageBuildNetwork: 'none' }, secretKeys: ['BILLING_API_KEY'] }, ctx));
    expect(bad.map((p) => p.key).sort()).toEqual(['catalyst:imageBuildArgs.base-image', 'catalyst:imageBuildNetwork', 'catalyst:imageBuilder']);
    expect(bad.find((p) => p.key === 'catalyst:imageBuilder')).toMatchObject({ message: expect.stringContaining('must be one of: docker-build, docker-cli'), fix: expect.stringContaining('pulumi config set catalyst:imageBuilder') });
    const local = problems(readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'local', imageBuilder: 'docker-cli' }, secretKeys: ['BILLING_API_KEY'] }, ctx));
    expect(local).toEqual([{ key: 'catalyst:imageBuilder', message: 'target local builds no container image', fix: 'pulumi config rm catalyst:imageBuilder --stack billing.dev' }]);
  });

  it('refuses a plain string for a declared secret, whether or not the key is marked secret, without echoing it', () => {
    const planted = 'plain-planted-0d5e7c1a';
    for (const secretKeys of [['OPENAI_API_KEY'], ['OPENAI_API_KEY', 'TICKETS_TOKEN']]) {
      const r = readStackConfig({ stack: 'support-bot.dev', values: { target: 'local', OPENAI_API_KEY: secret('sk-long-enough'), TICKETS_TOKEN: planted }, secretKeys }, ctx);
      const ps = problems(r);
      expect(ps, JSON.stringify(secretKeys)).toEqual([
        { key: 'catalyst:TICKETS_TOKEN', message: 'is a secret, but the stack config holds it in plain text', fix: 'pulumi config rm catalyst:TICKETS_TOKEN --stack support-bot.dev; pulumi config set --secret catalyst:TICKETS_TOKEN --stack support-bot.dev' },
      ]);
      expect(new StackConfigError('support-bot.dev', ps).message).not.toContain(planted);
    }
  });

  it('refuses a declared secret shorter than 8 characters with the exact command, never its value', () => {
    const r = readStackConfig(
      { stack: 'support-bot.dev', values: { target: 'local', OPENAI_API_KEY: secret('Zq7!x'), TICKETS_TOKEN: secret('tk-long-enough') }, secretKeys: ['OPENAI_API_KEY', 'TICKETS_TOKEN'], shortSecretKeys: ['OPENAI_API_KEY'] },
      ctx,
    );
    const ps = problems(r);
    expect(ps).toEqual([
      {
        key: 'catalyst:OPENAI_API_KEY',
        message: 'is shorter than 8 characters: the app could not redact it from logs and responses safely, and would refuse to start',
        fix: 'pulumi config set --secret catalyst:OPENAI_API_KEY --stack support-bot.dev (enter a value of at least 8 characters)',
      },
    ]);
    expect(new StackConfigError('support-bot.dev', ps).message).not.toContain('Zq7!x');
    // Listed with every other problem, not instead of them.
    const all = problems(readStackConfig({ stack: 'support-bot.dev', values: { target: 'local', OPENAI_API_KEY: secret('Zq7!x') }, secretKeys: ['OPENAI_API_KEY'], shortSecretKeys: ['OPENAI_API_KEY'] }, ctx));
    expect(all.map((p) => p.key).sort()).toEqual(['catalyst:OPENAI_API_KEY', 'catalyst:TICKETS_TOKEN']);
  });

  it('treats an undeclared secret as a warning (a target may read it itself)', () => {
    const r = readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'local', SOME_TOKEN: secret('x') }, secretKeys: ['BILLING_API_KEY', 'SOME_TOKEN'] }, ctx);
    expect(r.ok && r.warnings[0]).toMatch(/catalyst:SOME_TOKEN is a secret that neither project billing declares nor target local lists/);
  });

  it("checks a target's own secrets and passes every key to a non-object schema", () => {
    const ps = problems(readStackConfig({ stack: 'billing.prod', values: { BILLING_API_KEY: billingKey, target: 'fly', flyApiToken: 'fo1_plain' }, secretKeys: ['BILLING_API_KEY'] }, ctx));
    expect(ps).toEqual([
      { key: 'catalyst:flyApiToken', message: 'is a secret, but the stack config holds it in plain text', fix: 'pulumi config rm catalyst:flyApiToken --stack billing.prod; pulumi config set --secret catalyst:flyApiToken --stack billing.prod' },
    ]);
    const seen: unknown[] = [];
    const free: Target<unknown> = { name: 'local', usesImage: false, configSchema: z.any().transform((v) => (seen.push(v), v)), deploy: () => ({}) as never };
    const r = readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'free', anything: 'x' }, secretKeys: ['BILLING_API_KEY'] }, { ...ctx, targets: { free } });
    expect(r.ok).toBe(true);
    expect(seen).toEqual([{ target: 'free', anything: 'x' }].map(({ target: _t, ...rest }) => rest));
  });

  it('skips missing secrets when asked (stack init)', () => {
    const r = readStackConfig({ stack: 'support-bot.local', values: { target: 'local' }, secretKeys: [] }, { ...ctx, requireSecrets: false });
    expect(r.ok).toBe(true);
  });

  it('reports nested env problems with a --path fix', () => {
    const ps = problems(readStackConfig({ stack: 'billing.dev', values: { BILLING_API_KEY: billingKey, target: 'local', env: { lower: 'x' } }, secretKeys: ['BILLING_API_KEY'] }, ctx));
    expect(ps[0].key).toBe('catalyst:env.lower');
    expect(ps[0].fix).toBe("pulumi config set --path 'catalyst:env.lower' <value> --stack billing.dev");
  });

  it('names reserved env variables', () => {
    expect(reservedEnvProblem('PORT')).toMatch(/set by the target/);
    expect(reservedEnvProblem('CATALYST_HOST')).toMatch(/reserved/);
    expect(reservedEnvProblem('CATALYST_PEER_BILLING_URL')).toMatch(/reserved/);
    expect(reservedEnvProblem('CATALYST_LOG_LEVEL')).toBeNull();
    // the scheduler's mode, token, OIDC settings and lease directory come from the program, never from catalyst:env
    for (const n of ['CATALYST_SCHEDULER', 'CATALYST_SCHEDULER_TOKEN', 'CATALYST_SCHEDULER_AUTH', 'CATALYST_SCHEDULER_OIDC_AUDIENCE', 'CATALYST_SCHEDULE_LEASE_DIR']) {
      expect(reservedEnvProblem(n), n).toMatch(/reserved/);
    }
    expect(reservedEnvProblem('CATALYST_TEST_CLOCK_SPEED')).toMatch(/reserved for Catalyst's own tests/);
    expect(reservedEnvProblem('CATALYST_TEST_CLOCK_ORIGIN')).toMatch(/reserved for Catalyst's own tests/);
  });
});

describe('option helpers', () => {
  it('coerce Pulumi strings and keep typed values', () => {
    expect(configInt(1, 10).parse('7')).toBe(7);
    expect(configInt(1, 10).parse(7)).toBe(7);
    expect(configInt(1, 10).safeParse('7.5').error?.issues[0].message).toBe('must be a whole number from 1 to 10');
    expect(configBool.parse('false')).toBe(false);
    expect(configBool.safeParse('yes').success).toBe(false);
    expect(configHttpsUrl.parse('https://r.example.com/')).toBe('https://r.example.com');
    expect(secretOption('tok').safeParse('plain').error?.issues[0].message).toBe('must be set as a secret (pulumi config set --secret catalyst:tok)');
    expect(secretOption('tok').safeParse(pulumi.secret('x')).success).toBe(true);
    expect(parseConfigText('{"A":1}')).toEqual({ A: 1 });
    expect(parseConfigText('{broken')).toBe('{broken');
    expect(parseConfigText('8080')).toBe('8080');
    expect(schemaKeys(TARGETS.local!.configSchema)).toEqual(['port', 'startTimeout']);
  });

  it('formats problems without a key', () => {
    expect(formatProblems('a.b', [{ key: null, message: 'm' }])).toBe('stack a.b: 1 problem(s) in the stack config (stacks/Pulumi.a.b.yaml):\n  - m');
  });
});

describe('rawStackConfigFromPulumi', () => {
  it('reads catalyst:* keys, parses JSON objects and hands secrets over as secret Outputs', async () => {
    pulumi.runtime.setAllConfig(
      { 'catalyst:target': 'local', 'catalyst:env': '{"CURRENCY":"USD"}', 'catalyst:OPENAI_API_KEY': 'sk-planted', 'gcp:project': 'other' },
      ['catalyst:OPENAI_API_KEY'],
    );
    const raw = rawStackConfigFromPulumi();
    expect(raw.secretKeys).toEqual(['OPENAI_API_KEY']);
    expect(raw.values.target).toBe('local');
    expect(raw.values.env).toEqual({ CURRENCY: 'USD' });
    expect(Object.keys(raw.values)).not.toContain('project');
    const s = raw.values.OPENAI_API_KEY as pulumi.Output<string>;
    expect(pulumi.Output.isInstance(s)).toBe(true);
    expect(await (s as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(raw.shortSecretKeys).toEqual([]);
  });

  it('measures secret values (code points, as Python counts them) and lists the short ones by key only', () => {
    pulumi.runtime.setAllConfig(
      { 'catalyst:target': 'local', 'catalyst:OPENAI_API_KEY': 'Zq7!x', 'catalyst:TICKETS_TOKEN': '12345678', 'catalyst:LONG_EMOJI': '😀😀😀😀😀😀😀', 'catalyst:plainShort': 'abc' },
      ['catalyst:OPENAI_API_KEY', 'catalyst:TICKETS_TOKEN', 'catalyst:LONG_EMOJI'],
    );
    const raw = rawStackConfigFromPulumi();
    // 7 emoji are 14 UTF-16 units but 7 characters: short. 8 characters are enough; plain keys are not measured.
    expect(raw.shortSecretKeys).toEqual(['LONG_EMOJI', 'OPENAI_API_KEY']);
    expect(JSON.stringify(raw.shortSecretKeys)).not.toContain('Zq7!x');
    pulumi.runtime.setAllConfig({}, []);
  });
});
