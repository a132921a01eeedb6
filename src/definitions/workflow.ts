import { closest } from '../shared/suggest.ts';
import { compileValue, valueRefs, type Value, type ValueError } from '../expressions/value.ts';
import type { Diagnostic } from './diagnostics.ts';
import { checkJavascriptNode } from './javascript.ts';
import { workflowAuth } from './auth.ts';
import { dominators, findCycle, reachableFrom, topoSort } from './graph.ts';
import { branchesOf, EXPRESSION_FIELDS, type NodeModel, type Trigger, type WorkflowModel } from './model.ts';
import { RESERVED_PATHS, type EdgeDef, type ProjectFile, type WorkflowFile } from './schema.ts';
import { checkHeaderRef, declaredHeaders } from './headers.ts';
import { checkSchedule } from './schedule.ts';
import { checkHttpBody } from './http-body.ts';
import { checkOutgoingUrl } from './urls.ts';
import { diagAt, locateInString, type YamlFile } from './yaml.ts';

/**
 * Checks one workflow on its own (graph, expressions, trigger) and builds its model. Cross-file rules
 * (calls, routes across workflows) are in rules.ts.
 */
export function buildWorkflow(y: YamlFile, wf: WorkflowFile, project: ProjectFile, out: Diagnostic[]): WorkflowModel | undefined {
  const before = out.length;
  const d = (path: (string | number)[], message: string, fix?: string, key = false) => out.push(diagAt(y, path, message, fix, key));
  const nodeIndex = new Map<string, number>();
  wf.nodes.forEach((n, i) => {
    if (nodeIndex.has(n.id)) d(['nodes', i, 'id'], `duplicate node id "${n.id}" (also nodes[${nodeIndex.get(n.id)}])`, 'give each node a unique id');
    else nodeIndex.set(n.id, i);
  });
  const ids = [...nodeIndex.keys()];

  // Edges: explicit, or the nodes in file order when none are given.
  const implicitEdges = wf.edges.length === 0;
  const edges: EdgeDef[] = implicitEdges ? ids.slice(1).map((to, i) => ({ from: ids[i], to })) : wf.edges;
  if (implicitEdges) {
    wf.nodes.forEach((n, i) => {
      if (branchesOf(n).length && wf.nodes.length > 1) d(['nodes', i, 'type'], `a ${n.type} node branches, so the workflow needs explicit edges`, `add edges: [{from: ${n.id}, to: <node>, branch: ${branchesOf(n)[0]}}, …]`);
      if (n.type === 'respond' && i < wf.nodes.length - 1) d(['nodes', i, 'type'], `"${n.id}" is a respond node; it ends the run, so the nodes after it would never run`, 'move it to the end, or add explicit edges');
    });
  }
  wf.edges.forEach((e, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!nodeIndex.has(e[end])) {
        const hint = closest(e[end], ids);
        d(['edges', i, end], `no node "${e[end]}" in this workflow`, hint ? `did you mean "${hint}"?` : `nodes: ${ids.join(', ')}`);
      }
    }
    if (e.from === e.to) d(['edges', i], `node "${e.from}" has an edge to itself`, 'remove the edge; loops are not allowed');
    const src = nodeIndex.has(e.from) ? wf.nodes[nodeIndex.get(e.from)!] : undefined;
    if (!src) return;
    const allowed = branchesOf(src);
    if (src.type === 'respond') d(['edges', i], `"${e.from}" is a respond node; it ends the run, so nothing can follow it`, 'remove this edge, or respond later');
    else if (e.error) errorEdge(src, e, i, d);
    else if (allowed.length === 0 && e.branch !== undefined) d(['edges', i, 'branch'], `a ${src.type} node does not branch`, 'remove branch');
    else if (allowed.length > 0 && e.branch === undefined) d(['edges', i], `an edge from ${src.type} "${e.from}" needs a branch`, `add branch: one of ${allowed.join(', ')}`);
    else if (allowed.length > 0 && !allowed.includes(e.branch!)) {
      const hint = closest(e.branch!, allowed);
      d(['edges', i, 'branch'], `"${e.from}" has no branch "${e.branch}"`, hint ? `did you mean "${hint}"?` : `one of: ${allowed.join(', ')}`);
    }
  });
  const seenEdge = new Map<string, number>();
  wf.edges.forEach((e, i) => {
    const k = `${e.from}\u0000${e.to}\u0000${e.branch ?? ''}\u0000${e.error ? 'error' : ''}`;
    if (seenEdge.has(k)) d(['edges', i], `duplicate edge (same as edges[${seenEdge.get(k)}])`, 'remove it');
    else seenEdge.set(k, i);
  });
  const goodEdges = edges.filter((e) => nodeIndex.has(e.from) && nodeIndex.has(e.to) && e.from !== e.to);

  // A DAG with exactly one entry node, every node reachable.
  const cycle = findCycle(ids, goodEdges);
  if (cycle) {
    const idx = wf.edges.findIndex((e) => e.from === cycle[cycle.length - 2] && e.to === cycle[cycle.length - 1]);
    d(idx >= 0 ? ['edges', idx] : ['edges'], `edges form a cycle: ${cycle.join(' → ')}`, 'workflows are DAGs; remove one edge of the cycle');
  }
  const hasIncoming = new Set(goodEdges.map((e) => e.to));
  const entries = ids.filter((id) => !hasIncoming.has(id));
  if (!cycle && entries.length > 1) {
    for (const id of entries.slice(1)) d(['nodes', nodeIndex.get(id)!, 'id'], `node "${id}" has no incoming edge, but "${entries[0]}" is already the entry node`, `add an edge to "${id}", or remove it`);
  }
  const entry = entries[0];
  if (entry && !cycle) {
    const reach = reachableFrom(entry, goodEdges);
    for (const id of ids) if (!reach.has(id) && entries.indexOf(id) <= 0) d(['nodes', nodeIndex.get(id)!, 'id'], `node "${id}" is unreachable from the entry node "${entry}"`, `add an edge that leads to "${id}"`);
  }
  const { order } = topoSort(ids, goodEdges);
  const dom = cycle ? new Map<string, Set<string>>() : dominators(order, goodEdges);

  // Per node: switch rules, secrets, expressions and their references.
  const visibility = wf.trigger?.type === 'schedule' ? 'internal' : (wf.visibility ?? project.defaults?.visibility ?? 'internal');
  const secretNames = Object.keys(project.secrets ?? {});
  const envNames = Object.keys(project.env ?? {});
  const secretsUsed = new Set<string>();
  const useSecret = (path: (string | number)[], name: string) => {
    if (!secretNames.includes(name)) {
      const hint = closest(name, secretNames);
      d(path, `secret "${name}" is not declared by project "${project.name}"`, hint ? `did you mean "${hint}"?` : `declare it in project.yaml under secrets: ${name}: <what it is for>`);
    } else secretsUsed.add(name);
  };
  const headers = declaredHeaders(wf, d);
  const models = new Map<string, NodeModel>();
  wf.nodes.forEach((n, i) => {
    if (n.type === 'switch') {
      const seen = new Set<string>();
      n.cases.forEach((c, j) => {
        if (seen.has(c.branch)) d(['nodes', i, 'cases', j, 'branch'], `duplicate branch "${c.branch}"`, 'give each case its own branch name');
        if (c.branch === 'default') d(['nodes', i, 'cases', j, 'branch'], '"default" is the branch taken when no case matches; it cannot be a case', 'rename the case');
        seen.add(c.branch);
        const hasEq = c.equals !== undefined;
        const hasWhen = c.when !== undefined;
        if (hasEq === hasWhen) d(['nodes', i, 'cases', j], 'a case has exactly one of `equals` (compared with the switch value) or `when` (a condition)', 'keep one of them');
        if (hasEq && n.value === undefined) d(['nodes', i, 'cases', j, 'equals'], '`equals` needs the switch\'s `value`', 'add value: "{{ … }}" to the switch, or use when:');
      });
    }
    if (n.type === 'llm') {
      useSecret(['nodes', i, 'apiKeySecret'], n.apiKeySecret);
      if ((n.prompt === undefined) === (n.messages === undefined)) d(['nodes', i, n.prompt === undefined ? 'prompt' : 'messages'], 'an llm node has either `prompt` (with an optional `system`) or `messages`', n.prompt === undefined ? 'add prompt: "{{ input.question }}"' : 'remove one of them');
      else if (n.messages && n.system !== undefined) d(['nodes', i, 'system'], '`system` goes with `prompt`; with `messages`, write it as a message', 'add {role: system, content: …} to messages');
    }
    if (n.type === 'httpRequest' && n.auth) {
      useSecret(['nodes', i, 'auth', 'secret'], n.auth.secret);
      if (n.auth.scheme === 'header' && !n.auth.header) d(['nodes', i, 'auth'], 'scheme: header needs the header name', 'add header: X-Api-Key (or the header your API expects)');
    }
    if (n.type === 'httpRequest') checkHttpBody(n, i, d);
    if (n.type === 'httpRequest' && n.textKey !== undefined && n.responseType !== 'auto') d(['nodes', i, 'textKey'], 'textKey is used only with responseType: auto', 'set responseType: auto, or remove textKey');
    if (n.type === 'code') {
      const dup = n.outputs.find((o, j) => n.outputs.indexOf(o) !== j);
      if (dup) d(['nodes', i, 'outputs'], `output "${dup}" is listed twice`);
    }
    if (n.type === 'javascript') checkJavascriptNode(y, i, n, project, out);
    if (n.type === 'workflowCall' && n.fallback !== undefined && n.onError !== 'continue') d(['nodes', i, 'fallback'], 'fallback is used only with onError: continue', 'set onError: continue, or remove fallback');

    const values: Record<string, Value> = {};
    for (const field of EXPRESSION_FIELDS[n.type]) {
      const raw = (n as Record<string, unknown>)[field];
      if (raw === undefined) continue;
      const errs: ValueError[] = [];
      values[field] = compileValue(raw, errs);
      for (const e of errs) {
        const path = ['nodes', i, field, ...e.path];
        const pos = locateInString(y, path, e.offset);
        out.push({ file: y.file, line: pos.line, col: pos.col, path: diagAt(y, path, '').path, message: `expression: ${e.message}`, ...(e.fix ? { fix: e.fix } : {}) });
      }
      for (const { ref, path, source: raw } of valueRefs(values[field])) {
        const source = raw.trim();
        const at = ['nodes', i, field, ...path];
        if (ref.root === 'nodes') {
          if (!nodeIndex.has(ref.node)) {
            const hint = closest(ref.node, ids);
            d(at, `{{ ${source} }} reads node "${ref.node}", which does not exist`, hint ? `did you mean nodes.${hint}?` : `nodes: ${ids.join(', ')}`);
          } else if (ref.node === n.id) d(at, `{{ ${source} }}: a node cannot read its own output`);
          else if (!cycle && !dom.get(n.id)?.has(ref.node)) {
            d(at, `{{ ${source} }} reads node "${ref.node}", which does not run before "${n.id}" on every path`, `read only nodes that always run before "${n.id}" (e.g. before the branch), or use a merge node`);
          }
        } else if (ref.root === 'env') {
          if (secretNames.includes(ref.name)) d(at, `{{ ${source} }}: "${ref.name}" is a secret; expressions cannot read secrets`, 'name the secret in the node (auth.secret, apiKeySecret) instead');
          else if (!envNames.includes(ref.name)) {
            const hint = closest(ref.name, envNames);
            d(at, `{{ ${source} }} reads env.${ref.name}, which project "${project.name}" does not set`, hint ? `did you mean env.${hint}?` : `add it under env: in project.yaml`);
          }
        } else if (ref.root === 'request') checkHeaderRef(ref, source, at, wf, headers, d);
        else if (ref.root === 'input' && ref.path.length > 0 && !wf.input.additionalProperties) {
          const props = Object.keys(wf.input.properties);
          if (!props.includes(ref.path[0])) {
            const hint = closest(ref.path[0], props);
            d(at, `{{ ${source} }} reads input.${ref.path[0]}, which the input schema does not declare`, hint ? `did you mean input.${hint}?` : `add it under input.properties`);
          }
        }
      }
    }
    if (n.type === 'httpRequest' || n.type === 'llm') {
      const field = n.type === 'llm' ? 'baseUrl' : 'url';
      const problem = checkOutgoingUrl(values[field], n.allowHosts, n.type === 'llm' || n.auth !== undefined, field);
      if (problem) d(['nodes', i, n.allowHosts === 'any' ? 'allowHosts' : field], problem.message, problem.fix);
    }
    const inputs = goodEdges.filter((e) => e.to === n.id).map((e) => e.from);
    models.set(n.id, { id: n.id, type: n.type, def: n, values, inputs: [...new Set(inputs)] });
  });

  // Trigger and visibility.
  let trigger: Trigger = { type: 'call' };
  if (wf.trigger?.type === 'schedule') {
    if (wf.visibility === 'public') d(['visibility'], `workflow "${wf.name}" runs on a schedule, so it is internal (it gets no public route)`, 'remove visibility: public; to also run it over HTTP, add a public workflow that calls it');
    const schedule = checkSchedule(y, wf, d, out);
    if (schedule) trigger = schedule;
  } else if (visibility === 'public') {
    if (!wf.trigger || wf.trigger.type !== 'webhook') {
      d(wf.trigger ? ['trigger', 'type'] : ['name'], `public workflow "${wf.name}" needs a webhook trigger`, `add trigger: {type: webhook, method: POST, path: /${wf.name}}`);
    } else trigger = { type: 'webhook', method: wf.trigger.method, path: wf.trigger.path };
  } else if (wf.trigger?.type === 'webhook') {
    d(['trigger'], `internal workflow "${wf.name}" has a webhook trigger, but internal workflows get no route`, 'remove the trigger, or set visibility: public');
  }
  if (trigger.type === 'webhook') {
    if (RESERVED_PATHS.includes(trigger.path)) d(['trigger', 'path'], `${trigger.path} is served by every Catalyst app itself`, `choose another path, e.g. /${wf.name}`);
    if (trigger.method === 'GET' || trigger.method === 'DELETE') {
      for (const [k, f] of Object.entries(wf.input.properties)) {
        if (f.type === 'object' || f.type === 'array') d(['input', 'properties', k, 'type'], `${trigger.method} requests carry their input in the query string, which holds only scalar fields`, 'use string/number/integer/boolean, or method POST');
      }
    }
  }
  const auth = workflowAuth(y, wf, project, visibility, out);
  for (const s of auth && auth.type !== 'none' ? auth.secrets : []) secretsUsed.add(s);
  for (const r of wf.input.required) if (!Object.hasOwn(wf.input.properties, r)) d(['input', 'required'], `required field "${r}" is not in input.properties`, `add ${r} under input.properties`);

  if (out.length > before) return undefined;
  const calls = wf.nodes.flatMap((n) => {
    if (n.type !== 'workflowCall') return [];
    const slash = n.workflow.indexOf('/');
    const proj = slash === -1 ? project.name : n.workflow.slice(0, slash);
    return [{ node: n.id, project: proj, workflow: slash === -1 ? n.workflow : n.workflow.slice(slash + 1), inProcess: slash === -1 }];
  });
  return {
    name: wf.name,
    description: wf.description ?? '',
    file: y.file,
    visibility,
    trigger,
    auth: auth!,
    input: wf.input,
    timeoutMs: wf.timeoutMs ?? project.defaults?.timeoutMs ?? 30_000,
    nodes: order.map((id) => models.get(id)!),
    edges,
    implicitEdges,
    calls,
    secrets: [...secretsUsed].sort(),
    requestHeaders: trigger.type === 'webhook' ? headers : [],
  };
}

/** An error edge (`error: true`): taken when its node fails; it takes no branch. */
function errorEdge(src: WorkflowFile['nodes'][number], e: EdgeDef, i: number, d: (path: (string | number)[], message: string, fix?: string) => void): void {
  if (e.branch !== undefined) d(['edges', i, 'branch'], 'an error edge (error: true) is taken when the node fails, whatever its branch; it takes no branch', 'remove branch, or remove error: true');
  else if (src.type === 'workflowCall' && src.onError === 'continue') {
    d(['edges', i, 'error'], `"${src.id}" has onError: continue, so it never fails and this error edge is never taken`, 'remove onError: continue (the error edge then handles the failure), or remove this edge');
  }
}
