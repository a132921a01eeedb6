import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { DefinitionError, formatDiagnostic } from '../../definitions/diagnostics.ts';
import { loadProjectModel } from '../../definitions/load.ts';
import type { ProjectModel, Workspace } from '../../definitions/model.ts';
import { peerKeyedWorkflows } from '../../definitions/peer-auth.ts';
import { PEER_KEY_CONFIG } from '../../contracts/peer-key.ts';
import { readStackConfig } from '../../infra/config.ts';
import { schemaKeys, setSecretCommand } from '../../infra/config-problems.ts';
import { TARGET_NAMES } from '../../contracts/targets.ts';
import { STACK_NAME_RE, STACK_NAME_RULE } from '../../contracts/stack-name.ts';
import { TARGETS } from '../../infra/targets/index.ts';
import { encryptionSalt, knownPassphrase } from '../../pulumi/passphrase.ts';
import type { Target } from '../../infra/targets/types.ts';
import { flagBool, flagList, flagString, parseArgs } from '../args.ts';
import { CliError, subcommands, type Command } from '../types.ts';

/** `gcpProject` → `gcp-project`. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function targets(): Record<string, Target<any>> {
  return TARGETS as Record<string, Target<any>>;
}

/** Every target option key, with the targets that accept it. */
function optionKeys(): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [name, t] of Object.entries(targets())) {
    for (const k of schemaKeys(t.configSchema)) keys.set(k, [...(keys.get(k) ?? []), name]);
  }
  return keys;
}

const COMMON_FLAGS: Record<string, string> = {
  org: 'org',
  'require-clean-git': 'requireCleanGit',
  requireCleanGit: 'requireCleanGit',
  'monitoring-project': 'monitoringProject',
  monitoringProject: 'monitoringProject',
  'alert-email': 'alertEmail',
  alertEmail: 'alertEmail',
};

const COMMON_FLAGS_BY_KEY: Record<string, string> = { org: 'org', requireCleanGit: 'require-clean-git', monitoringProject: 'monitoring-project', alertEmail: 'alert-email', env: 'env' };

/** A flag value as a YAML scalar: whole numbers and booleans typed, the rest strings. */
export function scalar(v: string): string | number | boolean {
  if (/^-?\d{1,15}$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  return v;
}

function usage(): string {
  const opts = [...optionKeys()].sort(([a], [b]) => a.localeCompare(b)).map(([k, ts]) => `  --${k} <value>`.padEnd(34) + ` (${ts.join(', ')})`);
  return `catalyst stack init <project> <env> --target <${TARGET_NAMES.join('|')}> [options]

Writes stacks/Pulumi.<project>.<env>.yaml with the target and its options (checked with the same
schema the Pulumi program uses), then prints the \`pulumi config set --secret\` command for every
secret the project declares. Refuses to overwrite an existing file without --force (which keeps the
file's encryption settings and secret values).

Common options:
  --org <name>                     Pulumi organization for peer stack references (default: organization)
  --monitoring-project <gcp-id>    GCP project for uptime checks
  --alert-email <address>          e-mail for uptime alerts (needs --monitoring-project)
  --require-clean-git <true|false> refuse to deploy from a dirty tree (default: true for *.prod)
  --env NAME=value                 plain env override (repeatable)
  --force                          overwrite an existing stack file
  --json                           print {file, stack, target, secretCommands}
Target options (camelCase or kebab-case):
${opts.join('\n')}
See docs/infra.md for every key.`;
}

interface InitResult {
  file: string;
  stack: string;
  target: string;
  secretCommands: string[];
}

function loadProject(name: string, cwd: string): { project: ProjectModel; workspace: Workspace } {
  try {
    return loadProjectModel(name, { cwd });
  } catch (err) {
    if (err instanceof DefinitionError) throw new CliError(`project "${name}" cannot be loaded:\n${err.diagnostics.map(formatDiagnostic).join('\n')}`, 1);
    throw err;
  }
}

/** The YAML document of a stack file: new settings, plus the old file's encryption settings and secrets. */
export function stackDocument(config: Record<string, unknown>, existing: Record<string, unknown> | null): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const oldConfig = (existing?.config ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(existing ?? {})) if (k !== 'config') doc[k] = v;
  const merged: Record<string, unknown> = { ...config };
  for (const [k, v] of Object.entries(oldConfig)) {
    if (v && typeof v === 'object' && 'secure' in (v as object) && !(k in merged)) merged[k] = v;
  }
  doc.config = merged;
  return doc;
}

