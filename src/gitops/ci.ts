/**
 * `catalyst ci init`: GitHub Actions workflows for the repository, rendered from templates/ci/github/
 * with a typed view model (templates only loop and print; every value is computed and quoted here).
 *
 * - catalyst-pr.yml: on pull requests, test + validate, then `pulumi preview` of every stack the change
 *   affects (`catalyst ci affected`), posted as a PR comment.
 * - catalyst-deploy.yml: on push to the default branch, `pulumi up` per stack: environments in promotion
 *   order, callees before callers (`needs:`), production behind the GitHub environment `production`;
 *   one concurrency group per stack; then `catalyst report` as artifact and job summary.
 *
 * Output is deterministic: the same repository gives byte-identical files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { credentialEnvsOf, STATE_BACKEND_SECRETS } from '../contracts/credentials.ts';
import { listStackFiles, type StackFile } from '../contracts/stack-name.ts';
import { tryWorkspace } from './affected.ts';
import { dependencyMap, isProductionEnv, orderEnvs, orderStacks, stackNeeds } from './order.ts';
import { stackConfigFile, stackTarget } from './stack.ts';
import { UserError } from '../shared/errors.ts';

export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates', 'ci', 'github');

/** Action versions: the current major of each (checked when this file was last updated). */
export const ACTIONS = {
  checkout: 'actions/checkout@v7',
  setupNode: 'actions/setup-node@v7',
  pulumi: 'pulumi/actions@v7',
  uploadArtifact: 'actions/upload-artifact@v7',
  gcpAuth: 'google-github-actions/auth@v3',
} as const;

export const WORKFLOW_FILES = {
  pr: '.github/workflows/catalyst-pr.yml',
  deploy: '.github/workflows/catalyst-deploy.yml',
} as const;

/** The state backend's credentials: Pulumi Cloud's token, or a self-managed backend URL + passphrase. */
export const PULUMI_SECRETS: readonly string[] = STATE_BACKEND_SECRETS;
/** Stacks CI never deploys: they run on a developer's machine. */
export const CI_EXCLUDED_ENVS = ['local'];
export const CI_EXCLUDED_TARGETS = ['local'];

export class CiError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'CiError';
  }
}

export interface NodeSetup {
  /** `node-version` or `node-version-file` input of actions/setup-node. */
  key: 'node-version' | 'node-version-file';
  value: string;
  /** `value` as a YAML scalar. */
  yaml: string;
  /** `cache: npm` when package-lock.json exists. */
  npmCache: boolean;
}

interface PackageJson {
  scripts?: Record<string, string>;
  engines?: { node?: string };
  volta?: { node?: string };
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

function readPackageJson(repo: string): PackageJson {
  const f = join(repo, 'package.json');
  if (!existsSync(f)) return {};
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as PackageJson;
  } catch {
    throw new CiError('package.json is not valid JSON');
  }
}

/** The Node.js version the repository uses: .nvmrc / .node-version, package.json engines/volta, or the `node` devDependency. */
export function nodeSetup(repo: string): NodeSetup {
  const npmCache = existsSync(join(repo, 'package-lock.json'));
  const make = (key: NodeSetup['key'], value: string): NodeSetup => ({ key, value, yaml: JSON.stringify(value), npmCache });
  for (const f of ['.nvmrc', '.node-version']) if (existsSync(join(repo, f))) return make('node-version-file', f);
  const pkg = readPackageJson(repo);
  if (pkg.volta?.node || pkg.engines?.node) return make('node-version-file', 'package.json');
  const dev = pkg.devDependencies?.node ?? pkg.dependencies?.node;
  const m = dev ? /^[\^~=v]*(\d+(?:\.\d+){0,2})$/.exec(dev.trim()) : null;
  return make('node-version', m ? m[1] : '24');
}

/** The Pulumi CLI version for CI: the @pulumi/pulumi SDK version the repository pins, else ^3. */
export function pulumiVersion(repo: string): string {
  const v = readPackageJson(repo).dependencies?.['@pulumi/pulumi'];
  const m = v ? /^[\^~=v]*(\d+\.\d+\.\d+)$/.exec(v.trim()) : null;
  return m ? m[1] : '^3';
}

/**
 * The test job's command: `npm run test:runner` (the tests that need only what a GitHub runner has:
 * vitest.runner.config.ts) when package.json defines it, else `npm test`.
 */
export function testCommand(repo: string): string {
  return readPackageJson(repo).scripts?.['test:runner'] ? 'npm run test:runner' : 'npm test';
}

export interface DeployJob {
  id: string;
  stack: string;
  project: string;
  env: string;
  target: string | null;
  /** GitHub environment the job runs in (`production` for prod environments). */
  environment: string;
  needs: string[];
  gcp: boolean;
  /** Secret env vars of the job: Pulumi's plus the target's credentials (src/contracts/credentials.ts). */
  secrets: string[];
}

