#!/usr/bin/env node
// The catalyst CLI launcher. Catalyst's sources are TypeScript run directly by Node >= 22.18 (type
// stripping). On an older Node, re-run with the Node the project installs (the `node` devDependency).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled) || process.env.CATALYST_REEXEC) {
    process.stderr.write(`catalyst needs Node.js >= 22.18 (this is ${process.version}); run \`npm install\` in ${root} to get it\n`);
    process.exit(1);
  }
  const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CATALYST_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}
// A closed pipe (`catalyst list | head`) ends the output quietly, as it does for other CLI tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd() });
