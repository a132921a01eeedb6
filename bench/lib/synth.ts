/**
 * Synthetic projects for the `generate` benchmark: one project with N workflows, a realistic mix —
 * every workflow a transform → condition → respond/respond chain; every other one public (webhook
 * route), the rest internal; every fourth one also calls the previous workflow in-process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function workflowName(i: number): string {
  return `w${String(i).padStart(4, '0')}`;
}

export function workflowYaml(i: number): string {
  const name = workflowName(i);
  const pub = i % 2 === 0;
  const calls = i > 0 && i % 4 === 0;
  const lines = [
    'catalyst: 1',
    `name: ${name}`,
    `description: Synthetic workflow ${i}.`,
    `visibility: ${pub ? 'public' : 'internal'}`,
    ...(pub ? ['auth: none', `trigger: { type: webhook, method: POST, path: /${name} }`] : []),
    'input:',
    '  type: object',
    '  properties:',
    '    customerId: { type: string, minLength: 1, maxLength: 64 }',
    '    amount: { type: number, minimum: 0 }',
    '    note: { type: string, maxLength: 200 }',
    '  required: [customerId, amount]',
    'nodes:',
    '  - id: prepare',
    '    type: transform',
    '    set:',
    `      key: "{{ concat('${name}_', input.customerId) }}"`,
    '      doubled: "{{ input.amount * 2 }}"',
    '      note: "{{ default(input.note, \'none\') }}"',
    '  - id: check',
    '    type: condition',
    '    if: "{{ nodes.prepare.doubled > 10 }}"',
    ...(calls
      ? [
          '  - id: sub',
          '    type: workflowCall',
          `    workflow: ${workflowName(i - 1)}`,
          '    input: { customerId: "{{ input.customerId }}", amount: "{{ input.amount }}" }',
        ]
      : []),
    '  - id: big',
    '    type: respond',
    '    body:',
    '      key: "{{ nodes.prepare.key }}"',
    '      total: "{{ round(nodes.prepare.doubled * 1.2, 2) }}"',
    ...(calls ? ['      sub: "{{ nodes.sub }}"'] : []),
    '  - id: small',
    '    type: respond',
    '    status: 202',
    '    body: { key: "{{ nodes.prepare.key }}", total: "{{ nodes.prepare.doubled }}" }',
    'edges:',
    '  - { from: prepare, to: check }',
    ...(calls ? ['  - { from: check, to: sub, branch: "true" }', '  - { from: sub, to: big }'] : ['  - { from: check, to: big, branch: "true" }']),
    '  - { from: check, to: small, branch: "false" }',
    '',
  ];
  return lines.join('\n');
}

/** Write `<root>/projects/synth` with n workflows; returns the project directory. */
export function writeSynthProject(root: string, n: number): string {
  const dir = join(root, 'projects', 'synth');
  mkdirSync(join(dir, 'workflows'), { recursive: true });
  writeFileSync(
    join(dir, 'project.yaml'),
    ['catalyst: 1', 'name: synth', `description: Synthetic project with ${n} workflows (bench/generate.ts).`, 'env:', '  CURRENCY: EUR', 'defaults:', '  visibility: internal', '  timeoutMs: 10000', ''].join('\n'),
  );
  for (let i = 0; i < n; i++) writeFileSync(join(dir, 'workflows', `${workflowName(i)}.yaml`), workflowYaml(i));
  return dir;
}
