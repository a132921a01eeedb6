/**
 * Pieces every Catalyst dynamic resource shares: the provider object that forwards each method to a
 * function of the implementation module, and the resource options that keep keys secret.
 *
 * Pulumi serializes a dynamic provider (its methods and everything they capture) into the stack
 * state and runs it in a separate process. The methods made here capture only `load` (which captures
 * two path strings, see ./http/loader.ts) and the name of the function they call: no module state,
 * no HTTP client, no secret. The serialization tests (tests/unit/*-serialize.test.ts,
 * tests/unit/infra-local-provider.test.ts) revive the text in plain Node and run it.
 */
import type * as pulumi from '@pulumi/pulumi';

type Method = 'create' | 'diff' | 'update' | 'read' | 'delete';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method's own argument and result types are the implementation's
type Fn = (...args: any[]) => Promise<any>;
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

/** `opts` with `keys` added to the outputs Pulumi stores as secrets. */
export const withSecrets = (opts: pulumi.CustomResourceOptions | undefined, keys: string[]): pulumi.CustomResourceOptions => ({
  ...opts,
  additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...keys],
});
