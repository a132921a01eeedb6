/**
 * The git state of the checkout a deployment was made from: read by src/gitops/version.ts, handed to
 * the Pulumi program (src/infra) by its entry point, and published as the `version` stack output.
 */
export interface GitVersion {
  /** Full commit id; null outside a repository or before the first commit. */
  commit: string | null;
  /** Branch name; null when HEAD is detached. */
  branch: string | null;
  /** True when the work tree had uncommitted changes. */
  dirty: boolean;
}

export interface GitRead extends GitVersion {
  /** False outside a git repository, or when git cannot run (then `error` says why). */
  isRepo: boolean;
  /** Why git could not be read (git missing, timed out, …); absent when it could. */
  error?: string;
}
