/**
 * The rollback contract between `catalyst rollback` (src/gitops/rollback.ts), which writes it, and the
 * Pulumi program (src/infra), which reads it: the `catalyst:rollback` config object and the variable that
 * points a worktree rollback's program at the main checkout's state. One schema, one type.
 */
import { z } from 'zod';

/** Set for a worktree rollback: where the program keeps .build/ and .catalyst/ (the main checkout). */
export const STATE_ROOT_ENV = 'CATALYST_STATE_ROOT';

/** A commit id as the deployment readers keep it (src/pulumi/history.ts): 7–64 lower-case hex. */
const commitId = z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a git commit id (hex)');
/** A stack version number (Pulumi's update number); numbers may arrive as strings. */
const stackVersionNumber = z.preprocess((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v), z.number({ error: 'must be a stack version number' }).int().min(0));

/**
 * `catalyst:rollback`: written by `catalyst rollback` (src/gitops/rollback.ts, `rollbackConfig`) into the
 * temporary config copy of an image rollback; the program reports it in its outputs (docs/gitops.md).
 */
export const rollbackSchema = z.strictObject(
  {
    /** Git state of the restored deployment (the `version` output). */
    version: z.strictObject({
      commit: commitId.nullable(),
      branch: z.string().min(1).max(255).nullable(),
      dirty: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: (iss) => (iss.input === undefined ? 'required' : 'must be true or false') })),
    }),
    /** Content hash of the restored deployment's app (null when it recorded none). */
    contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256').nullable(),
    /** What ran before the rollback (the `rolledBackFrom` output). */
    rolledBackFrom: z.strictObject({
      stackVersion: stackVersionNumber.nullable(),
      commit: commitId.nullable(),
      imageRef: z.string().regex(/^\S{1,300}$/, 'must be an image reference').nullable(),
      restoredStackVersion: stackVersionNumber.nullable(),
    }),
  },
  { error: (iss) => (iss.input === undefined ? 'required' : 'must be an object {version, contentHash, rolledBackFrom} (written by `catalyst rollback`)') },
);

export type RollbackState = z.infer<typeof rollbackSchema>;

/** What `catalyst rollback` writes as `catalyst:rollback` (docs/gitops.md). */
export type RollbackConfig = RollbackState;
