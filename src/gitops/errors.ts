import { PulumiError } from '../pulumi/history.ts';
import { GitError } from './index.ts';
import { RollbackError } from './rollback.ts';
import { StackError } from './stack.ts';

/** Errors that are the user's to fix (printed as a message, exit 1), as opposed to bugs. */
export function isUserError(e: unknown): e is Error {
  return e instanceof GitError || e instanceof PulumiError || e instanceof StackError || e instanceof RollbackError;
}
