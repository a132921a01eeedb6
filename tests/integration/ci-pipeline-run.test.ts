/**
 * The generated GitHub pipeline, executed: in a temporary clone of the repository, `catalyst ci init`
 * writes the workflows, and every job runs in `needs:` order with its steps in order. `run:` steps run
 * in bash as written (GitHub's `${{ … }}` expressions replaced by what GitHub would put there; secrets
 * by stand-in values). The `uses:` steps stand in for the actions: checkout and setup-node have
 * nothing to do here (the clone is checked out, Node 24 is first on PATH), upload-artifact and the
 * Google auth only record, and pulumi/actions is replaced by a recording stand-in of the pulumi CLI
 * (with `command:` it runs `pulumi <command> --stack <stack-name>` as the action does; without, it only
 * "installs" it). `npm` is a recorder too (npm ci / the test command would reinstall and rerun
 * the suite). `npx catalyst …` runs our real CLI. The test asserts the order of the jobs, the commands
 * and stacks each pulumi run got, and that each deploy job passes exactly the secrets its stack needs:
 * the state backend's and the target credential's variable that feeds the config key the program
 * reads (src/contracts/credentials.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CREDENTIAL_ENV, STATE_BACKEND_SECRETS } from '../../src/contracts/credentials.ts';
import { PULUMI_VERSION } from '../../src/pulumi/engine.ts';
import { E2eRepo, REPO } from '../e2e/harness.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  id?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}
interface Job {
  needs?: string[];
  env?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: string };
  if?: string;
}
interface Workflow {
  jobs: Record<string, Job>;
}
/** One line of the recorders' logs. */
interface Rec {
  tool: string;
  args: string[];
  job: string;
  secrets: string[];
}

let repo: E2eRepo;
let bin: string;
let log: string;
let base: string;
let outside: string;

function git(...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@catalyst.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A recorder on PATH: logs {tool, args, job, secrets present} and answers what the pipeline needs. */
function recorder(tool: string, body: string): void {
  const file = join(bin, tool);
  writeFileSync(
    file,
    `#!${join(REPO, 'node_modules', '.bin', 'node')}
const fs = require('node:fs');
const args = process.argv.slice(2);
const secrets = Object.keys(process.env).filter((k) => process.env[k] && process.env[k].startsWith('stand-in-secret-')).sort();
if (!(${JSON.stringify(tool)} === 'pulumi' && args[0] === 'version')) fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, args, job: process.env.CI_JOB, secrets }) + '\\n');
${body}
`,
  );
  chmodSync(file, 0o755);
}

function records(): Rec[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
}

/** GitHub's expressions, as GitHub would fill them for this run. */
function expand(text: string, ctx: { matrix?: Record<string, string>; outputs: Record<string, Record<string, string>> }): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    let m = /^secrets\.([A-Z0-9_]+)$/.exec(expr);
    if (m) return m[1] === 'GITHUB_TOKEN' ? 'stand-in-github-token' : `stand-in-secret-${m[1]}`;
    m = /^vars\.([A-Z0-9_]+)$/.exec(expr);
    if (m) return `stand-in-var-${m[1]}`;
    m = /^matrix\.(\w+)$/.exec(expr);
    if (m) return ctx.matrix?.[m[1]] ?? '';
    m = /^steps\.(\w+)\.outputs\.(\w+)$/.exec(expr);
    if (m) return ctx.outputs[m[1]]?.[m[2]] ?? '';
    if (expr === 'github.event.pull_request.base.sha') return base;
    if (expr === 'github.event.pull_request.number') return '7';
    throw new Error(`unexpected expression \${{ ${expr} }}`);
  });
}

/** Jobs in an order that respects `needs:` (file order among the ready ones). */
function jobOrder(wf: Workflow): string[] {
  const done: string[] = [];
  const names = Object.keys(wf.jobs);
  while (done.length < names.length) {
    const next = names.find((n) => !done.includes(n) && (wf.jobs[n].needs ?? []).every((d) => done.includes(d)));
    if (!next) throw new Error(`needs: cycle among ${names.filter((n) => !done.includes(n)).join(', ')}`);
    done.push(next);
  }
  return done;
}

