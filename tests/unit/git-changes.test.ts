import { describe, expect, it } from 'vitest';
import { affectedProjects, classifyChanges, isShared, stackImpact } from '../../src/gitops/changes.ts';
import type { ChangedFile } from '../../src/gitops/index.ts';
import { envRank, isProductionEnv, orderEnvs, orderStacks, projectOrder, stackNeeds } from '../../src/gitops/order.ts';
import type { StackFile } from '../../src/contracts/stack-name.ts';

const f = (path: string, status: ChangedFile['status'] = 'modified'): ChangedFile => ({ path, status });

describe('classifyChanges', () => {
  it('maps files to workflows, projects, stack configs, shared code and the rest', () => {
    const s = classifyChanges(
      [
        f('projects/billing/workflows/charge.yaml'),
        f('projects/billing/workflows/tax.yml', 'deleted'),
        f('projects/billing/project.yaml'),
        f('projects/support-bot/workflows/ask.yaml', 'added'),
        f('projects/support-bot/prompts/system.md'),
        f('stacks/Pulumi.billing.prod.yaml'),
        f('docs/gitops.md'),
        f('tests/unit/x.test.ts'),
      ],
      [f('projects/support-bot/workflows/ask.yaml'), f('templates/app/main.py.ejs', 'untracked')],
    );
    expect(s.shared).toEqual([{ path: 'templates/app/main.py.ejs', status: 'untracked', uncommitted: true }]);
    expect(s.projects).toEqual([
      {
        project: 'billing',
        settings: true,
        workflows: ['charge', 'tax'],
        files: [
          { path: 'projects/billing/project.yaml', status: 'modified', uncommitted: false },
          { path: 'projects/billing/workflows/charge.yaml', status: 'modified', uncommitted: false },
          { path: 'projects/billing/workflows/tax.yml', status: 'deleted', uncommitted: false },
        ],
      },
      {
        project: 'support-bot',
        settings: false,
        workflows: ['ask'],
        files: [
          { path: 'projects/support-bot/prompts/system.md', status: 'modified', uncommitted: false },
          // changed in a commit and again in the work tree: counted once, as uncommitted
          { path: 'projects/support-bot/workflows/ask.yaml', status: 'modified', uncommitted: true },
        ],
      },
    ]);
    expect(s.stackConfigs).toEqual([{ stack: 'billing.prod', files: [{ path: 'stacks/Pulumi.billing.prod.yaml', status: 'modified', uncommitted: false }] }]);
    expect(s.other.map((c) => c.path)).toEqual(['docs/gitops.md', 'tests/unit/x.test.ts']);
  });

  it('treats src/, templates/, package.json, package-lock.json and Pulumi.yaml as shared code', () => {
    for (const p of ['src/infra/index.ts', 'templates/ci/github/pr.yml.ejs', 'package.json', 'package-lock.json', 'Pulumi.yaml']) expect(isShared(p)).toBe(true);
    for (const p of ['srcs/x', 'docs/x.md', 'projects/a/project.yaml', 'README.md', 'stacks/Pulumi.a.b.yaml']) expect(isShared(p)).toBe(false);
  });

  it('says which stacks are affected, and why', () => {
    const onlyBilling = classifyChanges([f('projects/billing/workflows/charge.yaml')]);
    expect(stackImpact('billing.prod', onlyBilling)).toEqual({ stack: 'billing.prod', affected: true, reasons: ['project billing'] });
    expect(stackImpact('support-bot.prod', onlyBilling)).toEqual({ stack: 'support-bot.prod', affected: false, reasons: [] });
    const config = classifyChanges([f('stacks/Pulumi.support-bot.prod.yaml')]);
    expect(stackImpact('support-bot.prod', config).reasons).toEqual(['stack config']);
    expect(stackImpact('support-bot.staging', config).affected).toBe(false);
    const shared = classifyChanges([f('src/codegen/x.ts'), f('projects/billing/project.yaml')]);
    expect(stackImpact('billing.staging', shared).reasons).toEqual(['shared code', 'project billing']);
    expect(affectedProjects(shared, ['support-bot', 'billing'])).toEqual(['billing', 'support-bot']);
    expect(affectedProjects(onlyBilling, ['support-bot', 'billing'])).toEqual(['billing']);
    // a deleted project is not deployable any more
    expect(affectedProjects(classifyChanges([f('projects/gone/project.yaml', 'deleted')]), ['billing'])).toEqual([]);
  });
});

const ref = (name: string): StackFile => {
  const [project, env] = name.split('.');
  return { name, project, env, file: `stacks/Pulumi.${name}.yaml` };
};

describe('deploy order', () => {
  it('ranks environments in promotion order', () => {
    expect(orderEnvs(['prod', 'staging', 'dev', 'eu', 'qa', 'local', 'prod'])).toEqual(['local', 'dev', 'qa', 'staging', 'eu', 'prod']);
    expect(envRank('Production')).toBe(5);
    expect(isProductionEnv('live')).toBe(true);
    expect(isProductionEnv('staging')).toBe(false);
  });

  it('orders stacks by environment, then callees before callers, and lists what each waits for', () => {
    const deps = new Map([
      ['support-bot', ['billing']],
      ['billing', []],
      ['gateway', ['support-bot', 'billing']],
    ]);
    const stacks = ['support-bot.prod', 'gateway.staging', 'billing.prod', 'support-bot.staging', 'billing.staging', 'gateway.prod'].map(ref);
    expect(orderStacks(stacks, deps).map((s) => s.name)).toEqual([
      'billing.staging',
      'support-bot.staging',
      'gateway.staging',
      'billing.prod',
      'support-bot.prod',
      'gateway.prod',
    ]);
    expect(stackNeeds(ref('gateway.prod'), stacks, deps).map((s) => s.name)).toEqual(['billing.prod', 'support-bot.prod']);
    expect(stackNeeds(ref('billing.prod'), stacks, deps)).toEqual([]);
    // a callee without a stack in that environment is not waited for
    expect(stackNeeds(ref('support-bot.dev'), stacks, deps)).toEqual([]);
    expect(projectOrder(['b', 'a'], new Map())).toEqual(['a', 'b']);
  });

  it('refuses a call cycle', () => {
    expect(() => projectOrder(['a', 'b'], new Map([['a', ['b']], ['b', ['a']]]))).toThrow(/cycle: a, b/);
  });
});
