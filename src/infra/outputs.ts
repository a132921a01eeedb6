/**
 * The parts of the stack outputs contract (src/contracts/outputs.ts) that are computed from the
 * project model: public routes, the workflow list, HTTP peers, the base URL form.
 */
import type { ProjectModel } from '../definitions/model.ts';
import type { PublicRoute, WorkflowInfo } from '../contracts/outputs.ts';

export { OUTPUT_KEYS, stackOutputsSchema, type PublicRoute, type StackOutputs, type WorkflowInfo } from '../contracts/outputs.ts';

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
