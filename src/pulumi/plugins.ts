/**
 * The Pulumi provider plugins the program needs, at the versions package.json pins, and how they are
 * obtained: by Pulumi on first use, or up front by `catalyst setup` (one `pulumi plugin install` per
 * plugin). When one cannot be obtained, the user gets one line naming the plugin, its version and the
 * command that gets it (docs/engine.md, "Plugins").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.ts';
import type { PulumiRunner } from './pulumi.ts';

export interface PluginPin {
  /** Plugin name, e.g. `gcp` (binary pulumi-resource-gcp). */
  name: string;
  /** e.g. 9.37.0 */
  version: string;
  /** The npm package that needs it, e.g. @pulumi/gcp. */
  pkg: string;
}

/** A plugin could not be obtained: the message names it, its version and the command to get it. */
export class PluginError extends UserError {
  readonly plugin: PluginPin;
  constructor(plugin: PluginPin, reason: string) {
    super(
      `the Pulumi plugin ${plugin.name} v${plugin.version} (needed by ${plugin.pkg}) could not be obtained${reason ? `: ${reason}` : ''}. ` +
        `Get it with \`${installCommand(plugin).join(' ')}\` (\`catalyst setup\` installs every plugin), or see docs/engine.md ("Plugins")`,
    );
    this.name = 'PluginError';
    this.plugin = plugin;
  }
}

/** `pulumi plugin install resource <name> <version>` */
export function installCommand(p: PluginPin): string[] {
  return ['pulumi', 'plugin', 'install', 'resource', p.name, p.version];
}

interface PackageJson {
  dependencies?: Record<string, string>;
  pulumi?: { resource?: boolean; name?: string; version?: string };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/**
 * Every resource plugin of the Pulumi packages in package.json `dependencies`, as their installed
 * package.json declares it (`"pulumi": {"resource": true, "name", "version"}`, what Pulumi itself
 * reads). Throws when node_modules is missing or a package's plugin version is not the pinned one.
 */
export function requiredPlugins(repo: string): PluginPin[] {
  const deps = readJson(join(repo, 'package.json')).dependencies ?? {};
  const pins: PluginPin[] = [];
  for (const [pkg, pinned] of Object.entries(deps).sort(([a], [b]) => a.localeCompare(b))) {
    if (!pkg.startsWith('@pulumi/') || pkg === '@pulumi/pulumi') continue;
    const file = join(repo, 'node_modules', ...pkg.split('/'), 'package.json');
    if (!existsSync(file)) throw new UserError(`${pkg} is not installed (no ${join('node_modules', pkg, 'package.json')}): run \`npm install\` first`);
    const meta = readJson(file).pulumi;
    if (!meta?.resource) continue;
    const name = meta.name ?? pkg.slice('@pulumi/'.length);
    const version = (meta.version ?? pinned).replace(/^v/, '');
    if (version !== pinned.replace(/^[\^~=v]+/, '')) throw new UserError(`node_modules/${pkg} declares plugin version ${version}, but package.json pins ${pinned}: run \`npm ci\``);
    pins.push({ name, version, pkg });
  }
  return pins;
}

/** Why Pulumi could not get a plugin, in a few words: the HTTP or network failure, else its first error line. */
function reasonOf(text: string): string {
  const host = /lookup ([^\s:]+)[^\n]*no such host/.exec(text);
  if (host) return `cannot resolve ${host[1]} (no network?)`;
  const net = /(\d{3} HTTP error[^\n]*|no such host[^\n]*|connection refused[^\n]*|i\/o timeout[^\n]*|certificate[^\n]*)/i.exec(text);
  if (net) return net[1].trim().slice(0, 300);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^error:/i.test(l)) ?? lines[lines.length - 1] ?? '';
  return line.replace(/^error:\s*/i, '').slice(0, 300);
}

/** Installs every plugin with `pulumi plugin install`; returns one PluginError per plugin that failed. */
export async function installPlugins(o: { runner: PulumiRunner; repo: string; env: NodeJS.ProcessEnv; plugins: PluginPin[]; stdout: (t: string) => void }): Promise<PluginError[]> {
  const failed: PluginError[] = [];
  for (const p of o.plugins) {
    const r = await o.runner(installCommand(p).slice(1), { cwd: o.repo, env: o.env });
    if (r.code !== 0) failed.push(new PluginError(p, reasonOf(`${r.stderr}\n${r.stdout}`)));
    else o.stdout(`  ${p.name} ${p.version}: installed (${installCommand(p).join(' ')})\n`);
  }
  return failed;
}

/**
 * A plugin Pulumi could not get during a preview/up, found in its output: `no resource plugin
 * 'pulumi-resource-<name>' found … at version v<version>`, or a failed download of
 * `<name>-v<version>` / `pulumi-resource-<name>-v<version>`. Undefined when the output says nothing
 * of the kind.
 */
export function missingPlugin(output: string, pins: PluginPin[]): PluginPin | undefined {
  const patterns = [
    /resource plugin '?pulumi-resource-([a-z0-9-]+)'? (?:found[^\n]*?|)at version v?(\d+\.\d+\.\d+)/i,
    /no resource plugin '?pulumi-resource-([a-z0-9-]+)'? found[^\n]*?version v?(\d+\.\d+\.\d+)/i,
    /failed to download plugin: ([a-z0-9-]+?)-v?(\d+\.\d+\.\d+)/i,
  ];
  for (const re of patterns) {
    const m = re.exec(output);
    if (!m) continue;
    const [, name, version] = m;
    return pins.find((p) => p.name === name && p.version === version) ?? { name, version, pkg: `@pulumi/${name}` };
  }
  return undefined;
}
