/**
 * Which cross-project calls carry a peer key (docs/security.md, "Cross-project calls"): a public
 * workflow that another project calls and that says who may call it (`auth:` other than `none`) also
 * accepts its project's peer key; the callers of such a workflow send it. Both sides are computed
 * from the whole workspace, so the callee's app and stack know their callers' needs.
 */
import type { ProjectModel, Workspace } from './model.ts';

/** Workflows of `project` that another project calls and that are not `auth: none`, sorted. */
export function peerKeyedWorkflows(ws: Workspace, project: string): string[] {
  const own = ws.projects.find((p) => p.name === project);
  if (!own) return [];
  const called = new Set<string>();
  for (const other of ws.projects) {
    if (other.name === project) continue;
    for (const w of other.workflows) for (const c of w.calls) if (!c.inProcess && c.project === project) called.add(c.workflow);
  }
  return own.workflows
    .filter((w) => called.has(w.name) && w.visibility === 'public' && w.auth.type !== 'none')
    .map((w) => w.name)
    .sort();
}

/** Projects `caller` calls over HTTP where some called workflow is not `auth: none` (it sends their peer key), sorted. */
export function keyedPeers(ws: Workspace, caller: ProjectModel): string[] {
  const out = new Set<string>();
  for (const w of caller.workflows) {
    for (const c of w.calls) {
      if (c.inProcess || c.project === caller.name) continue;
      const callee = ws.projects.find((p) => p.name === c.project)?.workflows.find((x) => x.name === c.workflow);
      if (callee && callee.auth.type !== 'none') out.add(c.project);
    }
  }
  return [...out].sort();
}
