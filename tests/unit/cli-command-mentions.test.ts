/**
 * Every `catalyst <command> [<subcommand>]` that the docs, the README, the templates, the files
 * Catalyst generates (apps of the example projects, the CI pipeline) and the commands' own help
 * mention exists: checked against the commands src/cli/commands defines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/cli/main.ts';
import { generateApp } from '../../src/codegen/index.ts';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { ciFiles } from '../../src/gitops/ci.ts';
import type { Command } from '../../src/cli/types.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Mentions in Markdown: inside code spans and fenced blocks only (prose may say "catalyst" freely). */
function markdownCode(text: string): string[] {
  const fenced = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  const spans = [...text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced, ...spans];
}

/** `catalyst a b` mentions in code (a workflow's `name: catalyst deploy` is a title, not a command). */
function mentions(code: string): [string, string | undefined][] {
  return [...code.replace(/^\s*name: .*$/gm, '').matchAll(/(?:^|[\s`'"(])catalyst ([a-z][a-z0-9-]*)(?: ([a-z][a-z0-9-]*))?/gm)].map((m) => [m[1], m[2]]);
}

function problems(source: string, code: string[], commands: Map<string, Command>): string[] {
  const out: string[] = [];
  for (const c of code) {
    for (const [name, sub] of mentions(c)) {
      const cmd = commands.get(name);
      if (name === 'help') {
        if (sub && !commands.has(sub)) out.push(`${source}: \`catalyst help ${sub}\`: no command "${sub}"`);
      } else if (!cmd) out.push(`${source}: \`catalyst ${name}\`: no such command`);
      else if (cmd.subcommands && sub && !cmd.subcommands.includes(sub)) out.push(`${source}: \`catalyst ${name} ${sub}\`: "${name}" has only ${cmd.subcommands.join(', ')}`);
    }
  }
  return out;
}

describe('commands mentioned anywhere exist', () => {
  it('in the README, docs/, templates/, the generated apps and CI pipeline, and the commands’ help', async () => {
    const commands = await loadCommands();
    const found: string[] = [];
    let count = 0;
    const check = (source: string, code: string[]) => {
      count += code.reduce((n, c) => n + mentions(c).length, 0);
      found.push(...problems(source, code, commands));
    };
    for (const f of ['README.md', ...readdirSync(join(ROOT, 'docs')).map((d) => `docs/${d}`)]) check(f, markdownCode(readFileSync(join(ROOT, f), 'utf8')));
    for (const f of walk(join(ROOT, 'templates'))) {
      const text = readFileSync(f, 'utf8');
      check(relative(ROOT, f), f.endsWith('.md.ejs') || f.endsWith('.md') ? markdownCode(text) : [text]);
    }
    const ws = loadWorkspace(ROOT) as { workspace: NonNullable<ReturnType<typeof loadWorkspace>['workspace']> };
    for (const p of ws.workspace.projects) {
      for (const [path, content] of generateApp(p, ws.workspace).files) check(`generated ${p.name}/${path}`, path.endsWith('.md') ? markdownCode(content) : [content]);
    }
    for (const f of ciFiles({ repo: ROOT }).files) check(`generated ${f.path}`, [f.content]);
    for (const c of commands.values()) check(`catalyst help ${c.name}`, [c.usage]);
    expect(found).toEqual([]);
    // The scan sees the mentions it is meant to see (the README alone has dozens).
    expect(count).toBeGreaterThan(50);
  });

  it('would catch a command that does not exist (the check itself)', async () => {
    const commands = await loadCommands();
    expect(problems('x.md', markdownCode('Run `catalyst stack up` then `npx catalyst deploy --env prod`, `catalyst help nope`.'), commands)).toEqual([
      'x.md: `catalyst stack up`: "stack" has only init',
      'x.md: `catalyst deploy`: no such command',
      'x.md: `catalyst help nope`: no command "nope"',
    ]);
    expect(problems('x.md', markdownCode('prose about catalyst commands, `catalyst up --env prod`, `catalyst stack init billing prod`'), commands)).toEqual([]);
  });
});
