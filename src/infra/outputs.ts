/**
 * The stack outputs contract (docs/contracts.md §1): the shape every Catalyst stack exports, a zod
 * schema of it (tests and readers check resolved outputs against it), and the pure parts computed
 * from the project model.
 */
import { z } from 'zod';
import type { ProjectModel } from '../definitions/model.ts';
import { TARGET_NAMES } from './config.ts';

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

export function hasPublicWorkflows(project: ProjectModel): boolean {
  return project.workflows.some((w) => w.visibility === 'public');
}

/** One entry per public workflow with a webhook trigger, sorted by path then method. */
export function publicRoutes(project: ProjectModel): PublicRoute[] {
  const routes: PublicRoute[] = [];
  for (const w of project.workflows) {
    if (w.visibility !== 'public' || w.trigger.type !== 'webhook') continue;
    routes.push({ workflow: w.name, method: w.trigger.method, path: w.trigger.path });
  }
  return routes.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1));
}

/** Every workflow, sorted by name. */
export function workflowList(project: ProjectModel): WorkflowInfo[] {
  return project.workflows.map((w) => ({ name: w.name, visibility: w.visibility })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Projects this one calls over HTTP (cross-project calls), sorted. */
export function httpPeers(project: ProjectModel): string[] {
  const peers = new Set<string>();
  for (const w of project.workflows) for (const c of w.calls) if (!c.inProcess && c.project !== project.name) peers.add(c.project);
  return [...peers].sort();
}

/** `url` without trailing slashes (the contract's form). */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