async function init(argv: string[], ctx: Parameters<Command['run']>[1]): Promise<number> {
  const keys = optionKeys();
  const valueFlags = ['target', ...Object.keys(COMMON_FLAGS), ...[...keys.keys()].flatMap((k) => (kebab(k) === k ? [k] : [k, kebab(k)]))];
  const args = parseArgs(argv, { values: valueFlags, multi: ['env'], booleans: ['force', 'json'] });
  const [projectName, env, ...extra] = args.positionals;
  if (!projectName || !env || extra.length) throw new CliError(`give a project and an environment: catalyst stack init <project> <env> --target <${TARGET_NAMES.join('|')}>`);
  const stack = `${projectName}.${env}`;
  if (!STACK_NAME_RE.test(stack)) throw new CliError(`"${stack}" is not a valid stack name: ${STACK_NAME_RULE}`);
  const targetName = flagString(args, 'target');
  if (!targetName) throw new CliError(`--target is required (${Object.keys(targets()).sort().join(', ')})`);

  const values: Record<string, unknown> = { project: projectName, target: targetName };
  for (const [flag, key] of Object.entries(COMMON_FLAGS)) {
    const v = flagString(args, flag);
    if (v !== undefined) values[key] = v;
  }
  const envOverrides: Record<string, string | number | boolean> = {};
  for (const pair of flagList(args, 'env')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--env takes NAME=value, got "${pair}"`);
    envOverrides[pair.slice(0, eq)] = scalar(pair.slice(eq + 1));
  }
  if (Object.keys(envOverrides).length) values.env = envOverrides;
  const target = targets()[targetName];
  const ownKeys = new Set(target ? schemaKeys(target.configSchema) : []);
  for (const [key, owners] of keys) {
    const v = flagString(args, key) ?? flagString(args, kebab(key));
    if (v === undefined) continue;
    if (target && !ownKeys.has(key)) throw new CliError(`--${key} is an option of target ${owners.join('/')}, not of ${targetName}`);
    values[key] = v;
  }

  const { project, workspace } = loadProject(projectName, ctx.cwd);
  const checked = readStackConfig(
    { stack, values, secretKeys: [] },
    { targets: targets(), loadProject: () => ({ project, workspace }), requireSecrets: false },
  );
  if (!checked.ok) {
    const lines = checked.problems.map((p) => {
      const key = p.key?.replace(/^catalyst:/, '');
      const flag = key === undefined ? '' : key === 'target' || keys.has(key) || key in COMMON_FLAGS_BY_KEY ? ` (--${COMMON_FLAGS_BY_KEY[key] ?? key})` : '';
      return `  - ${p.key ? `${p.key}${flag}: ` : ''}${p.message}`;
    });
    throw new CliError(`stack ${stack}: ${checked.problems.length} problem(s); nothing written:\n${lines.join('\n')}`, 1);
  }

  const dir = join(ctx.cwd, 'stacks');
  const file = join(dir, `Pulumi.${stack}.yaml`);
  const exists = existsSync(file);
  if (exists && !flagBool(args, 'force')) throw new CliError(`${relative(ctx.cwd, file)} already exists; pass --force to rewrite its settings (its encryption settings and secrets are kept)`, 1);
  const existing = exists ? ((parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>) : null;
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) config[`catalyst:${k}`] = typeof v === 'string' && k !== 'project' && k !== 'target' ? scalar(v) : v;
  const doc = stackDocument(config, existing);
  // What Pulumi would add on first use (the passphrase provider's salt), so that a first preview or up
  // leaves the committed file as it is.
  const encryption = ['encryptionsalt', 'secretsprovider', 'encryptedkey'].some((k) => k in doc);
  let passphrase: ReturnType<typeof knownPassphrase>;
  try {
    passphrase = encryption ? undefined : knownPassphrase(stack, ctx.env, ctx.cwd);
  } catch (e) {
    throw new CliError(`cannot read PULUMI_CONFIG_PASSPHRASE_FILE: ${(e as Error).message}`, 1);
  }
  if (passphrase) doc.encryptionsalt = encryptionSalt(passphrase.passphrase);
  const text = `# Catalyst stack ${stack} (target ${targetName}); every key: docs/infra.md\n${stringify(doc)}`;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }

  const secrets = [
    ...project.secrets.map((s) => ({ name: s.name, why: s.description })),
    ...(peerKeyedWorkflows(workspace, project.name).length ? [{ name: PEER_KEY_CONFIG, why: `the peer key other projects present to call ${peerKeyedWorkflows(workspace, project.name).join(', ')} (docs/security.md)` }] : []),
    ...(target?.secretKeys ?? []).map((name) => ({ name, why: `required by target ${targetName}` })),
  ];
  const result: InitResult = { file: relative(ctx.cwd, file), stack, target: targetName, secretCommands: secrets.map((s) => setSecretCommand(stack, s.name)) };
  if (flagBool(args, 'json')) {
    ctx.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  ctx.stdout(`${exists ? 'rewrote' : 'wrote'} ${result.file} (target ${targetName})\n`);
  if (passphrase) ctx.stdout(`  with its encryptionsalt (passphrase secrets provider; passphrase from ${passphrase.source})\n`);
  else if (!encryption) {
    ctx.stdout(
      `  without an encryptionsalt: no PULUMI_CONFIG_PASSPHRASE (or _FILE) is set, so Pulumi adds one on the first preview or up; ` +
        `set the passphrase and rerun with --force to write it now, or commit the file after that first run\n`,
    );
  }
  if (secrets.length) {
    // `pulumi config set` needs the stack to exist in the backend Catalyst uses (with the salt already in
    // the file, `pulumi stack init` leaves the file as it is).
    const backend = ctx.env.PULUMI_BACKEND_URL;
    ctx.stdout(`\nCreate the stack in the backend and set its secrets (Pulumi prompts for each value):\n`);
    if (!backend) ctx.stdout(`  export PULUMI_BACKEND_URL=file://$PWD/.pulumi-state && mkdir -p .pulumi-state   # Catalyst's default backend\n`);
    if (env === 'local') ctx.stdout('  export PULUMI_CONFIG_PASSPHRASE=catalyst-local-dev   # the documented passphrase of *.local stacks\n');
    ctx.stdout(`  pulumi stack init ${stack} --secrets-provider passphrase   # skip if it exists (pulumi stack ls)\n`);
    for (const s of secrets) ctx.stdout(`  ${setSecretCommand(stack, s.name)}    # ${s.why}\n`);
  }
  ctx.stdout(`\nThen commit stacks/ and deploy: npx catalyst up --env ${env}   (or: pulumi up --stack ${stack})\n`);
  return 0;
}

export const command: Command = {
  name: 'stack',
  summary: 'create a stack file (stacks/Pulumi.<project>.<env>.yaml) for a target',
  get usage() {
    return usage();
  },
  ...subcommands({ init }, (sub) => (sub ? `unknown subcommand "stack ${sub}" (try: stack init)` : 'give a subcommand: catalyst stack init <project> <env> --target <target>')),
};
