/**
 * Pieces the Catalyst dynamic resources share: the provider object that forwards each method to a
 * function of the implementation module, the resource class (its inputs, outputs and secret keys),
 * and the env resource of the platforms that take a service's env as one set (Railway, Render).
 *
 * Pulumi serializes a dynamic provider (its methods and everything they capture) into the stack
 * state and runs it in a separate process. The methods made here capture only `load` (which captures
 * two path strings, see ./http/loader.ts) and the name of the function they call: no module state,
 * no HTTP client, no secret. The serialization tests (tests/unit/*-serialize.test.ts,
 * tests/unit/infra-local-provider.test.ts) revive the text in plain Node and run it.
 */
import * as pulumi from '@pulumi/pulumi';
import { DYNAMIC } from './tokens.ts';

type Method = 'create' | 'diff' | 'update' | 'read' | 'delete';
// `any`: each method's own argument and result types are the implementation's.
type Fn = (...args: any[]) => Promise<any>;
type Crud<P extends string> = { create: `${P}Create`; diff: `${P}Diff`; update: `${P}Update`; delete: `${P}Delete` };
type FnName<T> = { [K in keyof T]: T[K] extends Fn ? K : never }[keyof T] & string;

/**
 * A provider whose method `m` calls `impl[names[m]](…the method's arguments)` on the module `load`
 * returns. A method not named is not offered (Pulumi then uses its default, e.g. no `read`).
 */
export function forwardingProvider<T>(
  load: () => Promise<T>,
  names: { create: FnName<T>; diff: FnName<T>; update: FnName<T>; delete: FnName<T>; read?: FnName<T> },
): pulumi.dynamic.ResourceProvider {
  const forward =
    (name: string) =>
    async (...args: unknown[]) =>
      ((await load()) as Record<string, Fn>)[name](...args);
  const provider: Partial<Record<Method, Fn>> = {};
  for (const method of ['create', 'diff', 'update', 'read', 'delete'] as const) {
    const name = names[method];
    if (name !== undefined) provider[method] = forward(name);
  }
  return provider as pulumi.dynamic.ResourceProvider;
}

/** The names `<prefix>Create`, `<prefix>Diff`, `<prefix>Update`, `<prefix>Delete` (and `<prefix>Read` with `read`). */
export function crud<P extends string>(prefix: P): Crud<P>;
export function crud<P extends string>(prefix: P, read: 'read'): Crud<P> & { read: `${P}Read` };
export function crud(prefix: string, read?: 'read'): Record<string, string> {
  const names = { create: `${prefix}Create`, diff: `${prefix}Diff`, update: `${prefix}Update`, delete: `${prefix}Delete` };
  return read ? { ...names, read: `${prefix}Read` } : names;
}

/** `opts` with `keys` added to the outputs Pulumi stores as secrets. */
export const withSecrets = (opts: pulumi.CustomResourceOptions | undefined, keys: string[]): pulumi.CustomResourceOptions => ({
  ...opts,
  additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...keys],
});

/** A dynamic resource's outputs as Pulumi Outputs (what `new R(…)` exposes). */
export type Outputs<O> = { readonly [K in keyof O]: pulumi.Output<O[K]> };

/** The class {@link dynamicResource} returns. */
export type DynamicResourceClass<A, O> = new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => pulumi.dynamic.Resource & Outputs<O>;

/**
 * A dynamic resource class: `new R(name, args, opts)` registers a resource of `type` served by
 * `provider`, its inputs `args` (as `prepare` marks them, e.g. secret) plus every key the provider
 * returns in `outputs` (undefined until it does), with the outputs `secret` kept secret.
 */
export function dynamicResource<A extends object, O>(
  provider: pulumi.dynamic.ResourceProvider,
  type: string,
  spec: { outputs: string[]; secret: string[]; prepare?: (args: A) => object },
): DynamicResourceClass<A, O> {
  const outs = Object.fromEntries(spec.outputs.map((k) => [k, undefined]));
  return class extends pulumi.dynamic.Resource {
    constructor(name: string, args: A, opts?: pulumi.CustomResourceOptions) {
      const options = spec.secret.length ? withSecrets(opts, spec.secret) : opts;
      super(provider, name, { ...outs, ...(spec.prepare ? spec.prepare(args) : args) }, options, DYNAMIC.module, type);
    }
  } as unknown as DynamicResourceClass<A, O>;
}

/** Args of an env resource (Railway variables, Render env vars): the platform's own keys plus both halves of the env. */
export interface EnvVarsArgs {
  plain: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret values (name → secret Output); kept secret here whatever the platform calls them. */
  secret: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** What an env resource exposes; `digest`, salted and secret, feeds the deploy resource so a change redeploys. */
export interface EnvVarsOutputs {
  plainKeys: string[];
  secretKeys: string[];
  digest: string;
}

/**
 * A service's plain env and secrets as one resource (Railway variables, Render env vars). Its state
 * keeps the names and a salted digest (secret), never a value (./http/digest.ts `envState`);
 * `credentialKey` is the arg holding the platform's API credential (kept secret as well).
 */
export function envVarsResource<A extends EnvVarsArgs>(provider: pulumi.dynamic.ResourceProvider, type: string, credentialKey: string): DynamicResourceClass<A, EnvVarsOutputs> {
  return dynamicResource<A, EnvVarsOutputs>(provider, type, {
    outputs: ['plainKeys', 'secretKeys', 'salt', 'digest'],
    secret: [credentialKey, 'digest'],
    prepare: (args) => ({ ...args, secret: pulumi.secret(args.secret) }),
  });
}