/** Runs one job (once per matrix entry); returns the outputs of its steps. */
function runJob(name: string, job: Job, matrix?: Record<string, string>): Record<string, Record<string, string>> {
  const outputs: Record<string, Record<string, string>> = {};
  const ctx = { matrix, outputs };
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${join(REPO, 'node_modules', '.bin')}:/usr/bin:/bin`,
    HOME: process.env.HOME,
    CI_JOB: matrix ? `${name}[${matrix.stack}]` : name,
    PULUMI_CONFIG_PASSPHRASE: undefined,
  };
  for (const [k, v] of Object.entries(job.env ?? {})) env[k] = expand(v, ctx);
  for (const step of job.steps) {
    const stepEnv = { ...env };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = expand(v, ctx);
    if (step.if && !/^matrix\.target == /.test(step.if)) throw new Error(`unexpected step condition ${step.if}`);
    if (step.if && expand(`\${{ matrix.target }}`, ctx) !== /'(\w+)'/.exec(step.if)![1]) continue;
    const output = join(outside, 'github-output');
    writeFileSync(output, '');
    const summary = `${output}-summary`;
    if (step.run) {
      const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', expand(step.run, ctx)], { cwd: repo.dir, env: { ...stepEnv, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary }, encoding: 'utf8', timeout: 240_000 });
      if (r.status !== 0) throw new Error(`${name}: step "${step.name}" (${step.run}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      if (step.id) outputs[step.id] = Object.fromEntries(readFileSync(output, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    } else if (step.uses?.startsWith('pulumi/actions@')) {
      const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]));
      expect(w['pulumi-version']).toBe(PULUMI_VERSION);
      const args = w.command ? [w.command, '--stack', w['stack-name'], ...(w.command === 'up' ? ['--yes'] : []), '--non-interactive'] : ['version'];
      const r = spawnSync(join(bin, 'pulumi'), args, { cwd: repo.dir, env: stepEnv, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name}: pulumi ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      writeFileSync(log, `${JSON.stringify({ tool: 'uses', args: ['pulumi/actions', w.command ?? 'install'], job: stepEnv.CI_JOB, secrets: [] })}\n`, { flag: 'a' });
    } else if (step.uses) {
      writeFileSync(log, `${JSON.stringify({ tool: 'uses', args: [step.uses.split('@')[0]], job: stepEnv.CI_JOB, secrets: [] })}\n`, { flag: 'a' });
    }
  }
  return outputs;
}

function runWorkflow(file: string): void {
  const wf = parse(readFileSync(repo.path('.github', 'workflows', file), 'utf8')) as Workflow;
  const jobOutputs: Record<string, Record<string, string>> = {};
  for (const name of jobOrder(wf)) {
    const job = wf.jobs[name];
    if (job.if === "needs.affected.outputs.count != '0'" && jobOutputs.affected?.count === '0') continue;
    if (job.strategy) {
      const matrix = JSON.parse(job.strategy.matrix.replace(/^\$\{\{ fromJSON\(needs\.affected\.outputs\.matrix\) \}\}$/, jobOutputs.affected.matrix)) as { include: Record<string, string>[] };
      for (const entry of matrix.include) runJob(name, job, entry);
    } else {
      const out = runJob(name, job);
      // The affected job's outputs come from its step `affected`.
      if (out.affected) jobOutputs[name] = out.affected;
    }
  }
}

