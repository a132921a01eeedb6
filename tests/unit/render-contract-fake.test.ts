/**
 * The contract fake itself (tests/helpers/contract-fake.ts): that it really rejects what the
 * published descriptions do not allow, for both the Fly and the Render description, and checks
 * its own responses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { convertDescription, pick, startContractFake, validatorFor, type ContractFake } from '../helpers/contract-fake.ts';
import { flyHandlers, newFlyState, type FlyFakeState } from '../helpers/contract-fake-fly.ts';
import { startRenderFake, type RenderFakeState } from '../helpers/contract-fake-render.ts';

const TOKEN = 'tok';
let fake: ContractFake<FlyFakeState> | ContractFake<RenderFakeState> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const call = (url: string, method: string, body?: unknown, token = TOKEN) =>
  fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('Fly description', () => {
  it('rejects unknown operations, unknown/misspelt fields, bad params, missing bodies', async () => {
    const f = await startContractFake({ description: 'fly-machines-openapi.json', token: TOKEN, state: newFlyState(), handlers: flyHandlers });
    fake = f;
    expect((await call(`${f.url}/v1/nope`, 'GET')).status).toBe(404);
    expect((await call(`${f.url}/v1/apps`, 'PUT', {})).status).toBe(404);
    // the 2024 API's field name is not in the current description
    const old = await call(`${f.url}/v1/apps`, 'POST', { app_name: 'a', org_slug: 'personal' });
    expect(old.status).toBe(400);
    expect(((await old.json()) as { error: string }).error).toContain('must NOT have additional properties');
    expect((await call(`${f.url}/v1/apps`, 'POST')).status).toBe(400); // body required
    expect((await call(`${f.url}/v1/apps/a`, 'DELETE', {})).status).toBe(400); // no body allowed
    expect((await call(`${f.url}/v1/apps`, 'POST', '{not json')).status).toBe(400);
    expect((await call(`${f.url}/v1/apps/a/machines/m/wait?state=bogus&extra=1`, 'GET')).status).toBe(400);
    expect((await call(`${f.url}/v1/apps`, 'GET')).status).toBe(400); // org_slug query required
    expect((await call(`${f.url}/v1/apps/a`, 'GET', undefined, 'wrong')).status).toBe(401);
    expect(f.violations.join('\n')).toMatch(/no such operation[\s\S]*additionalProperty[\s\S]*request body is required[\s\S]*takes no JSON request body[\s\S]*not JSON[\s\S]*state[\s\S]*unknown query parameter extra[\s\S]*org_slug is required/);
    expect((await call(`${f.url.replace('127.0.0.1', 'localhost')}/v1/apps/a/machines`, 'POST', { config: { image: 'x', guest: { cpus: '1' } } })).status).toBe(400);
    expect(f.violations.at(-1)).toMatch(/config\/guest\/cpus must be integer/);
  });

  it('checks its own responses and reports handlers it lacks', async () => {
    const f = await startContractFake({
      description: 'fly-machines-openapi.json',
      token: TOKEN,
      state: newFlyState(),
      handlers: {
        Apps_show: () => ({ status: 200, body: { name: 5 } }),
        Apps_create: () => ({ status: 201, body: { unexpected: true } }),
        Apps_delete: () => {
          throw new Error('handler bug');
        },
      },
    });
    fake = f;
    await call(`${f.url}/v1/apps/x`, 'GET');
    await call(`${f.url}/v1/apps`, 'POST', { name: 'x', org_slug: 'y' });
    expect((await call(`${f.url}/v1/apps/x/ip_assignments`, 'GET')).status).toBe(501);
    expect((await call(`${f.url}/v1/apps/x`, 'DELETE')).status).toBe(500);
    expect(f.violations).toHaveLength(4);
    expect(f.violations[0]).toMatch(/Apps_show.*response 200 \/name must be string/);
    expect(f.violations[1]).toMatch(/declares no JSON body/);
    expect(f.violations[2]).toMatch(/no handler for App_IPAssignments_list/);
    expect(f.violations[3]).toMatch(/fake crashed: Error: handler bug/);
  });

  it('matches literal segments before parameters', () => {
    const v = validatorFor('fly-machines-openapi.json');
    expect(v.match('GET', '/v1/apps/a/machines/m/wait')?.op.operationId).toBe('Machines_wait');
    expect(v.match('GET', '/v1/apps/a/machines/m')?.op.operationId).toBe('Machines_show');
    expect(v.match('GET', '/v1/apps/a%20b')?.params).toEqual({ app_name: 'a b' });
  });
});

describe('Render description', () => {
  it('rejects a web service payload that webServiceDetailsPOST does not allow, and bad enums', async () => {
    const f = await startRenderFake(TOKEN);
    fake = f;
    const base = { type: 'web_service', name: 'n', ownerId: 'tea-1', image: { ownerId: 'tea-1', imagePath: 'ghcr.io/a/b:1' } };
    const bad = await call(`${f.url}/services`, 'POST', { ...base, serviceDetails: { runtime: 'image', region: 'mars', healthcheckPath: '/health' } });
    expect(bad.status).toBe(400);
    expect(f.violations.join('\n')).toMatch(/serviceDetails.*region must be equal to one of the allowed values/);
    expect(f.violations.join('\n')).toMatch(/\/serviceDetails must NOT have additional properties.*healthcheckPath/);
    expect((await call(`${f.url}/services`, 'POST', { ...base, image: { imagePath: 'x' }, serviceDetails: { runtime: 'image' } })).status).toBe(400);
    expect(f.violations.at(-1)).toMatch(/image must have required property 'ownerId'/);
    expect((await call(`${f.url}/services/s/env-vars`, 'PUT', [{ key: 'A' }])).status).toBe(400);
    expect((await call(`${f.url}/services?type=nope&limit=1000`, 'GET')).status).toBe(400);
    expect((await call(`${f.url.replace('/v1', '')}/services`, 'GET')).status).toBe(404);
    expect(f.violations.at(-1)).toMatch(/outside the API base path \/v1/);
  });

  it('accepts a valid image web service and answers with a valid service', async () => {
    const f = await startRenderFake(TOKEN);
    fake = f;
    const res = await call(`${f.url}/services`, 'POST', {
      type: 'web_service',
      name: 'n',
      ownerId: 'tea-1',
      image: { ownerId: 'tea-1', imagePath: 'ghcr.io/a/b:1' },
      serviceDetails: { runtime: 'image', region: 'oregon', plan: 'starter', healthCheckPath: '/health', numInstances: 1 },
    });
    expect(res.status).toBe(201);
    expect(f.violations).toEqual([]);
  });
});

describe('conversion and helpers', () => {
  it('nullable admits null, oneOf becomes anyOf, objects with properties become strict', () => {
    const doc = convertDescription({
      components: {
        schemas: {
          N: { type: 'string', nullable: true, enum: ['a'] },
          U: { oneOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { $ref: '#/components/schemas/N' }] },
          O: { type: 'object', properties: { x: { type: 'object', properties: {} } }, additionalProperties: { type: 'object', properties: { y: {} } } },
          A: { type: 'array', items: { type: 'object', properties: { z: {} } } },
        },
        parameters: { P: { name: 'p', in: 'query', schema: { type: 'integer', nullable: true } } },
        responses: { R: { content: { 'application/json': { schema: { type: 'object', properties: { r: {} } } } } } },
      },
      paths: { '/x': { parameters: [{ name: 'q', in: 'query', schema: { type: 'string', nullable: true } }], get: { responses: {} }, summary: 'ignored' } },
    });
    const s = doc.components.schemas;
    expect(s.N).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(s.U.anyOf[0]).toEqual({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
    expect(s.U.oneOf).toBeUndefined();
    expect(s.O.properties.x.additionalProperties).toBe(false);
    expect(s.O.additionalProperties.additionalProperties).toBe(false);
    expect(s.A.items.additionalProperties).toBe(false);
    expect(doc.components.parameters.P.schema.type).toEqual(['integer', 'null']);
    expect(doc.components.responses.R.content['application/json'].schema.additionalProperties).toBe(false);
    expect(doc.paths['/x'].parameters[0].schema.type).toEqual(['string', 'null']);
  });

  it('picks values by pointer with wildcards', () => {
    expect(pick({ a: [{ b: 1 }, { b: 2 }, { c: 3 }] }, '/a/*/b')).toEqual([1, 2]);
    expect(pick({ a: 1 }, '/a/b')).toEqual([]);
    expect(pick({ a: 1 }, '')).toEqual([{ a: 1 }]);
  });
});
