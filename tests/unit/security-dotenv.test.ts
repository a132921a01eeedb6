import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemps, generateInto, requirePython, tempDir, workspaceFrom } from '../helpers/codegen.ts';

afterAll(cleanupTemps);

const PROJECT = (mark: string) =>
  `catalyst: 1\nname: envy\nsecrets:\n  API_KEY: a key\nenv:\n  GREETING: "hello $(touch ${mark}) \`touch ${mark}2\` world"\n  PLAIN: ok\n  MULTI: "a\\nB=injected"\n`;
const WF = 'catalyst: 1\nname: hi\nvisibility: public\nauth: none\ntrigger: { type: webhook, path: /hi }\nnodes: [{ id: r, type: respond, body: "{{ env.GREETING }}" }]\n';

/** Finding 4: an env default never reaches a shell; `python -m app` reads .env itself, literally. */
describe('.env.example and .env', () => {
  it('sourcing .env.example in a shell (what the README used to say) runs nothing', () => {
    const work = tempDir();
    const mark = join(work, 'pwned');
    const { workspace } = workspaceFrom({ 'envy/project.yaml': PROJECT(mark), 'envy/workflows/hi.yaml': WF });
    const { app, dir } = generateInto(workspace.projects[0], workspace);
    const example = app.files.get('.env.example')!;
    const r = spawnSync('sh', ['-c', 'set -a && . ./.env.example && set +a && env'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(mark)).toBe(false);
    expect(existsSync(`${mark}2`)).toBe(false);
    expect(r.stdout).not.toMatch(/^B=injected$/m);
    expect(example).toMatch(/do not source\n# it in a shell/);
    expect(app.files.get('README.md')).not.toMatch(/\.\s+\.\/\.env|set -a/);
    expect(app.files.get('README.md')).toMatch(/python -m app reads \.env itself/);
  });
  it('the runtime reads .env literally: no expansion, no quote removal, line separators stay in values, the environment wins', () => {
    const work = tempDir();
    const mark = join(work, 'pwned');
    const { workspace } = workspaceFrom({ 'envy/project.yaml': PROJECT(mark), 'envy/workflows/hi.yaml': WF });
    const { dir } = generateInto(workspace.projects[0], workspace);
    writeFileSync(join(dir, '.env'), [`GREETING=hi $(touch ${mark}) \`touch ${mark}\``, "QUOTED='x y'", 'API_KEY=from-file', 'FF=a\fB=2\u2028C=3', '# COMMENTED=1', 'not a line', '  SPACED=v\r', ''].join('\n'));
    const code = 'import json, os; from pathlib import Path; from catalyst_runtime import dotenv; n = dotenv.load(Path(".env")); print(json.dumps({"set": n, "env": {k: os.environ.get(k) for k in ["GREETING", "QUOTED", "API_KEY", "FF", "B", "C", "COMMENTED", "SPACED"]}}))';
    const r = spawnSync(requirePython(), ['-c', code], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, API_KEY: 'from-env' } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.env).toEqual({ GREETING: `hi $(touch ${mark}) \`touch ${mark}\``, QUOTED: "'x y'", API_KEY: 'from-env', FF: 'a\fB=2\u2028C=3', B: null, C: null, COMMENTED: null, SPACED: 'v' });
    expect(out.set).toEqual(['GREETING', 'QUOTED', 'FF', 'SPACED']);
    expect(existsSync(mark)).toBe(false);
  });
});
