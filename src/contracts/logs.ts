/**
 * Where a deployment's logs can be read on this machine: the `local` target's run directory (its app
 * writes `app.log` there, see src/shared/process.ts) and the label the `docker` target puts on its
 * container. The local target writes them; the dashboard reads them.
 */
import { join } from 'node:path';

/** The run directory of a `local` stack's app (pid file and log file), under the state root. */
export function localRunDir(root: string, stack: string): string {
  return join(root, '.catalyst', 'run', stack);
}

/** The Docker label whose value is the stack name, on the container of a `docker` stack. */
export const DOCKER_STACK_LABEL = 'dev.catalyst.stack';
