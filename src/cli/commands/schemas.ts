import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionJsonSchemas } from '../../definitions/jsonschema.ts';
import { flagBool, parseArgs } from '../args.ts';
import type { Command } from '../types.ts';

export const command: Command = {
  name: 'schemas',
  summary: 'write or check the JSON Schemas of the definition files (schemas/)',
  usage: `catalyst schemas [--write | --check] [--dir schemas]

Generates schemas/project.schema.json and schemas/workflow.schema.json from the zod schemas.
  --write   write the files (default)
  --check   exit 1 when the committed files differ from what would be generated`,
  async run(argv, ctx) {
    const args = parseArgs(argv, { booleans: ['write', 'check'], values: ['dir'] });
    const dir = join(ctx.cwd, typeof args.flags.dir === 'string' ? args.flags.dir : 'schemas');
    const schemas = definitionJsonSchemas();
    if (flagBool(args, 'check')) {
      const stale = Object.entries(schemas).filter(([f, text]) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== text);
      for (const [f] of stale) ctx.stderr(`${join(dir, f)} is out of date; run \`npx catalyst schemas --write\`\n`);
      if (stale.length === 0) ctx.stdout('schemas are up to date\n');
      return stale.length ? 1 : 0;
    }
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(schemas)) {
      writeFileSync(join(dir, f), text);
      ctx.stdout(`wrote ${join(dir, f)}\n`);
    }
    return 0;
  },
};
