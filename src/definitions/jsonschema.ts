import { z } from 'zod';
import { projectFile, workflowFile } from './schema.ts';

const BASE_ID = 'https://catalyst.dev/schemas/v1';

function render(schema: z.ZodType, name: string, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return `${JSON.stringify({ $schema, $id: `${BASE_ID}/${name}`, title, ...rest }, null, 2)}\n`;
}

/** The committed JSON Schemas of our definition files, generated from the zod schemas. */
export function definitionJsonSchemas(): Record<string, string> {
  return {
    'project.schema.json': render(projectFile, 'project.schema.json', 'Catalyst project (projects/<project>/project.yaml)'),
    'workflow.schema.json': render(workflowFile, 'workflow.schema.json', 'Catalyst workflow (projects/<project>/workflows/<workflow>.yaml)'),
  };
}
