/**
 * The parts of the stack outputs contract (src/contracts/outputs.ts) that are computed from the
 * project model: public routes, the workflow list, HTTP peers, the base URL form.
 */
import type { ProjectModel } from '../definitions/model.ts';
import { compareRoutes, type OutputWorkflow, type PublicRoute } from '../contracts/outputs.ts';
import { byName } from '../shared/order.ts';

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
  return routes.sort(compareRoutes);
}

/** Every workflow, sorted by name. */
export function workflowList(project: ProjectModel): OutputWorkflow[] {
  return project.workflows.map((w) => ({ name: w.name, visibility: w.visibility })).sort(byName);
}

/** Projects this one calls over HTTP (cross-project calls), sorted. */
export function httpPeers(project: ProjectModel): string[] {
  const peers = new Set<string>();
  for (const w of project.workflows) for (const c of w.calls) if (!c.inProcess && c.project !== project.name) peers.add(c.project);
  return [...peers].sort();
}
