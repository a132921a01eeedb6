/**
 * The cached virtualenvs (src/codegen/python-env.ts): finding Python, building once, reusing, waiting
 * for a concurrent build, recovering from a stale lock, and failing clearly.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultVenvCache, ensureVenv, findPython, PythonMissingError, venvKey } from '../../src/codegen/python-env.ts';
import { cleanupTemps, requirePython, tempDir } from '../helpers/codegen.ts';

afterAll(() => cleanupTemps());

describe('findPython', () => {
  it('finds python3 (>= 3.11) on this machine', () => {
    requirePython();
    const py = findPython({ PATH: process.env.PATH });
    expect(py.cmd).toBe('python3');
    expect(py.version).toMatch(/^3\.(1[1-9]|[2-9]\d)\.\d+$/);
  });

  it('says what is wrong and how to fix it when Python is missing or too old', () => {
    expect(() => findPython({ CATALYST_PYTHON: '/nonexistent/python' })).toThrow(PythonMissingError);
    expect(() => findPython({ CATALYST_PYTHON: '/nonexistent/python' })).toThrow(/need Python 3\.11 or newer \(\/nonexistent\/python: not found\); install python3/);
    const fake = join(tempDir(), 'old-python');
    writeFileSync(fake, '#!/bin/sh\necho 3.8.10\n');
    chmodSync(fake, 0o755);
    expect(() => findPython({ CATALYST_PYTHON: fake })).toThrow(/Python 3\.8\.10 is too old/);
  });
});

describe('ensureVenv', () => {
  it('keys venvs by requirements and Python version', () => {
    expect(venvKey('a==1\n', '3.11.7')).toBe(venvKey('a==1\n', '3.11.7'));
    expect(venvKey('a==1\n', '3.11.7')).not.toBe(venvKey('a==2\n', '3.11.7'));
    expect(venvKey('a==1\n', '3.11.7')).not.toBe(venvKey('a==1\n', '3.12.1'));
    expect(venvKey('', '3.11.7')).toMatch(/^[0-9a-f]{16}$/);
    expect(defaultVenvCache('/r')).toBe('/r/.cache/venvs');
  });

  it('builds once, then reuses; concurrent callers share one build; a stale lock is taken over', { timeout: 120_000 }, async () => {
    requirePython();
    const cache = tempDir();
    // A lock left by a process that died mid-build.
    const stale = `${join(cache, venvKey('', findPython().version))}.lock`;
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'pid'), '999999999');
    const logs: string[] = [];
    const [a, b] = await Promise.all([ensureVenv('', cache, { log: (l) => logs.push(l) }), ensureVenv('', cache)]);
    expect(a.dir).toBe(b.dir);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(existsSync(a.python)).toBe(true);
    expect(existsSync(`${a.dir}.lock`)).toBe(false);
    expect(readFileSync(join(a.dir, 'requirements.txt'), 'utf8')).toBe('');
    const again = await ensureVenv('', cache);
    expect(again).toEqual({ python: a.python, dir: a.dir, created: false });
    if (a.created) expect(logs[0]).toMatch(/^creating virtualenv .* \(Python 3\.\d+\.\d+\)$/);
  });

  it('gives up waiting for a live lock holder after waitMs', async () => {
    const cache = tempDir();
    const py = findPython();
    const dir = join(cache, venvKey('# held\n', py.version));
    mkdirSync(`${dir}.lock`, { recursive: true });
    writeFileSync(join(`${dir}.lock`, 'pid'), String(process.pid));
    await expect(ensureVenv('# held\n', cache, { python: py, waitMs: 300 })).rejects.toThrow(/timed out waiting for another process to build/);
  });

  it('reports a pip failure with pip\'s own words and leaves nothing half-built', { timeout: 120_000 }, async () => {
    const cache = tempDir();
    const py = findPython();
    await expect(ensureVenv('===\n', cache, { python: py })).rejects.toThrow(/pip install failed[\s\S]*Invalid requirement/);
    // Every install requires hashes: an unhashed pin is refused.
    await expect(ensureVenv('fastapi==0.165.0\n', cache, { python: py })).rejects.toThrow(/pip install failed[\s\S]*[Hh]ashes are required/);
    expect(existsSync(join(cache, venvKey('===\n', py.version)))).toBe(false);
  });

  it('reports a Python that cannot make venvs', async () => {
    const fake = join(tempDir(), 'python');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "-c" ]; then echo 3.12.0; exit 0; fi\necho "No module named venv" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    await expect(ensureVenv('x\n', tempDir(), { python: { cmd: fake, version: '3.12.0' } })).rejects.toThrow(/could not create a virtualenv[\s\S]*python3-venv[\s\S]*No module named venv/);
  });
});