beforeAll(() => {
  repo = E2eRepo.create();
  // Outside the clone: its package.json says "type": "module", and these recorders are CommonJS.
  outside = mkdtempSync(join(tmpdir(), 'catalyst-ci-standins-'));
  bin = join(outside, 'bin');
  mkdirSync(bin);
  log = join(outside, 'calls.jsonl');
  writeFileSync(log, '');
  // pulumi: a usable CLI for catalyst (version, the language host beside it); answers no outputs.
  recorder('pulumi', `if (args[0] === 'version') { console.log('v${PULUMI_VERSION}'); process.exit(0); }
if (args[0] === 'stack' && args[1] === 'output') { console.log('{}'); process.exit(0); }
if (args[0] === 'stack' && args[1] === 'history') { console.log('[]'); process.exit(0); }`);
  writeFileSync(join(bin, 'pulumi-language-nodejs'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  recorder('npm', `if (!['ci', 'test'].includes(args[0]) && !(args[0] === 'run' && args[1] === 'test:runner')) { console.error('unexpected npm ' + args.join(' ')); process.exit(1); }`);
  recorder(
    'npx',
    `if (args[0] !== 'catalyst') { console.error('unexpected npx ' + args.join(' ')); process.exit(1); }
const r = require('node:child_process').spawnSync(process.execPath, [${JSON.stringify(join(REPO, 'bin', 'catalyst.js'))}, ...args.slice(1)], { stdio: 'inherit', env: process.env });
process.exit(r.status ?? 1);`,
  );
  const init = spawnSync(join(REPO, 'node_modules', '.bin', 'node'), [repo.path('bin', 'catalyst.js'), 'ci', 'init'], { cwd: repo.dir, encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, HOME: process.env.HOME } });
  if (init.status !== 0) throw new Error(`catalyst ci init: ${init.stderr}`);
  writeFileSync(repo.path('.git', 'info', 'exclude'), 'node_modules\n.tools\n.cache\ncatalyst-report\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'pipeline');
  base = git('rev-parse', 'HEAD');
  // A pull request that changes billing: its stacks are the affected ones.
  repo.edit('projects/billing/project.yaml', 'description:', 'description: (changed)');
  git('commit', '-qam', 'billing change');
}, 300_000);

afterAll(async () => {
  await repo?.cleanup();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

const TARGET_OF: Record<string, string> = {};
function targetOf(stack: string): string {
  TARGET_OF[stack] ??= (parse(readFileSync(repo.path('stacks', `Pulumi.${stack}.yaml`), 'utf8')) as { config: Record<string, string> }).config['catalyst:target'];
  return TARGET_OF[stack];
}

/** What each deploy job must carry: the backend's secrets and its target's credential variables. */
function expectedSecrets(stack: string): string[] {
  const creds = Object.values(CREDENTIAL_ENV)
    .filter((c) => c.target === targetOf(stack))
    .map((c) => c.env);
  return [...STATE_BACKEND_SECRETS, ...creds].sort();
}

describe('the generated pipeline, executed step by step', () => {
  it('deploy workflow: tests, then pulumi up per stack in dependency order with the secrets the program reads, then the report', () => {
    writeFileSync(log, '');
    runWorkflow('catalyst-deploy.yml');
    const recs = records();
    // The test job: npm ci, the runner-ready tests, validate; no Go, no engine build.
    const testJob = recs.filter((r) => r.job === 'test').map((r) => `${r.tool} ${r.args.join(' ')}`);
    expect(testJob).toEqual(['uses actions/checkout', 'uses actions/setup-node', 'npm ci', 'npm run test:runner', 'npx catalyst validate']);
    // Deploys: one pulumi up per non-local stack, callees (billing) before callers (support-bot),
    // staging before prod.
    const ups = recs.filter((r) => r.tool === 'pulumi' && r.args[0] === 'up');
    expect(ups.map((r) => r.args)).toEqual(
      ['billing.staging', 'billing.prod', 'support-bot.prod'].map((s) => ['up', '--stack', s, '--yes', '--non-interactive']),
    );
    for (const r of ups) {
      const stack = r.args[2];
      expect(r.job).toBe(`deploy_${stack.replace('.', '_')}`);
      expect(r.secrets, stack).toEqual(expectedSecrets(stack));
    }
    // Config keys those variables feed: every credential the target needs has its variable here.
    expect(ups.find((r) => r.args[2] === 'billing.prod')!.secrets).toContain(CREDENTIAL_ENV.flyApiToken.env);
    expect(ups.find((r) => r.args[2] === 'billing.staging')!.secrets).toContain(CREDENTIAL_ENV.renderApiKey.env);
    // The report: after every deploy, with our CLI reading each stack through pulumi.
    const report = recs.filter((r) => r.job === 'report');
    const reportCmds = report.map((r) => `${r.tool} ${r.args.join(' ')}`);
    expect(reportCmds[reportCmds.indexOf('uses pulumi/actions install') + 1]).toBe(
      'npx catalyst report --no-history --out catalyst-report --stack billing.staging --stack billing.prod --stack support-bot.prod',
    );
    const outputReads = report.filter((r) => r.tool === 'pulumi' && r.args.slice(0, 3).join(' ') === 'stack output --json');
    // (the report may read them concurrently: any order)
    expect(outputReads.map((r) => r.args[r.args.indexOf('--stack') + 1]).sort()).toEqual(['billing.prod', 'billing.staging', 'support-bot.prod']);
    expect(existsSync(repo.path('catalyst-report', 'report.md'))).toBe(true);
    expect(recs.some((r) => r.args.join(' ').includes('setup-engine') || r.tool === 'go')).toBe(false);
  }, 600_000);

  it('pull request workflow: tests and the check that the workflows are current, then a preview of each stack the change affects', () => {
    writeFileSync(log, '');
    runWorkflow('catalyst-pr.yml');
    const recs = records();
    expect(recs.filter((r) => r.job === 'test' && r.tool !== 'uses').map((r) => `${r.tool} ${r.args.join(' ')}`)).toEqual([
      'npm ci',
      'npm run test:runner',
      'npx catalyst validate',
      'npx catalyst ci init --check',
    ]);
    expect(recs.filter((r) => r.job === 'affected' && r.tool === 'npx').map((r) => r.args.join(' '))).toEqual([`catalyst ci affected --base ${base} --format github`]);
    const previews = recs.filter((r) => r.tool === 'pulumi' && r.args[0] === 'preview');
    // The change touched billing only: its stacks (support-bot calls billing over HTTP, but its own
    // deployment does not change).
    expect(previews.map((r) => r.args[2])).toEqual(['billing.staging', 'billing.prod']);
    for (const r of previews) {
      expect(r.args).toEqual(['preview', '--stack', r.args[2], '--non-interactive']);
      expect(r.job).toBe(`preview[${r.args[2]}]`);
      // The preview job serves every stack: the backend's secrets and every target credential.
      expect(r.secrets).toEqual(expect.arrayContaining(expectedSecrets(r.args[2])));
    }
  }, 600_000);
});
