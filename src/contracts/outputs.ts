/**
 * The stack outputs contract (docs/contracts.md §1): the shape every Catalyst stack exports, as one zod
 * schema. The program (src/infra) produces it, other stacks read it through StackReferences, and the
 * report reads it back; tests check resolved outputs against it.
 */
import { z } from 'zod';
import { TARGET_NAMES } from './targets.ts';

export interface PublicRoute {
  workflow: string;
  method: string;
  path: string;
}

export interface WorkflowInfo {
  name: string;
  visibility: 'public' | 'internal';
}

const nullableString = z.string().nullable();

/** Resolved stack outputs, exactly (no key missing, no extra key). */
export const stackOutputsSchema = z.strictObject({
  project: z.string().min(1),
  env: z.string().min(1),
  target: z.enum(TARGET_NAMES),
  region: nullableString,
  url: z.string().regex(/^https?:\/\/[^/\s]+$/, 'scheme + host (+ port), no path, no trailing slash'),
  healthUrl: z.string().regex(/^https?:\/\/[^/\s]+\/health$/),
  publicRoutes: z.array(z.strictObject({ workflow: z.string(), method: z.string(), path: z.string().startsWith('/') })),
  workflows: z.array(z.strictObject({ name: z.string(), visibility: z.enum(['public', 'internal']) })),
  imageRef: nullableString,
  imageDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).nullable(),
  /** Null only after a rollback to an image whose content hash was not recorded (`catalyst rollback --image`). */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  version: z.strictObject({ commit: nullableString, branch: nullableString, dirty: z.boolean() }),
  uptimeCheckId: nullableString,
  consoleUrl: nullableString,
  logsUrl: nullableString,
  /** Set by a `catalyst rollback` run (what ran before it); null on a normal `up`. */
  rolledBackFrom: z
    .strictObject({
      stackVersion: z.number().int().nullable(),
      commit: nullableString,
      imageRef: nullableString,
      restoredStackVersion: z.number().int().nullable(),
    })
    .nullable(),
});

export type StackOutputs = z.infer<typeof stackOutputsSchema>;

/** Every output key, in the contract's order. */
export const OUTPUT_KEYS = Object.keys(stackOutputsSchema.shape) as (keyof StackOutputs)[];
