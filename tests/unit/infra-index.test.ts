/**
 * src/index.ts as Pulumi loads it (setMocks, stack config in the runtime, then `await import`): its
 * default export is the program, and what it returns is exactly the stack outputs contract, in order.
 */
import * as pulumi from '@pulumi/pulumi';
import { expect, it } from 'vitest';
import { OUTPUT_KEYS, stackOutputsSchema } from '../../src/contracts/outputs.ts';
import { installMocks, resolveOutputs, settle } from './helpers/infra-mocks.ts';

it('exports the stack outputs contract for billing.local', async () => {
  installMocks('billing.local');
  // billing's declared secret and its peer key (support-bot calls its lookup), as secret config.
  pulumi.runtime.setAllConfig(
    { 'catalyst:project': 'billing', 'catalyst:target': 'local', 'catalyst:port': '18099', 'catalyst:BILLING_API_KEY': 'billing-index-api-key', 'catalyst:peerKey': 'billing-index-peer-key' },
    ['catalyst:BILLING_API_KEY', 'catalyst:peerKey'],
  );
  const mod = (await import('../../src/index.ts')) as Record<string, unknown>;
  // One default export, the program: Pulumi runs it and exports what it returns (no named exports beside it).
  expect(Object.keys(mod)).toEqual(['default']);
  const outputs = (await (mod.default as () => Promise<Record<string, unknown>>)()) as Record<string, unknown>;
  expect(Object.keys(outputs)).toEqual(OUTPUT_KEYS);
  const resolved = await resolveOutputs(outputs);
  await settle();
  expect(stackOutputsSchema.safeParse(resolved).error?.issues ?? []).toEqual([]);
  expect(resolved).toMatchObject({ project: 'billing', env: 'local', target: 'local', url: 'http://127.0.0.1:18099' });
});
