/**
 * `catalyst ci init` / `ci affected` on temporary git repositories. The generated workflows must be
 * valid against the GitHub workflow JSON Schema (shared/schemas/github-workflow.json, draft-07) and
 * pass actionlint (installed by tests/setup/actionlint.ts; a missing actionlint fails the suite).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ACTIONS, ciFiles, nodeSetup, pulumiVersion, WORKFLOW_FILES } from '../../src/gitops/ci.ts';
import { commit, context, git, makeRepo, repoRoot, stackFile } from '../integration/git-helpers.ts';
import { ensureActionlint } from '../setup/actionlint.ts';

const SCHEMA = join(repoRoot, '..', 'shared', 'schemas', 'github-workflow.json');

let actionlint = '';
let validate: ValidateFunction;
const repos: string[] = [];

beforeAll(() => {
  actionlint = ensureActionlint();
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
});
afterEach(() => {
  for (const r of repos.splice(0)) rmSync(r, { recursive: true, force: true });
});

function repo(o: Parameters<typeof makeRepo>[0] = {}): string {
  const { repo: r } = makeRepo(o);
  repos.push(r);
  return r;
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  name: string;
  needs?: string[];
  environment?: string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
  if?: string;
  strategy?: { matrix: unknown };
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(r: string, file: string): Workflow {
  return parse(readFileSync(join(r, file), 'utf8')) as Workflow;
}

function lint(r: string): { code: number; out: string } {
  try {
    const out = execFileSync(actionlint, ['-no-color', WORKFLOW_FILES.deploy, WORKFLOW_FILES.pr], { cwd: r, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: `${err.stdout}${err.stderr}` };
  }
}

describe('catalyst ci init', () => {
  it('writes schema-valid workflows that pass actionlint', async () => {
    const r = repo();
    const { ctx, io } = context(r);
    expect(await main(['ci', 'init'], ctx)).toBe(0);
    expect(io.out).toContain(`wrote ${WORKFLOW_FILES.deploy}`);
    expect(io.out).toContain('deploy order: billing.staging → support-bot.staging → billing.prod (production) → support-bot.prod (production)');
    expect(io.out).toContain('not deployed from CI (local): support-bot.local');
    for (const f of Object.values(WORKFLOW_FILES)) {
      const wf = load(r, f);
      const ok = validate(wf);
      expect(ok ? [] : validate.errors, `${f} against ${SCHEMA}`).toEqual([]);
    }
    const l = lint(r);
    expect(l.out).toBe('');
    expect(l.code).toBe(0);
  });

  it('deploys environments in order, callees first, prod behind the production environment, one concurrency group per stack', async () => {
    const r = repo();
    expect(await main(['ci', 'init'], context(r).ctx)).toBe(0);
    const wf = load(r, WORKFLOW_FILES.deploy);
    expect(wf.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(wf.jobs)).toEqual(['test', 'deploy_billing_staging', 'deploy_support-bot_staging', 'deploy_billing_prod', 'deploy_support-bot_prod', 'report']);
    const j = wf.jobs;
    expect(j['deploy_billing_staging'].needs).toEqual(['test']);
    expect(j['deploy_support-bot_staging'].needs).toEqual(['deploy_billing_staging', 'test']);
    expect(j['deploy_billing_prod'].needs).toEqual(['deploy_billing_staging', 'deploy_support-bot_staging']);
    expect(j['deploy_support-bot_prod'].needs).toEqual(['deploy_billing_prod', 'deploy_billing_staging', 'deploy_support-bot_staging']);
    expect(j['deploy_billing_staging'].environment).toBe('staging');
    expect(j['deploy_billing_prod'].environment).toBe('production');
    expect(j['deploy_support-bot_prod'].environment).toBe('production');
    for (const [id, job] of Object.entries(j).filter(([k]) => k.startsWith('deploy_'))) {
      const stack = job.name.replace('deploy ', '');
      expect(job.concurrency, id).toEqual({ group: `deploy-${stack}`, 'cancel-in-progress': false });
      const up = job.steps.find((s) => s.uses === ACTIONS.pulumi)!;
      expect(up.with).toEqual({ command: 'up', 'stack-name': stack, 'pulumi-version': '3.270.0' });
    }
    // workload identity only where a stack runs on Cloud Run; the Fly token only for the Fly stack
    expect(j['deploy_billing_prod'].permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(j['deploy_support-bot_prod'].permissions).toEqual({ contents: 'read' });
    expect(j['deploy_support-bot_prod'].steps.some((s) => s.uses === ACTIONS.gcpAuth)).toBe(false);
    const auth = j['deploy_billing_prod'].steps.find((s) => s.uses === ACTIONS.gcpAuth)!;
    expect(auth.with).toEqual({ workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', service_account: '${{ vars.GCP_SERVICE_ACCOUNT }}' });
    expect(j['deploy_support-bot_prod'].env).toEqual({
      PULUMI_ACCESS_TOKEN: '${{ secrets.PULUMI_ACCESS_TOKEN }}',
      PULUMI_BACKEND_URL: '${{ secrets.PULUMI_BACKEND_URL }}',
      PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}',
      FLY_API_TOKEN: '${{ secrets.FLY_API_TOKEN }}',
    });
    expect(j['deploy_billing_prod'].env?.FLY_API_TOKEN).toBeUndefined();
    // the report: after every deploy, even a failed one, as artifact and job summary
    const report = j.report;
    expect(report.needs).toEqual(['deploy_billing_staging', 'deploy_support-bot_staging', 'deploy_billing_prod', 'deploy_support-bot_prod']);
    expect(report.if).toBe('${{ !cancelled() }}');
    const runs = report.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx catalyst report --no-history --out catalyst-report --stack billing.staging --stack support-bot.staging --stack billing.prod --stack support-bot.prod');
    expect(runs).toContain('cat catalyst-report/report.md >> "$GITHUB_STEP_SUMMARY"');
    expect(report.steps.find((s) => s.uses === ACTIONS.uploadArtifact)?.with).toMatchObject({ name: 'catalyst-report', path: 'catalyst-report/' });
    expect(JSON.stringify(wf)).not.toContain('support-bot.local');
  });

  it('previews the affected stacks on pull requests and comments on the PR', async () => {
    const r = repo();
    expect(await main(['ci', 'init'], context(r).ctx)).toBe(0);
    const wf = load(r, WORKFLOW_FILES.pr);
    expect(wf.on).toEqual({ pull_request: { branches: ['main'] } });
    const test = wf.jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(test).toEqual(['npm ci', 'npm test', 'npx catalyst validate', 'npx catalyst ci init --check']);
    const setupNode = wf.jobs.test.steps.find((s) => s.uses === ACTIONS.setupNode)!;
    expect(setupNode.with).toEqual({ 'node-version': '24.21.0', cache: 'npm' });
    const affected = wf.jobs.affected;
    expect(affected.steps[0].with).toEqual({ 'fetch-depth': 0 });
    const step = affected.steps.find((s) => s.name === 'Stacks this pull request affects')!;
    expect(step.env).toEqual({ BASE_SHA: '${{ github.event.pull_request.base.sha }}' });
    expect(step.run).toBe('npx catalyst ci affected --base "$BASE_SHA" --format github >> "$GITHUB_OUTPUT"');
    const preview = wf.jobs.preview;
    expect(preview.needs).toEqual(['test', 'affected']);
    expect(preview.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'id-token': 'write' });
    expect(preview.strategy?.matrix).toBe('${{ fromJSON(needs.affected.outputs.matrix) }}');
    const p = preview.steps.find((s) => s.uses === ACTIONS.pulumi)!;
    expect(p.with).toEqual({ command: 'preview', 'stack-name': '${{ matrix.stack }}', 'pulumi-version': '3.270.0', 'comment-on-pr': true, 'github-token': '${{ secrets.GITHUB_TOKEN }}' });
    expect(preview.steps.find((s) => s.uses === ACTIONS.gcpAuth)?.if).toBe("matrix.target == 'cloudrun'");
  });

  it('never puts a secret in a script, never traces shell commands', async () => {
    const r = repo({ stacks: { 'billing.staging': 'render', 'support-bot.prod': 'fly', 'billing.prod': 'cloudrun' } });
    const { ctx } = context(r);
    expect(await main(['ci', 'init'], ctx)).toBe(0);
    for (const f of Object.values(WORKFLOW_FILES)) {
      const text = readFileSync(join(r, f), 'utf8');
      expect(text).not.toMatch(/set -x|set -o xtrace|ACTIONS_STEP_DEBUG|echo .*secrets/);
      const wf = load(r, f);
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const s of job.steps) expect(s.run ?? '', `${f} ${id} ${s.name}`).not.toMatch(/secrets\.|vars\./);
        for (const [k, v] of Object.entries(job.env ?? {})) expect(v).toBe(`\${{ secrets.${k} }}`);
      }
    }
    const deploy = load(r, WORKFLOW_FILES.deploy);
    expect(deploy.jobs['deploy_billing_staging'].env?.RENDER_API_KEY).toBe('${{ secrets.RENDER_API_KEY }}');
    expect(load(r, WORKFLOW_FILES.pr).jobs.preview.env).toMatchObject({ FLY_API_TOKEN: '${{ secrets.FLY_API_TOKEN }}', RENDER_API_KEY: '${{ secrets.RENDER_API_KEY }}' });
    expect(lint(r)).toEqual({ code: 0, out: '' });
  });

  it('is deterministic, refuses to overwrite without --force, and --check finds stale files', async () => {
    const r1 = repo();
    const r2 = repo();
    expect(await main(['ci', 'init'], context(r1).ctx)).toBe(0);
    expect(await main(['ci', 'init'], context(r2).ctx)).toBe(0);
    for (const f of Object.values(WORKFLOW_FILES)) expect(readFileSync(join(r1, f), 'utf8')).toBe(readFileSync(join(r2, f), 'utf8'));
    expect(ciFiles({ repo: r1 }).files.map((f) => f.content)).toEqual(ciFiles({ repo: r1 }).files.map((f) => f.content));

    let t = context(r1);
    expect(await main(['ci', 'init'], t.ctx)).toBe(0);
    expect(t.io.out).toContain(`unchanged ${WORKFLOW_FILES.pr}`);
    t = context(r1);
    expect(await main(['ci', 'init', '--check'], t.ctx)).toBe(0);
    expect(t.io.out).toBe('ok: 2 workflow file(s) are current\n');

    writeFileSync(join(r1, WORKFLOW_FILES.pr), '# my own edits\n');
    t = context(r1);
    expect(await main(['ci', 'init'], t.ctx)).toBe(1);
    expect(t.io.err).toBe(`catalyst ci: ${WORKFLOW_FILES.pr} already exists with other content; overwrite with --force (your edits there are lost)\n`);
    expect(readFileSync(join(r1, WORKFLOW_FILES.pr), 'utf8')).toBe('# my own edits\n');

    t = context(r1);
    expect(await main(['ci', 'init', '--check'], t.ctx)).toBe(1);
    expect(t.io.err).toContain(`${WORKFLOW_FILES.pr}: out of date`);
    rmSync(join(r1, WORKFLOW_FILES.deploy));
    t = context(r1);
    expect(await main(['ci', 'init', '--check'], t.ctx)).toBe(1);
    expect(t.io.err).toContain(`${WORKFLOW_FILES.deploy}: missing`);

    t = context(r1);
    expect(await main(['ci', 'init', '--force'], t.ctx)).toBe(0);
    expect(t.io.out).toContain(`overwrote ${WORKFLOW_FILES.pr}`);
    expect(t.io.out).toContain(`wrote ${WORKFLOW_FILES.deploy}`);
    expect(readFileSync(join(r1, WORKFLOW_FILES.pr), 'utf8')).toBe(readFileSync(join(r2, WORKFLOW_FILES.pr), 'utf8'));
  });

  it('follows the definitions: a new cross-project call changes the order', async () => {
    const r = repo({ stacks: { 'billing.staging': 'cloudrun', 'support-bot.staging': 'cloudrun' } });
    // billing now also calls support-bot? That would be a cycle; instead drop support-bot's call to billing.
    const ask = readFileSync(join(r, 'projects/support-bot/workflows/ask.yaml'), 'utf8');
    writeFileSync(join(r, 'projects/support-bot/workflows/ask.yaml'), ask.replace('workflow: billing/lookup', 'workflow: classify').replace(/ {6}customerId: "\{\{ input.customerId \}\}"\n/, '      question: "{{ input.question }}"\n'));
    const t = context(r);
    const code = await main(['ci', 'init', '--branch', 'trunk'], t.ctx);
    expect(t.io.err).toBe('');
    expect(code).toBe(0);
    const wf = load(r, WORKFLOW_FILES.deploy);
    expect(wf.jobs['deploy_support-bot_staging'].needs).toEqual(['test']);
    expect(wf.on).toMatchObject({ push: { branches: ['trunk'] } });
    expect(load(r, WORKFLOW_FILES.pr).jobs.preview.permissions).toMatchObject({ 'id-token': 'write' });
  });

  it('explains what it cannot generate', async () => {
    let r = repo({ stacks: {} });
    let t = context(r);
    expect(await main(['ci', 'init'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/no stacks: CI deploys stacks\/Pulumi\.<project>\.<env>\.yaml/);
    r = repo({ stacks: { 'billing.local': 'local', 'billing.dev': 'local' } });
    t = context(r);
    expect(await main(['ci', 'init'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/every stack here is local \(billing\.dev, billing\.local\)/);
    r = repo({ stacks: { 'billing.prod': 'cloudrun', 'ghost.prod': 'fly' } });
    t = context(r);
    expect(await main(['ci', 'init'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/stack config for a project that does not exist: stacks\/Pulumi\.ghost\.prod\.yaml/);
    r = repo({ files: { 'projects/billing/workflows/broken.yaml': 'catalyst: 1\nname: nope\n' } });
    t = context(r);
    expect(await main(['ci', 'init'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/the definitions have \d+ problem\(s\) \(run `catalyst validate`\)/);
    t = context(r);
    expect(await main(['ci', 'init', '--provider', 'gitlab'], t.ctx)).toBe(2);
    expect(t.io.err).toMatch(/--provider gitlab is not supported yet/);
    t = context(r);
    expect(await main(['ci', 'init', '--branch', 'a b'], t.ctx)).toBe(2);
    t = context(r);
    expect(await main(['ci', 'init', 'extra'], t.ctx)).toBe(2);
    t = context(r);
    expect(await main(['ci'], t.ctx)).toBe(2);
    expect(t.io.err).toMatch(/use `catalyst ci init` or `catalyst ci affected --base <commit>`/);
    t = context(r);
    expect(await main(['ci', 'deploy'], t.ctx)).toBe(2);
    expect(t.io.err).toMatch(/unknown subcommand "ci deploy"/);
  });
});

describe('versions the workflows use', () => {
  it('reads the Node.js version the repository uses', () => {
    const r = repo();
    expect(nodeSetup(r)).toEqual({ key: 'node-version', value: '24.21.0', yaml: '"24.21.0"', npmCache: true });
    writeFileSync(join(r, 'package.json'), JSON.stringify({ engines: { node: '>=22.18' } }));
    expect(nodeSetup(r)).toMatchObject({ key: 'node-version-file', value: 'package.json' });
    writeFileSync(join(r, '.nvmrc'), '24\n');
    expect(nodeSetup(r)).toMatchObject({ key: 'node-version-file', value: '.nvmrc' });
    rmSync(join(r, '.nvmrc'));
    rmSync(join(r, 'package-lock.json'));
    writeFileSync(join(r, 'package.json'), '{}');
    expect(nodeSetup(r)).toEqual({ key: 'node-version', value: '24', yaml: '"24"', npmCache: false });
    writeFileSync(join(r, 'package.json'), '{nope');
    expect(() => nodeSetup(r)).toThrow(/package.json is not valid JSON/);
    rmSync(join(r, 'package.json'));
    expect(pulumiVersion(r)).toBe('^3');
    writeFileSync(join(r, 'package.json'), JSON.stringify({ dependencies: { '@pulumi/pulumi': '^3.270.0' } }));
    expect(pulumiVersion(r)).toBe('3.270.0');
  });
});

describe('catalyst ci affected', () => {
  function setupRepo(): { r: string; base: string } {
    const r = repo();
    const base = git(r, 'rev-parse', 'HEAD');
    return { r, base };
  }

  it('lists the stacks a change affects, in deploy order, for $GITHUB_OUTPUT', async () => {
    const { r, base } = setupRepo();
    commit(r, 'billing change', { 'projects/billing/workflows/tax.yaml': readFileSync(join(r, 'projects/billing/workflows/tax.yaml'), 'utf8').replace(/^description: .*$/m, 'description: changed') });
    let t = context(r);
    expect(await main(['ci', 'affected', '--base', base, '--format', 'github'], t.ctx)).toBe(0);
    expect(t.io.out).toBe('matrix={"include":[{"stack":"billing.staging","target":"cloudrun"},{"stack":"billing.prod","target":"cloudrun"}]}\ncount=2\n');
    commit(r, 'shared change', { 'src/x.ts': 'export {};\n' });
    t = context(r);
    expect(await main(['ci', 'affected', '--base', base, '--json'], t.ctx)).toBe(0);
    const j = JSON.parse(t.io.out) as { shared: boolean; projects: string[]; stacks: { name: string; reasons: string[] }[] };
    expect(j.shared).toBe(true);
    expect(j.projects).toEqual(['billing', 'support-bot']);
    expect(j.stacks.map((s) => s.name)).toEqual(['billing.staging', 'support-bot.staging', 'billing.prod', 'support-bot.prod']);
    expect(j.stacks[0].reasons).toEqual(['shared code', 'project billing']);
    t = context(r);
    expect(await main(['ci', 'affected', '--base', base, '--head', 'HEAD~1'], t.ctx)).toBe(0);
    expect(t.io.out).toBe('billing.staging\tproject billing\nbilling.prod\tproject billing\n');
  });

  it('counts stack config changes, not docs; ignores uncommitted work', async () => {
    const { r, base } = setupRepo();
    commit(r, 'docs and config', { 'docs/x.md': 'x', 'stacks/Pulumi.support-bot.prod.yaml': stackFile('fly', '\n  catalyst:minInstances: 1') });
    writeFileSync(join(r, 'projects/billing/project.yaml'), `${readFileSync(join(r, 'projects/billing/project.yaml'), 'utf8')}# uncommitted\n`);
    const t = context(r);
    expect(await main(['ci', 'affected', '--base', base, '--format', 'github'], t.ctx)).toBe(0);
    expect(t.io.out).toBe('matrix={"include":[{"stack":"support-bot.prod","target":"fly"}]}\ncount=1\n');
    const none = context(r);
    expect(await main(['ci', 'affected', '--base', 'HEAD'], none.ctx)).toBe(0);
    expect(none.io.out).toBe('');
    expect(none.io.err).toBe('no stack is affected\n');
    const gh = context(r);
    expect(await main(['ci', 'affected', '--base', 'HEAD', '--format', 'github'], gh.ctx)).toBe(0);
    expect(gh.io.out).toBe('matrix={"include":[]}\ncount=0\n');
  });

  it('still answers when the definitions are invalid (order by name, with a warning)', async () => {
    const { r, base } = setupRepo();
    commit(r, 'break', { 'projects/billing/workflows/broken.yaml': 'catalyst: 1\n', 'src/y.ts': '' });
    const t = context(r);
    expect(await main(['ci', 'affected', '--base', base], t.ctx)).toBe(0);
    expect(t.io.err).toMatch(/warning: the definitions have \d+ problem\(s\)/);
    expect(t.io.out.split('\n').filter(Boolean).map((l) => l.split('\t')[0])).toEqual(['billing.staging', 'support-bot.staging', 'billing.prod', 'support-bot.prod']);
  });

  it('explains bad arguments and unknown commits', async () => {
    const { r } = setupRepo();
    let t = context(r);
    expect(await main(['ci', 'affected'], t.ctx)).toBe(2);
    expect(t.io.err).toMatch(/--base <commit> is required/);
    t = context(r);
    expect(await main(['ci', 'affected', '--base', 'HEAD', '--format', 'xml'], t.ctx)).toBe(2);
    t = context(r);
    expect(await main(['ci', 'affected', '--base', 'nope'], t.ctx)).toBe(1);
    expect(t.io.err).toMatch(/unknown commit "nope"/);
    t = context(r);
    expect(await main(['ci', 'affected', '--base', 'HEAD', 'x'], t.ctx)).toBe(2);
  });

  it('works when the Catalyst repository is a subdirectory of the git work tree', async () => {
    const { r } = setupRepo();
    const outer = join(r, '..', `${r.split('/').pop()}-outer`);
    repos.push(outer);
    mkdirSync(outer);
    git(outer, 'init', '-q', '-b', 'main');
    git(outer, 'config', 'user.email', 'd@e.f');
    git(outer, 'config', 'user.name', 'D');
    execFileSync('cp', ['-r', r, join(outer, 'infra')]);
    rmSync(join(outer, 'infra', '.git'), { recursive: true, force: true });
    const base = commit(outer, 'import');
    commit(outer, 'change billing', { 'infra/projects/billing/project.yaml': `${readFileSync(join(outer, 'infra/projects/billing/project.yaml'), 'utf8')}# x\n`, 'other/file.txt': 'x' });
    const t = context(join(outer, 'infra'));
    expect(await main(['ci', 'affected', '--base', base], t.ctx)).toBe(0);
    expect(t.io.out).toBe('billing.staging\tproject billing\nbilling.prod\tproject billing\n');
    expect(existsSync(join(outer, 'infra', 'stacks'))).toBe(true);
  });
});
