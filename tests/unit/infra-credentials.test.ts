/**
 * Target credentials from the stack's secret config or from the environment variable that feeds the
 * same key (src/contracts/credentials.ts): the program's reader (src/infra/credentials.ts) and the
 * preflight (readStackConfig) agree, and the pipeline passes exactly those variables.
 */
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_ENV, credentialEnvsOf, credentialFromEnv } from '../../src/contracts/credentials.ts';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { readStackConfig } from '../../src/infra/config.ts';
import { TARGETS } from '../../src/infra/targets/index.ts';
import type { Target } from '../../src/infra/targets/types.ts';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function unwrap<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  return new Promise((resolve) => {
    o.apply((value) => {
      (o as unknown as { isSecret: Promise<boolean> }).isSecret.then((secret) => resolve({ value, secret }));
      return value;
    });
  });
}

describe('target credentials', () => {
  it('every credential key is a secret key of its target, and the pipeline passes its variable to that target only', () => {
    for (const [key, c] of Object.entries(CREDENTIAL_ENV)) {
      expect((TARGETS as Record<string, Target<any>>)[c.target].secretKeys).toContain(key);
      expect(credentialEnvsOf(c.target)).toContain(c.env);
    }
    expect(credentialEnvsOf('fly')).toEqual(['FLY_API_TOKEN']);
    expect(credentialEnvsOf('render')).toEqual(['RENDER_API_KEY']);
    expect(credentialEnvsOf('cloudrun')).toEqual([]);
    expect(credentialFromEnv('flyApiToken', { FLY_API_TOKEN: '' })).toBeUndefined();
    expect(credentialFromEnv('flyApiToken', { FLY_API_TOKEN: 'fo1_x' })).toBe('fo1_x');
  });

  it('the preflight accepts the variable in place of the stack secret, and names both when neither is there', () => {
    const raw = { stack: 'billing.prod', values: { project: 'billing', target: 'fly', flyOrg: 'acme', flyRegions: 'fra' }, secretKeys: [] };
    const ctx = { targets: TARGETS as Record<string, Target<any>>, loadProject: (n: string) => ({ project: loadProjectModel(n, { cwd: ROOT }).project }) };
    const without = readStackConfig(raw, ctx);
    expect(without.ok ? [] : without.problems.filter((p) => p.key === 'catalyst:flyApiToken')).toEqual([
      { key: 'catalyst:flyApiToken', message: 'secret required by target fly is not set', fix: 'pulumi config set --secret catalyst:flyApiToken --stack billing.prod (or set FLY_API_TOKEN in the environment)' },
    ]);
    const withEnv = readStackConfig(raw, { ...ctx, env: { FLY_API_TOKEN: 'fo1_from_ci' } });
    expect(withEnv.ok ? [] : withEnv.problems.filter((p) => p.key === 'catalyst:flyApiToken')).toEqual([]);
  });

  it('the program reads the stack secret first, else the variable, always as a secret', async () => {
    const { credential } = await import('../../src/infra/credentials.ts');
    pulumi.runtime.setAllConfig({}, []);
    expect(await unwrap(credential('renderApiKey', { RENDER_API_KEY: 'rnd_from_ci' }))).toEqual({ value: 'rnd_from_ci', secret: true });
    expect(() => credential('renderApiKey', {})).toThrow(/catalyst:renderApiKey/);
    pulumi.runtime.setAllConfig({ 'catalyst:renderApiKey': 'rnd_from_stack' }, ['catalyst:renderApiKey']);
    expect(await unwrap(credential('renderApiKey', { RENDER_API_KEY: 'rnd_from_ci' }))).toEqual({ value: 'rnd_from_stack', secret: true });
  });
});
