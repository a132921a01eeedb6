/**
 * The acceptance corpus: 64 real n8n exports (../shared/corpus/n8n beside the repository, MIT, see its NOTICE.md).
 * Every export is imported; the coverage (clean / partial / refused, with reasons) is recorded in
 * tests/fixtures/n8n/coverage.json and this test fails when it regresses. Every clean import validates,
 * and the project of all clean imports generates an app that passes ruff and starts under uvicorn.
 *
 * After an intended change of coverage: UPDATE_N8N_COVERAGE=1 npx vitest run tests/integration/n8n-corpus.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../src/definitions/load.ts';
import { generateApp, writeApp } from '../../src/codegen/index.ts';
import { importN8n, readExports, writeProject } from '../../src/n8n/index.ts';
import { topReasons } from '../../src/n8n/report.ts';
import { cleanupTemps, REPO, requirePython, runAsync, startApp, stopAllApps, tempDir, testPythonJs } from '../helpers/codegen.ts';

// The acceptance corpus lives beside the repository (shared/corpus/n8n); CATALYST_N8N_CORPUS overrides.
const CORPUS = process.env.CATALYST_N8N_CORPUS ?? join(REPO, '..', 'shared', 'corpus', 'n8n');
if (!existsSync(join(CORPUS, 'MANIFEST.tsv'))) throw new Error(`the n8n corpus is missing at ${CORPUS}: check out shared/ beside the repository or set CATALYST_N8N_CORPUS`);
const COVERAGE = join(REPO, 'tests', 'fixtures', 'n8n', 'coverage.json');

interface FileCoverage {
  status: 'clean' | 'partial' | 'refused';
  workflows: string[];
  errors: string[];
}
interface Coverage {
  corpus: string;
  summary: { files: number; clean: number; partial: number; refused: number };
  topReasons: { code: string; files: number }[];
  /**
   * Workflows started by an n8n Schedule Trigger: imported with a schedule trigger (before schedules
   * existed they were imported as internal workflows nothing ran), and rules that could not be mapped.
   */
  schedules: { imported: number; unmapped: string[] };
  files: Record<string, FileCoverage>;
}

function measure(): Coverage {
  const files: Record<string, FileCoverage> = {};
  const outcomes = [];
  const schedules: Coverage['schedules'] = { imported: 0, unmapped: [] };
  for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.json')).sort()) {
    const r = importN8n(readExports([f], CORPUS), 'corpus', { allowPartial: true });
    const o = r.report.files[0];
    outcomes.push(o);
    schedules.imported += o.issues.filter((i) => i.code === 'schedule-timezone').length;
    schedules.unmapped.push(...o.issues.filter((i) => i.code === 'schedule-rule' && /not mapped/.test(i.reason)).map((i) => `${f}: ${i.reason}`));
    files[f] = {
      status: o.status,
      workflows: o.workflows,
      errors: [...new Set(o.issues.filter((i) => i.severity === 'error').map((i) => `${i.code}${i.node ? ` [${i.node}]` : ''}: ${i.reason}`))],
    };
  }
  const list = Object.values(files);
  return {
    corpus: 'shared/corpus/n8n (64 exports from github.com/Zie619/n8n-workflows, MIT)',
    summary: { files: list.length, clean: list.filter((x) => x.status === 'clean').length, partial: list.filter((x) => x.status === 'partial').length, refused: list.filter((x) => x.status === 'refused').length },
    topReasons: topReasons(outcomes).map(({ code, files: n }) => ({ code, files: n })),
    schedules,
    files,
  };
}

let coverage: Coverage;
beforeAll(() => {
  coverage = measure();
});
afterAll(async () => {
  await stopAllApps();
  cleanupTemps();
});

describe('n8n corpus coverage', () => {
  it('does not regress against tests/fixtures/n8n/coverage.json', () => {
    if (process.env.UPDATE_N8N_COVERAGE) writeFileSync(COVERAGE, `${JSON.stringify(coverage, null, 2)}\n`);
    const recorded = JSON.parse(readFileSync(COVERAGE, 'utf8')) as Coverage;
    const regressions: string[] = [];
    if (coverage.summary.clean < recorded.summary.clean) regressions.push(`clean imports: ${recorded.summary.clean} → ${coverage.summary.clean}`);
    for (const [file, was] of Object.entries(recorded.files)) {
      const now = coverage.files[file];
      if (!now) regressions.push(`${file}: missing from the corpus`);
      else if (was.status === 'clean' && now.status !== 'clean') regressions.push(`${file}: was clean, now ${now.status}: ${now.errors.join('; ')}`);
      else if (was.status === 'partial' && now.status === 'refused') regressions.push(`${file}: was partial, now refused: ${now.errors.join('; ')}`);
    }
    expect(regressions, 'the importer regressed on the corpus').toEqual([]);
    expect(coverage, 'coverage changed (no regression): re-record it with UPDATE_N8N_COVERAGE=1 and commit tests/fixtures/n8n/coverage.json').toEqual(recorded);
  });

  it('covers the corpus with reasons for everything not clean', () => {
    expect(coverage.summary.files).toBe(64);
    for (const [file, c] of Object.entries(coverage.files)) {
      if (c.status === 'clean') expect(c.errors, file).toEqual([]);
      else expect(c.errors.length, file).toBeGreaterThan(0);
    }
  });

  it('is deterministic: importing twice gives identical files', () => {
    const a = importN8n(readExports(['.'], CORPUS), 'corpus', { allowPartial: true });
    const b = importN8n(readExports(['.'], CORPUS), 'corpus', { allowPartial: true });
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
  });
});

describe('cleanly imported workflows', () => {
  it('validate, generate an app that passes ruff, and start under uvicorn (/health 200)', { timeout: 300_000 }, async () => {
    requirePython();
    const python = await testPythonJs(); // the clean imports include JavaScript nodes
    const clean = Object.entries(coverage.files).filter(([, c]) => c.status === 'clean').map(([f]) => f);
    expect(clean.length).toBeGreaterThan(0);
    const result = importN8n(readExports(clean, CORPUS), 'corpus-clean', { allowPartial: false });
    expect(result.report.summary).toMatchObject({ clean: clean.length, partial: 0, refused: 0 });
    expect(result.writable).toBe(true);
    const root = tempDir('catalyst-n8n-corpus-');
    const projects = join(root, 'projects');
    writeProject(projects, 'corpus-clean', result.files);
    const ws = loadWorkspace(join(projects, 'corpus-clean'), { base: root });
    expect(ws.diagnostics).toEqual([]);
    const project = ws.workspace!.projects[0];
    expect(project.workflows.length).toBe(result.report.summary.workflows);

    const app = generateApp(project, ws.workspace!, { catalystVersion: '0.0.0-test' });
    const dir = join(root, 'app');
    writeApp(app, dir);
    const ruff = await runAsync(python, ['-m', 'ruff', 'check', '--no-cache', '--output-format', 'concise', '.'], { cwd: dir });
    expect(ruff.out, 'ruff check on the app of the clean corpus imports').toContain('All checks passed');
    const compile = await runAsync(python, ['-m', 'compileall', '-q', '-f', 'app'], { cwd: dir });
    expect(compile.code, compile.out).toBe(0);

    const secrets = Object.fromEntries(project.secrets.map((s) => [s.name, 'test-secret-value']));
    const running = await startApp(dir, python, secrets, 60_000);
    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ project: 'corpus-clean' });
    await running.stop();
  });
});
