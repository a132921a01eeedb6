/** The report's user error: a bad --outputs file, an unknown stack, a bad settings file. */
import { UserError } from '../shared/errors.ts';

/** A problem with the user's input (bad file, unknown stack, bad settings): a usage error (exit 2). */
export class InputError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
    this.name = 'InputError';
  }
}
