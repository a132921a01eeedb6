/**
 * `local`: runs the generated app as a process on this machine (uvicorn on 127.0.0.1:<port>) through
 * a dynamic provider, so no plugin binary and no Docker engine are needed. The embedded default for
 * the demo stacks (`billing.local`, `support-bot.local`).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { defaultVenvCache } from '../../../codegen/python-env.ts';
import { z } from 'zod';
import { configInt } from '../../options.ts';
import { TOKENS } from '../../tokens.ts';
import type { Target, TargetOutputs } from '../types.ts';
import { LocalApp } from './provider.ts';
import { localRunDir } from '../../../contracts/logs.ts';

export const localOptions = z.object({
  /** Port on 127.0.0.1 (default: derived from the stack name, see `stablePort`). */
  port: configInt(1024, 65535).optional(),
  /** Seconds to wait for GET /health after the process started. */
  startTimeout: configInt(1, 600).default(60),
});
export type LocalOptions = z.infer<typeof localOptions>;

/** A stable port in 20000–29999 derived from the stack name (different stacks, different ports). */
export function stablePort(stack: string): number {
  const n = createHash('sha256').update(stack).digest().readUInt32BE(0);
  return 20000 + (n % 10000);
}

export const runDir = localRunDir;

export function venvDir(root: string): string {
  return defaultVenvCache(root);
}

export interface LocalServiceArgs {
  stack: string;
  project: string;
  appDir: string;
  contentHash: string;
  root: string;
  port: number;
  startTimeoutSeconds: number;
  plainEnv: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, pulumi.Output<string>>;
}

export class LocalService extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly pid: pulumi.Output<number>;
  readonly logFile: pulumi.Output<string>;

  constructor(name: string, args: LocalServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(TOKENS.localService, name, {}, opts);
    const bad: string[] = [];
    if (!args.appDir) bad.push('"appDir" is required');
    if (!args.root) bad.push('"root" is required');
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) bad.push(`"port" ${args.port} is not a port number`);
    if ('PORT' in args.plainEnv) bad.push('"plainEnv" must not set PORT');
    if (bad.length) throw new Error(`LocalService: ${bad.join('; ')}`);
    const app = new LocalApp(
      `${name}-process`,
      {
        stack: args.stack,
        project: args.project,
        appDir: args.appDir,
        contentHash: args.contentHash,
        host: '127.0.0.1',
        port: args.port,
        env: pulumi.output(args.plainEnv),
        secretEnv: pulumi.secret(pulumi.output(args.secretEnv)),
        runDir: runDir(args.root, args.stack),
        venvDir: venvDir(args.root),
        startTimeoutMs: args.startTimeoutSeconds * 1000,
      },
      { parent: this },
    );
    this.url = app.url;
    this.pid = app.pid;
    this.logFile = app.logFile;
    this.registerOutputs({ url: this.url, pid: this.pid, logFile: this.logFile });
  }
}

export const target: Target<LocalOptions> = {
  name: 'local',
  configSchema: localOptions,
  usesImage: false,
  reachableFromInternet: false,
  listenPort: (config, stack) => config.port ?? stablePort(stack),
  deploy(ctx): TargetOutputs {
    if (!ctx.root) throw new Error('local: the program must pass "root" (the repository root)');
    const service = new LocalService(
      `${ctx.name}-local`,
      {
        stack: ctx.stack,
        project: ctx.project.name,
        appDir: ctx.appDir,
        contentHash: ctx.contentHash,
        root: ctx.root,
        port: ctx.port,
        startTimeoutSeconds: ctx.config.startTimeout,
        plainEnv: ctx.plainEnv,
        secretEnv: ctx.secretEnv,
      },
      { parent: ctx.parent },
    );
    return { url: service.url, region: null, consoleUrl: null, logsUrl: null, resources: [service] };
  },
};
