/**
 * The generated apps' Python dependencies: the hashed lock (src/codegen/requirements/app.txt, compiled
 * from app.in), the test lock (test.txt) agreeing with it, the fast extras and the project opt-out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateApp } from '../../src/codegen/index.ts';
import { appRequirements, FAST_EXTRAS, JS_EXTRAS, lockedAppRequirements, parseLock, requirementsText } from '../../src/codegen/requirements.ts';
import { loadExample, REPO, workspaceFrom } from '../helpers/codegen.ts';

const DIR = join(REPO, 'src', 'codegen', 'requirements');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
/** `name==version` pins of a .in file (comments, options and markers dropped). */
const directPins = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('-'))
    .map((l) => l.split(';')[0].trim());

describe('the locked requirements', () => {
  it('pin every package of the app with at least one sha256 hash, sorted by name', () => {
    const lock = lockedAppRequirements();
    expect(lock.length).toBeGreaterThan(10);
    for (const r of lock) {
      expect(r.version, r.name).toMatch(/^\d/);
      expect(r.hashes.length, r.name).toBeGreaterThan(0);
      for (const h of r.hashes) expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(lock.map((r) => r.name)).toEqual([...lock.map((r) => r.name)].sort());
  });

  it('hold every direct pin of app.in at its version, the fast extras included', () => {
    const lock = new Map(lockedAppRequirements().map((r) => [r.name, r.version]));
    const pins = directPins(read('app.in'));
    expect(pins).toEqual(expect.arrayContaining(['fastapi==0.165.0', 'uvicorn==0.54.0']));
    for (const pin of pins) {
      const [name, version] = pin.split('==');
      expect(lock.get(name), pin).toBe(version);
    }
    for (const extra of FAST_EXTRAS) expect(lock.has(extra), extra).toBe(true);
    // uvloop has no Windows build: the marker keeps `pip install` working there.
    expect(lockedAppRequirements().find((r) => r.name === 'uvloop')!.marker).toContain("sys_platform != 'win32'");
  });

  it('test.txt is the app set at the same versions and hashes, plus the test tools', () => {
    const test = new Map(parseLock(read('test.txt')).map((r) => [r.name, r]));
    for (const r of lockedAppRequirements()) expect(test.get(r.name), r.name).toEqual(r);
    for (const pin of directPins(read('test.in'))) expect(`${pin.split('==')[0]}==${test.get(pin.split('==')[0])?.version}`).toBe(pin);
  });

  it('parseLock refuses a requirement without hashes and names it', () => {
    expect(() => parseLock('fastapi==0.165.0\n')).toThrow(/fastapi==0\.165\.0 has no hashes .*lock-python\.sh/);
    expect(() => parseLock('fastapi>=1 \\\n    --hash=sha256:' + 'a'.repeat(64) + '\n')).toThrow(/cannot read "fastapi>=1/);
  });

  it('requirementsText round-trips through parseLock', () => {
    const lock = lockedAppRequirements();
    expect(parseLock(requirementsText(lock))).toEqual(lock);
  });
});

describe('the generated requirements.txt', () => {
  it('is the locked set with hashes (fast extras in by default)', () => {
    const { project, workspace } = loadExample('billing');
    expect(project.server).toEqual({ fastExtras: true });
    const text = generateApp(project, workspace).files.get('requirements.txt')!;
    const got = parseLock(text);
    // billing has no JavaScript nodes: everything locked but mini-racer.
    expect(got).toEqual(lockedAppRequirements().filter((r) => !(JS_EXTRAS as readonly string[]).includes(r.name)));
    expect(got.map((r) => r.name)).toEqual(expect.arrayContaining([...FAST_EXTRAS]));
    expect(appRequirements({ fastExtras: true, usesJs: true })).toEqual(lockedAppRequirements());
  });

  it('leaves out uvloop and httptools, and nothing else, when the project opts out', () => {
    const { workspace } = workspaceFrom({ 'plain/project.yaml': 'catalyst: 1\nname: plain\nserver:\n  fastExtras: false\n', 'plain/workflows/ping.yaml': PING });
    const p = workspace.projects.find((x) => x.name === 'plain')!;
    expect(p.server).toEqual({ fastExtras: false });
    const got = parseLock(generateApp(p, workspace).files.get('requirements.txt')!);
    expect(got).toEqual(appRequirements({ fastExtras: false, usesJs: false }));
    expect(got.map((r) => r.name).sort()).toEqual(lockedAppRequirements().map((r) => r.name).filter((n) => !([...FAST_EXTRAS, ...JS_EXTRAS] as string[]).includes(n)).sort());
    // The left-out packages are leaves: nothing else in the set depends on them (uv's `# via` notes).
    for (const extra of [...FAST_EXTRAS, ...JS_EXTRAS]) expect(read('app.txt')).not.toMatch(new RegExp(`# via[^\\n]*\\b${extra}\\b`));
  });

  it('an unknown server option is an error naming the field', () => {
    expect(() => workspaceFrom({ 'plain/project.yaml': 'catalyst: 1\nname: plain\nserver:\n  fastextras: false\n', 'plain/workflows/ping.yaml': PING })).toThrow(/server.*fastextras|fastextras/);
  });
});

const PING = `catalyst: 1
name: ping
trigger: { type: webhook, method: POST, path: /ping }
visibility: public
auth: none
nodes:
  - id: done
    type: respond
    status: 200
    body: { ok: true }
`;
