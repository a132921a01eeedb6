/**
 * The one base of every error a user can fix (a bad flag, a missing file, a definition problem, a
 * failed git or pulumi call): a message, optionally how to fix it, and the exit code the CLI ends
 * with. src/cli/main.ts is the one place that turns a UserError into output and an exit code; any
 * other error is a bug (exit 70).
 */

export interface UserErrorOptions {
  /** How to fix it, when that is not already part of the message. */
  fix?: string;
  /** The CLI's exit code for it (1 unless said otherwise; 2 for usage errors). */
  exitCode?: number;
}

export class UserError extends Error {
  readonly fix?: string;
  readonly exitCode: number;
  constructor(message: string, opts: UserErrorOptions = {}) {
    super(message);
    this.name = 'UserError';
    if (opts.fix !== undefined) this.fix = opts.fix;
    this.exitCode = opts.exitCode ?? 1;
  }
}
