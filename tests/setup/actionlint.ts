/**
 * actionlint for the CI workflow tests, built from the Go module proxy into the git-ignored .tools/bin
 * (cached: a warm run only checks the version). Used as a vitest globalSetup and directly by
 * tests/unit/ci-*.test.ts; a missing actionlint is a test failure with the install command, never a skip.
 *
 *   GOBIN=<repo>/.tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ACTIONLINT_VERSION = 'v1.7.12';
export const ACTIONLINT_MODULE = 'github.com/rhysd/actionlint/cmd/actionlint';
const repoRoot = join(import.meta.dirname, '..', '..');
export const ACTIONLINT_BIN = join(repoRoot, '.tools', 'bin', 'actionlint');

function installedVersion(): string | null {
  if (!existsSync(ACTIONLINT_BIN)) return null;
  try {
    return execFileSync(ACTIONLINT_BIN, ['-version'], { encoding: 'utf8', timeout: 30_000 }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** Path of a working actionlint at the pinned version; installs it when missing. Throws with the fix. */
export function ensureActionlint(): string {
  if (installedVersion() === ACTIONLINT_VERSION) return ACTIONLINT_BIN;
  const gobin = join(repoRoot, '.tools', 'bin');
  mkdirSync(gobin, { recursive: true });
  const command = `GOBIN=${gobin} go install ${ACTIONLINT_MODULE}@${ACTIONLINT_VERSION}`;
  try {
    execFileSync('go', ['install', `${ACTIONLINT_MODULE}@${ACTIONLINT_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: '-buildvcs=false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 540_000,
    });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    const why = err.code === 'ENOENT' ? 'the go toolchain is not on PATH' : String(err.stderr ?? (e as Error).message).trim().split('\n').slice(-5).join('\n');
    throw new Error(`actionlint ${ACTIONLINT_VERSION} could not be installed (${why}).\nInstall it with:\n  ${command}`);
  }
  const v = installedVersion();
  if (v !== ACTIONLINT_VERSION) throw new Error(`actionlint at ${ACTIONLINT_BIN} reports "${v ?? 'nothing'}", expected ${ACTIONLINT_VERSION}; reinstall with:\n  ${command}`);
  return ACTIONLINT_BIN;
}

/** vitest globalSetup entry. */
export default function setup(): void {
  ensureActionlint();
}
