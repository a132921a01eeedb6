/**
 * The files Pulumi reads: Pulumi.yaml (against the published Pulumi.yaml schema) and every example
 * stack under stacks/ (against the program's own zod schemas; the secrets they still lack are
 * exactly the ones the preflight lists).
 */
import { CREDENTIAL_ENV } from '../../src/contracts/credentials.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadProjectModel } from '../../src/definitions/load.ts';
import { readStackConfig, type RawStackConfig } from '../../src/infra/config.ts';
import { setSecretCommand } from '../../src/infra/config-problems.ts';
import { TARGETS } from '../../src/infra/targets/index.ts';
import type { Target } from '../../src/infra/targets/types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('Pulumi.yaml', () => {
  it('is valid against the published schema and points at the program and stacks/', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'schemas', 'pulumi.json'), 'utf8'));
    delete schema.$schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const doc = parse(readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8'));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ name: 'catalyst', runtime: { name: 'nodejs', options: { typescript: false } }, main: 'src/index.ts', stackConfigDir: 'stacks' });
  });
});

/** A stack file as the program sees it: plain keys as values, `secure:` keys as secret handles. */
function rawFromFile(file: string): RawStackConfig {
  const stack = file.replace(/^Pulumi\.(.+)\.yaml$/, '$1');
  const doc = parse(readFileSync(join(ROOT, 'stacks', file), 'utf8')) as { config: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [full, v] of Object.entries(doc.config)) {
    const key = full.replace(/^catalyst:/, '');
    if (v && typeof v === 'object' && 'secure' in v) {
      secretKeys.push(key);
      values[key] = pulumi.secret('(encrypted)');
    } else values[key] = typeof v === 'object' ? v : String(v);
  }
  return { stack, values, secretKeys };
}

const files = readdirSync(join(ROOT, 'stacks')).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).sort();

describe('example stacks', () => {
  it('cover the demo and every remote target', () => {
    expect(files).toEqual(expect.arrayContaining(['Pulumi.billing.local.yaml', 'Pulumi.support-bot.local.yaml', 'Pulumi.support-bot.prod.yaml', 'Pulumi.billing.prod.yaml', 'Pulumi.billing.staging.yaml']));
    const targets = new Set(files.map((f) => rawFromFile(f).values.target));
    expect([...targets].sort()).toEqual(['cloudrun', 'fly', 'local', 'render']);
  });

  it.each(files)('%s passes the stack config schemas; only its unset secrets are missing', (file) => {
    const raw = rawFromFile(file);
    const ctx = {
      targets: TARGETS as Record<string, Target<any>>,
      loadProject: (name: string) => ({ project: loadProjectModel(name, { cwd: ROOT }).project }),
    };
    const relaxed = readStackConfig(raw, { ...ctx, requireSecrets: false });
    expect(relaxed.ok ? [] : relaxed.problems).toEqual([]);
    const strict = readStackConfig(raw, ctx);
    const fixes = strict.ok ? [] : strict.problems.map((p) => p.fix);
    const project = loadProjectModel(String(raw.values.project), { cwd: ROOT }).project;
    const target = TARGETS[raw.values.target as keyof typeof TARGETS];
    const expected = [...project.secrets.map((s) => s.name), ...(target.secretKeys ?? [])].filter((n) => !raw.secretKeys.includes(n));
    // A target credential may also come from its environment variable (src/contracts/credentials.ts).
    const fix = (n: string) => `${setSecretCommand(raw.stack, n)}${CREDENTIAL_ENV[n] ? ` (or set ${CREDENTIAL_ENV[n].env} in the environment)` : ''}`;
    expect(fixes.sort()).toEqual(expected.map(fix).sort());
  });

  it('the local demo stacks carry their encrypted secrets and salt (development passphrase)', () => {
    const sb = parse(readFileSync(join(ROOT, 'stacks', 'Pulumi.support-bot.local.yaml'), 'utf8'));
    expect(sb.encryptionsalt).toMatch(/^v1:/);
    expect(sb.config['catalyst:OPENAI_API_KEY'].secure).toMatch(/^v1:/);
    expect(sb.config['catalyst:TICKETS_TOKEN'].secure).toMatch(/^v1:/);
    const b = parse(readFileSync(join(ROOT, 'stacks', 'Pulumi.billing.local.yaml'), 'utf8'));
    expect(b.encryptionsalt).toMatch(/^v1:/);
    for (const f of files) {
      const text = readFileSync(join(ROOT, 'stacks', f), 'utf8');
      expect(text, f).not.toMatch(/sk-local-dev|tickets-local-dev/);
    }
  });
});
