import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeControls } from '../../src/shared/text.ts';
import { cleanupTemp, run, tempDir } from '../helpers/cli-workspace.ts';

afterAll(cleanupTemp);

const HOSTILE = ['\x1b]0;pwned\x07', '\x1b[2J\x1b[H', '\x1b[31mred', '\x9b31m', 'bell\x07', 'back\x08space', 'del\x7f', 'nul\x00'];

/** Finding 9: user strings printed by the CLI cannot drive the terminal. */
describe('control characters in printed user strings', () => {
  it('escapeControls: every hostile string comes out without control characters; tab, newline and erase-line stay', () => {
    for (const h of HOSTILE) expect(escapeControls(h)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(escapeControls('\x1b]0;t\x07')).toBe('\\u001b]0;t\\u0007');
    expect(escapeControls('a\tb\nc\r\x1b[K')).toBe('a\tb\nc\r\x1b[K');
    expect(JSON.parse(escapeControls(JSON.stringify({ n: 'x\x7f\x9b' })))).toEqual({ n: 'x\x7f\x9b' }); // still valid JSON
  });
  it(`catalyst import n8n with ${HOSTILE.length} hostile node and workflow names prints none of them raw`, async () => {
    const root = tempDir();
    mkdirSync(join(root, 'exports'));
    const nodes = [
      { name: 'Hook', type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { path: 'x' } },
      ...HOSTILE.map((h, i) => ({ name: `N${i} ${h}`, type: 'n8n-nodes-base.unknownThing', typeVersion: 1, parameters: {} })),
    ];
    const connections = { Hook: { main: [nodes.slice(1).map((n) => ({ node: n.name, type: 'main', index: 0 }))] } };
    writeFileSync(join(root, 'exports', 'evil.json'), JSON.stringify({ name: `evil ${HOSTILE.join(' ')}`, nodes, connections }));
    const r = await run(root, 'import', 'n8n', 'exports/evil.json', '--project', 'evil');
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/N0 /);
    expect(out).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
    expect(out).toContain('\\u001b]0;pwned\\u0007');
  }, 60_000);
});
