/**
 * src/index.ts as Pulumi loads it (setMocks, stack config in the runtime, then `await import`): its
 * named exports are exactly the stack outputs contract.
 */
import * as pulumi from '@pulumi/pulumi';
import { expect, it } from 'vitest';
import { OUTPUT_KEYS, stackOutputsSchema } from '../../src/infra/outputs.ts';
import { installMocks, resolveOutputs, settle } from './helpers/infra-mocks.ts';

it('exports the stack outputs contract for billing.local', async () => {
  installMocks('billing.local');
  pulumi.runtime.setAllConfig({ 'catalyst:project': 'billing', 'catalyst:target': 'local', 'catalyst:port': '18099' }, []);
  const mod = (await import('../../src/index.ts')) as Record<string, unknown>;
  expect(Object.keys(mod).sort()).toEqual([...OUTPUT_KEYS].sort());
  const resolved = await resolveOutputs(mod);
  await settle();
  expect(stackOutputsSchema.safeParse(resolved).error?.issues ?? []).toEqual([]);
  expect(resolved).toMatchObject({ project: 'billing', env: 'local', target: 'local', url: 'http://127.0.0.1:18099' });
});
