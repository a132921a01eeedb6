/**
 * The Railway contract fake (tests/helpers/contract-fake-railway.ts) and the GraphQL client
 * (src/infra/targets/railway/graphql.ts) against it: the fake rejects what Railway's schema
 * rejects, answers in the schema's shape, and plays the faults the client must survive.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as api from '../../src/infra/targets/railway/api.ts';
import { findOrCreate, gql, RailwayError, connection } from '../../src/infra/targets/railway/graphql.ts';
import { startRailwayFake, type RailwayFake } from '../helpers/contract-fake-railway.ts';

const TOKEN = 'rw-test-token-7f3a';
let fake: RailwayFake;
const conn = (over: Record<string, unknown> = {}) => connection({ baseUrl: fake.url, timeoutMs: 500, maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 20, deadlineMs: 5000, ...over }, TOKEN);

async function raw(body: unknown, token = TOKEN): Promise<{ status: number; body: any }> {
  const res = await fetch(fake.url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

beforeEach(async () => {
  fake = await startRailwayFake(TOKEN);
});
afterEach(async () => {
  await fake.close();
});

describe('the fake validates every request against the published schema', () => {
  it('an unknown field: HTTP 400 with GraphQL errors, recorded as a violation', async () => {
    const r = await raw({ query: 'query X { projects { edges { node { id colour } } } }', operationName: 'X' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].message).toBe('Cannot query field "colour" on type "Project".');
    expect(fake.violations).toEqual(['X: Cannot query field "colour" on type "Project".']);
  });

  it('a wrong argument type and a missing required argument: HTTP 400', async () => {
    const r = await raw({ query: 'mutation Y { projectDelete(id: 42) serviceInstanceDeployV2(serviceId: "s") }', operationName: 'Y' });
    expect(r.status).toBe(400);
    const messages = r.body.errors.map((e: { message: string }) => e.message).join('\n');
    expect(messages).toContain('String cannot represent a non string value: 42');
    expect(messages).toContain('argument "environmentId" of type "String!" is required');
    expect(fake.violations).toHaveLength(2);
  });

  it('a missing required input field or a wrong enum in variables: errors, no data, a violation', async () => {
    const r = await raw({
      query: 'mutation Z($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) { id } }',
      variables: { input: { serviceId: 's' } },
      operationName: 'Z',
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors[0].message).toMatch(/Field "environmentId" of required type "String!" was not provided/);
    const e = await raw({
      query: 'mutation W($s: String!, $e: String!, $i: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $s, environmentId: $e, input: $i) }',
      variables: { s: 'x', e: 'y', i: { restartPolicyType: 'SOMETIMES', numReplicas: '2' } },
      operationName: 'W',
    });
    const messages = e.body.errors.map((x: { message: string }) => x.message).join('\n');
    expect(messages).toMatch(/SOMETIMES.*RestartPolicyType/);
    expect(messages).toMatch(/numReplicas.*Int cannot represent non-integer value: "2"/);
    expect(fake.violations).toHaveLength(3);
  });

  it('the client fails loudly on such an answer, naming the operation', async () => {
    await expect(gql(conn(), 'RailwayServiceDomainCreate', { input: { serviceId: 's' } })).rejects.toThrow(
      /^Railway RailwayServiceDomainCreate failed: Variable "\$input" got invalid value .*environmentId/,
    );
    expect(fake.violations).toHaveLength(1);
  });

  it('valid requests for unknown ids answer HTTP 200 with errors (not violations); the client throws RailwayError', async () => {
    const err = await gql(conn(), 'RailwayProjectDelete', { id: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RailwayError);
    expect((err as RailwayError).message).toBe('Railway RailwayProjectDelete failed: Project not found');
    expect((err as RailwayError).notFound).toBe(true);
    expect(fake.calls('projectDelete')).toHaveLength(1); // not retried
    expect(fake.violations).toEqual([]);
  });

  it('a wrong token: "Not Authorized" with the reason project tokens are refused', async () => {
    const bad = connection({ baseUrl: fake.url, maxAttempts: 1 }, 'project-token-xyz');
    await expect(api.listProjects(bad, null)).rejects.toThrow(/Not Authorized — catalyst:railwayToken must be an account or workspace token.*Project-Access-Token.*cannot create projects/);
    expect(fake.log[0].headers).not.toHaveProperty('authorization');
  });
});

describe('the client survives the faults', () => {
  it('an errors array with HTTP 200 is a failure carrying Railway\'s message', async () => {
    fake.fault({ field: 'projects', errors: ['Problem processing request', 'try again later'] });
    await expect(api.listProjects(conn(), null)).rejects.toThrow('Railway RailwayProjects failed: Problem processing request; try again later');
  });

  it('429 with Retry-After and 500 are retried; the answer then arrives', async () => {
    fake.fault({ field: 'projects', status: 429, headers: { 'retry-after': '0.05' }, body: { errors: [{ message: 'Too many requests' }] } });
    fake.fault({ field: 'projects', status: 500 });
    const started = Date.now();
    expect(await api.listProjects(conn({ baseDelayMs: 1, maxDelayMs: 200 }), null)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45); // waited for Retry-After
    expect(fake.calls('projects').map((c) => c.status)).toEqual([429, 500, 200]);
  });

  it('retries stop at the deadline, naming it', async () => {
    fake.fault({ field: 'projects', status: 503, times: 100 });
    await expect(api.listProjects(conn({ maxAttempts: 100, baseDelayMs: 40, maxDelayMs: 40, deadlineMs: 150 }), null)).rejects.toThrow(/HTTP 503.*retry deadline of 150 ms reached/);
    expect(fake.calls('projects').length).toBeLessThan(8);
  });

  it('a timed-out create is found, not made twice (idempotent create)', async () => {
    const c = conn();
    const p = await api.createProject(c, { name: 'support-bot', description: 'd', defaultEnvironmentName: 'prod' });
    const env = p.environments[0];
    fake.fault({ field: 'serviceCreate', applyFirst: true, delayMs: 800 });
    const res = await findOrCreate(
      c,
      async () => (await api.listServices(c, p.id)).find((s) => s.name === 'web') ?? null,
      (single) => api.createService(single, { projectId: p.id, environmentId: env.id, name: 'web' }),
    );
    expect(res).toMatchObject({ created: true, preexisting: false, value: { name: 'web' } });
    expect(fake.state.services.size).toBe(1);
    expect(fake.calls('serviceCreate')).toHaveLength(1);
    const again = await findOrCreate(c, async () => (await api.listServices(c, p.id)).find((s) => s.name === 'web') ?? null, () => Promise.reject(new Error('not called')));
    expect(again).toMatchObject({ created: false, preexisting: true });
    expect(fake.violations).toEqual([]);
  });
});
