/**
 * ProjectModel → the typed view model every template renders. Names, imports, routes and Python
 * expressions are computed here and in the parts it assembles (workflows.ts, routes.ts, models.ts,
 * env.ts); templates only loop and print.
 */
import type { ProjectModel, Workspace } from '../definitions/model.ts';
import { pyStr } from '../expressions/python.ts';
import { byName } from '../shared/order.ts';
import { APP_PORT, BASE_IMAGE, DEFAULT_MAX_BODY_BYTES } from './defaults.ts';
import {
  buildDeploy,
  buildEnv,
  buildEnvExample,
  buildLlmEndpoints,
  buildPeers,
  buildSecrets,
  type DeployView,
  type EnvExampleView,
  type EnvView,
  type LlmEndpointView,
  type PeerView,
  type SecretView,
} from './env.ts';
import { buildModels, type ModelsView } from './models.ts';
import { naturalCompare, pascal } from './names.ts';
import { appRequirements, requirementBlock } from './requirements.ts';
import { buildRoutes, mainImports, type MainImportsView, type RouteView } from './routes.ts';
import { buildSchedules, type ScheduleView } from './schedules.ts';
import { buildWorkflows, type WorkflowView } from './workflows.ts';
import { keyedPeers, peerKeyedWorkflows } from '../definitions/peer-auth.ts';
import { PEER_KEY_PREVIOUS_ENV } from '../contracts/peer-key.ts';

export interface AppView {
  project: string;
  projectPy: string;
  description: string;
  /** The README's opening line: the description, or a stand-in. */
  descriptionText: string;
  titlePy: string;
  descriptionPy: string;
  catalystVersion: string;
  catalystVersionPy: string;
  workflows: WorkflowView[];
  /** Workflow module names in the order isort (ruff I001) wants them: natural order, numbers by value. */
  workflowModules: string[];
  routes: RouteView[];
  /** Scheduled workflows (registry.py's SCHEDULES; empty: the app declares none). */
  schedules: ScheduleView[];
  /** How many distinct paths the routes have (what /openapi.json lists). */
  routePathCount: number;
  internal: WorkflowView[];
  /** The internal workflows' names, comma-separated, for the README. */
  internalText: string;
  models: ModelsView;
  env: EnvView[];
  secrets: SecretView[];
  /** The Cloud Run secret names as Markdown code, or "(none)", for the README. */
  cloudRunSecretsMd: string;
  peers: PeerView[];
  /** Peers whose key this app sends (settings.py PEER_KEYS). */
  keyedPeers: PeerView[];
  /** Optional secrets (the previous peer key during a rotation), as Python string literals. */
  optionalSecretsPy: string[];
  llmEndpoints: LlmEndpointView[];
  /** settings.py needs the expression helpers (some LLM base URL is an expression). */
  settingsUsesRx: boolean;
  /** Some node makes outgoing HTTP calls (httpRequest, llm, a cross-project workflowCall): the app starts its HTTP client at startup. */
  usesHttp: boolean;
  usesHttpPy: 'True' | 'False';
  /** The locked, hashed requirements (each `text` a pip requirement block with its hashes). */
  requirements: { name: string; version: string; text: string }[];
  /** Some workflow has JavaScript nodes: the app gets catalyst_runtime/js.py, Luxon and mini-racer. */
  usesJs: boolean;
  /** Imports main.py needs beyond Request and Response. */
  mainImports: MainImportsView;
  port: number;
  baseImage: string;
  maxBodyBytes: number;
  /** Every environment variable the app reads, for .env.example and the README. */
  envExample: EnvExampleView;
  /** Values for the deploy configs. */
  deploy: DeployView;
}

export function buildView(project: ProjectModel, workspace: Workspace, catalystVersion: string): AppView {
  // Sorted here too (the loader sorts already), so the output never depends on insertion order.
  const workflows = [...project.workflows].sort(byName);
  const classOf = new Map(workflows.map((w) => [w.name, `${pascal(w.name)}Input`]));
  const modelOf = (name: string) => classOf.get(name)!;
  const models = buildModels(
    workflows.map((w) => ({
      name: w.name,
      className: modelOf(w.name),
      input: w.input,
      lax: w.trigger.type === 'webhook' && (w.trigger.method === 'GET' || w.trigger.method === 'DELETE'),
    })),
  );
  const wfViews = buildWorkflows(workflows, project, workspace, modelOf);
  const keys = { accepted: peerKeyedWorkflows(workspace, project.name), sent: keyedPeers(workspace, project) };
  const routes = buildRoutes(workflows, modelOf, new Set(keys.accepted));
  const internal = wfViews.filter((w) => w.visibility === 'internal');
  const peers = buildPeers(workflows, keys.sent);
  const llmEndpoints = buildLlmEndpoints(workflows);
  const env = buildEnv(project);
  const secrets = buildSecrets(project, keys);
  const usesHttp = peers.length > 0 || workflows.some((w) => w.nodes.some((n) => n.def.type === 'httpRequest' || n.def.type === 'llm'));

  return {
    project: project.name,
    projectPy: pyStr(project.name),
    description: project.description,
    descriptionText: project.description || `Catalyst project ${project.name}`,
    titlePy: pyStr(project.name),
    descriptionPy: pyStr(project.description || `Catalyst project ${project.name}`),
    catalystVersion,
    workflowModules: wfViews.map((w) => w.module).sort(naturalCompare),
    catalystVersionPy: pyStr(catalystVersion),
    workflows: wfViews,
    routes,
    schedules: buildSchedules(workflows),
    routePathCount: new Set(routes.map((r) => r.path)).size,
    internal,
    internalText: internal.map((w) => w.name).join(', '),
    models,
    env,
    secrets,
    cloudRunSecretsMd: secrets.length ? secrets.map((s) => `\`${s.cloudRunSecret}\``).join(', ') : '(none)',
    peers,
    keyedPeers: peers.filter((p) => p.keyEnvVar !== null),
    optionalSecretsPy: keys.accepted.length ? [pyStr(PEER_KEY_PREVIOUS_ENV)] : [],
    llmEndpoints,
    settingsUsesRx: llmEndpoints.some((l) => l.fnPy.includes('rx.')),
    usesHttp,
    usesHttpPy: usesHttp ? 'True' : 'False',
    requirements: appRequirements({ fastExtras: project.server.fastExtras, usesJs: wfViews.some((w) => w.usesJs) }).map((r) => ({ name: r.name, version: r.version, text: requirementBlock(r) })),
    usesJs: wfViews.some((w) => w.usesJs),
    mainImports: mainImports(routes),
    port: APP_PORT,
    baseImage: BASE_IMAGE,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    envExample: buildEnvExample(env, secrets, peers, keys.accepted.length > 0),
    deploy: buildDeploy(project.name, env, secrets, peers),
  };
}