export interface CiView {
  header: string;
  branch: string;
  node: NodeSetup;
  /** The test job's command (see testCommand). */
  testCommand: string;
  pulumiVersion: string;
  actions: typeof ACTIONS;
  /** Any stack on Cloud Run: workload identity (id-token: write). */
  gcp: boolean;
  /** Secret env vars of the preview and report jobs (every stack's). */
  secrets: string[];
  deploys: DeployJob[];
  /** Stack names for `catalyst report`, in deploy order. */
  stacks: string[];
  excluded: string[];
}

export function jobId(stack: StackFile): string {
  // Project names have no `_`, so `deploy_<project>_<env>` is unique.
  return `deploy_${stack.project}_${stack.env}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function githubEnvironment(env: string): string {
  return isProductionEnv(env) ? 'production' : env;
}

export interface CiInput {
  repo: string;
  branch?: string;
}

/** The view model both workflow templates render. */
export function ciView(i: CiInput): CiView {
  const { ws, warning } = tryWorkspace(i.repo);
  if (!ws) throw new CiError(`${warning}; the deploy order comes from the definitions`);
  const deps = dependencyMap(ws);
  const all = listStackFiles(i.repo);
  const known = new Set(ws.projects.map((p) => p.name));
  const orphans = all.filter((s) => !known.has(s.project)).map((s) => s.name);
  if (orphans.length) throw new CiError(`stack config for a project that does not exist: ${orphans.map((o) => `stacks/Pulumi.${o}.yaml`).join(', ')}; remove it or create the project under projects/`);
  const targets = new Map(all.map((s) => [s.name, stackTarget(stackConfigFile(i.repo, s.name))]));
  const excluded = all.filter((s) => CI_EXCLUDED_ENVS.includes(s.env) || CI_EXCLUDED_TARGETS.includes(targets.get(s.name) ?? '')).map((s) => s.name);
  const stacks = orderStacks(all.filter((s) => !excluded.includes(s.name)), deps);
  if (stacks.length === 0) {
    throw new CiError(
      all.length
        ? `every stack here is local (${excluded.join(', ')}); CI deploys the others: add one, e.g. stacks/Pulumi.<project>.staging.yaml`
        : 'no stacks: CI deploys stacks/Pulumi.<project>.<env>.yaml; create them first (e.g. stacks/Pulumi.<project>.staging.yaml and .prod.yaml)',
    );
  }
  const envs = orderEnvs(stacks.map((s) => s.env));
  const deploys: DeployJob[] = stacks.map((s) => {
    const prevEnv = envs[envs.indexOf(s.env) - 1];
    const previous = prevEnv ? stacks.filter((x) => x.env === prevEnv).map(jobId) : ['test'];
    const callees = stackNeeds(s, stacks, deps).map(jobId);
    const target = targets.get(s.name) ?? null;
    return {
      id: jobId(s),
      stack: s.name,
      project: s.project,
      env: s.env,
      target,
      environment: githubEnvironment(s.env),
      needs: [...new Set([...previous, ...callees])].sort(),
      gcp: target === 'cloudrun',
      secrets: [...PULUMI_SECRETS, ...credentialEnvsOf(target)],
    };
  });
  const targetSecrets = [...new Set(deploys.flatMap((d) => d.secrets.filter((x) => !PULUMI_SECRETS.includes(x))))].sort();
  return {
    header: 'Generated by Catalyst (`catalyst ci init`); do not edit. Change the stacks or definitions and run `npx catalyst ci init --force`.',
    branch: i.branch ?? 'main',
    node: nodeSetup(i.repo),
    testCommand: testCommand(i.repo),
    pulumiVersion: JSON.stringify(pulumiVersion(i.repo)),
    actions: ACTIONS,
    gcp: deploys.some((d) => d.gcp),
    secrets: [...PULUMI_SECRETS, ...targetSecrets],
    deploys,
    stacks: stacks.map((s) => s.name),
    excluded,
  };
}

function render(template: string, view: CiView): string {
  const filename = join(TEMPLATE_DIR, template);
  const text = ejs.render(readFileSync(filename, 'utf8'), view, { filename, _with: false, localsName: 'view' });
  // One trailing newline, no trailing spaces, no runs of blank lines.
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

export interface CiFile {
  path: string;
  content: string;
}

/** The workflow files for a repository, sorted by path. */
export function ciFiles(i: CiInput): { files: CiFile[]; view: CiView } {
  const view = ciView(i);
  const files = [
    { path: WORKFLOW_FILES.deploy, content: render('deploy.yml.ejs', view) },
    { path: WORKFLOW_FILES.pr, content: render('pr.yml.ejs', view) },
  ];
  return { files, view };
}
