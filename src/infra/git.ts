/**
 * The git state the program is handed (src/index.ts reads it with src/gitops/version.ts; tests pass
 * their own): commit, branch and dirty flag for the `version` stack output, and the clean-tree
 * preflight of stacks that require one.
 */
import type { GitRead } from '../contracts/git-state.ts';

export type { GitRead };

/** The preflight message for a dirty tree on a stack that requires a clean one, or null. */
export function cleanGitProblem(stack: string, version: GitRead, required: boolean): string | null {
  if (!required) return null;
  const off = `or turn the check off for this stack: pulumi config set catalyst:requireCleanGit false --stack ${stack}`;
  if (version.error) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the git state cannot be read: ${version.error}; ${off}`;
  if (!version.isRepo) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but this is not a git repository; deploy from a checkout, ${off}`;
  if (version.dirty) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the work tree has uncommitted changes (git status); commit or stash them, ${off}`;
  if (!version.commit) return `stack ${stack} requires a clean git tree (catalyst:requireCleanGit), but the repository has no commit yet; commit first, ${off}`;
  return null;
}
