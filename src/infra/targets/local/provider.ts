/**
 * The `local` target's dynamic provider: one `LocalApp` resource = one running app process.
 *
 * Pulumi serializes the provider object (its methods and whatever they capture) into the state and
 * runs it in the dynamic-provider host process. The methods therefore capture only `load` (two path
 * strings, see ../../http/loader.ts, shared with the Fly/Render providers) and load ./process.ts
 * when they run: no module-level objects and no secrets are captured (secret values arrive as
 * inputs, marked secret). tests/unit/infra-local-provider.test.ts revives the serialized text in
 * plain Node and runs it.
 *
 * Lifecycle: create starts the app and waits for /health; diff replaces (stop first, then start) when
 * the content hash, env, secret env or port changes, and reports "no change" otherwise, so an unchanged
 * stack never restarts the process; a process that died (reboot) is restarted by an update; read
 * drops the resource from the state when the process is gone; delete stops it and removes its files.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { moduleLoader } from '../../http/loader.ts';
import { DYNAMIC } from '../../tokens.ts';
import type { LocalAppInputs, LocalAppOutputs } from './process.ts';

type Impl = typeof import('./process.ts');
const load = moduleLoader<Impl>(fileURLToPath(new URL('./process.ts', import.meta.url)), 'src/infra/targets/local/process.ts');

export const localAppProvider: pulumi.dynamic.ResourceProvider<LocalAppInputs, LocalAppOutputs> = {
  async create(inputs) {
    const impl = await load();
    const outs = await impl.startApp(inputs);
    return { id: `local-${inputs.stack}`, outs };
  },
  async diff(_id, olds, news) {
    const impl = await load();
    const replaces = impl.changedKeys(olds, news);
    if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: true };
    // Same inputs: leave the process alone, unless it is gone (then `update` restarts it).
    return { changes: !impl.isAppProcess(olds.pid) };
  },
  async update(_id, olds, news) {
    const impl = await load();
    await impl.stopApp(olds);
    return { outs: await impl.startApp(news) };
  },
  async read(id, props) {
    const impl = await load();
    // A process that is gone is a resource that is gone: refresh drops it, the next `up` creates it.
    return impl.isAppProcess(props?.pid) ? { id, props } : { id: '', props };
  },
  async delete(_id, props) {
    const impl = await load();
    await impl.stopApp(props);
  },
};

/** Inputs of a LocalApp, as Pulumi inputs (secretEnv must be secret). */
export type LocalAppArgs = { [K in keyof LocalAppInputs]: pulumi.Input<LocalAppInputs[K]> };

export class LocalApp extends pulumi.dynamic.Resource {
  declare readonly url: pulumi.Output<string>;
  declare readonly pid: pulumi.Output<number>;
  declare readonly logFile: pulumi.Output<string>;

  constructor(name: string, args: LocalAppArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      localAppProvider,
      name,
      { ...args, secretEnv: pulumi.secret(args.secretEnv), url: undefined, pid: undefined, logFile: undefined, pidFile: undefined, python: undefined },
      // The secret env comes back in the outputs (diff compares it): keep it encrypted there too.
      { ...opts, additionalSecretOutputs: ['secretEnv'] },
      DYNAMIC.module,
      DYNAMIC.localApp,
    );
  }
}
