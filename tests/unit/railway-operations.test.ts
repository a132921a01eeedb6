/**
 * Every GraphQL operation the Railway target can send (src/infra/targets/railway/operations.ts,
 * the only documents its client sends) parses and passes graphql-js `validate()` against Railway's
 * published introspection schema (../shared/schemas/railway-graphql-schema.json).
 */
import { buildClientSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/infra/targets/railway/operations.ts';
import { RAILWAY_SCHEMA_FILE } from '../helpers/contract-fake-railway.ts';

const schema = buildClientSchema(JSON.parse(readFileSync(RAILWAY_SCHEMA_FILE, 'utf8')).data);

describe('Railway operations', () => {
  it.each(Object.entries(OPERATIONS))('%s validates against the published schema', (name, query) => {
    const doc = parse(query);
    expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
    const ops = doc.definitions as OperationDefinitionNode[];
    expect(ops).toHaveLength(1);
    expect(ops[0].name?.value).toBe(name);
  });

  it('the check catches what Railway would reject (it is not vacuous)', () => {
    const bad = [
      'query A { projects { edges { node { id nmae } } } }',
      'mutation B($input: ServiceCreateInput) { serviceCreate(input: $input) { id } }',
      'mutation C($id: Int!) { projectDelete(id: $id) }',
      'mutation D { serviceInstanceDeployV2(serviceId: "s") }',
    ];
    for (const q of bad) expect(validate(schema, parse(q)).length, q).toBeGreaterThan(0);
  });

  it('the schema is the published one: the mutations the target uses exist', () => {
    const fields = Object.keys(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(200);
    for (const f of ['projectCreate', 'environmentCreate', 'serviceCreate', 'serviceInstanceUpdate', 'serviceInstanceDeployV2', 'variableCollectionUpsert', 'serviceDomainCreate', 'serviceDelete']) {
      expect(fields).toContain(f);
    }
  });
});
