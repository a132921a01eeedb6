/**
 * What a generated app reads from its environment (view model for settings.py, .env.example, the README
 * and the deploy configs): plain settings, secrets, peer projects' URLs, LLM endpoints given by env.
 */
import type { ProjectModel, WorkflowModel } from '../definitions/model.ts';
import { pyLiteral, pyStr, pyValue } from '../expressions/python.ts';
import { valueRefs } from '../expressions/value.ts';
import { byName, compareText } from '../shared/order.ts';
import { APP_PORT, DEFAULT_MAX_BODY_BYTES } from './defaults.ts';
import { peerEnvVar } from './names.ts';
import { PEER_KEY_ENV, PEER_KEY_HEADER, PEER_KEY_PREVIOUS_ENV, peerKeyEnvName } from '../contracts/peer-key.ts';
import { dotenvValue, mdCell, oneLine, tomlStr, yamlStr } from './quote.ts';

export interface EnvView {
  name: string;
  namePy: string;
  /** Python literal of the default. */
  py: string;
  /** The default as environment-variable text. */
  text: string;
  type: 'string' | 'number' | 'boolean';
}

export interface SecretView {
  name: string;
  namePy: string;
  description: string;
  descriptionMd: string;
  cloudRunSecret: string;
}

export interface PeerView {
  project: string;
  projectPy: string;
  envVar: string;
  envVarPy: string;
  /** caller workflow → project/workflow, for the README. */
  calls: string[];
  /** The calls as one line of text. */
  callsText: string;
  /** The variable holding this peer's key, when a called workflow needs it (else null). */
  keyEnvVar: string | null;
  keyEnvVarPy: string | null;
}

/** Who presents or accepts peer keys (src/definitions/peer-auth.ts). */
export interface PeerKeyUse {
  /** Workflows of this project that other projects call with its peer key, sorted. */
  accepted: readonly string[];
  /** Peer projects whose key this project sends, sorted. */
  sent: readonly string[];
}

export interface LlmEndpointView {
  labelPy: string;
  fnPy: string;
}

export type EnvExampleView = { section: string; vars: { name: string; value: string; comment: string }[] }[];

export interface DeployView {
  /** Values quoted for YAML (service.yaml, render.yaml). */
  yaml: { serviceName: string; image: string; env: { name: string; value: string }[]; secrets: { name: string; secret: string }[] };
  /** Values quoted for TOML (fly.toml). */
  toml: { app: string; env: { name: string; value: string }[] };
}

export function buildEnv(project: ProjectModel): EnvView[] {
  return Object.entries(project.env)
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, v]) => ({
      name,
      namePy: pyStr(name),
      py: pyLiteral(v),
      text: typeof v === 'string' ? v : String(v),
      type: typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string',
    }));
}

/**
 * The secrets the app requires: the declared ones, and the peer keys it accepts or sends (set by the
 * stacks, docs/security.md "Cross-project calls").
 */
export function buildSecrets(project: ProjectModel, keys: PeerKeyUse = { accepted: [], sent: [] }): SecretView[] {
  const all = [...project.secrets];
  if (keys.accepted.length) all.push({ name: PEER_KEY_ENV, description: `peer key other projects send in ${PEER_KEY_HEADER} to call ${keys.accepted.join(', ')} (the stack's catalyst:peerKey)` });
  for (const p of keys.sent) all.push({ name: peerKeyEnvName(p), description: `peer key of project ${p}, sent in ${PEER_KEY_HEADER} on calls to it (from its stack)` });
  return all.sort(byName).map((s) => ({
    name: s.name,
    namePy: pyStr(s.name),
    description: s.description,
    descriptionMd: mdCell(s.description),
    cloudRunSecret: `${project.name}-${s.name.toLowerCase().replace(/_/g, '-')}`,
  }));
}

/** The projects called over HTTP, sorted, each with the calls made to it. */
export function buildPeers(workflows: readonly WorkflowModel[], keyed: readonly string[] = []): PeerView[] {
  const peerCalls = new Map<string, string[]>();
  for (const w of workflows) for (const c of w.calls) if (!c.inProcess) peerCalls.set(c.project, [...(peerCalls.get(c.project) ?? []), `${w.name} → ${c.project}/${c.workflow}`]);
  return [...peerCalls.keys()].sort().map((p) => {
    const calls = peerCalls.get(p)!;
    return { project: p, projectPy: pyStr(p), envVar: peerEnvVar(p), envVarPy: pyStr(peerEnvVar(p)), calls, callsText: calls.join('; '), keyEnvVar: keyed.includes(p) ? peerKeyEnvName(p) : null, keyEnvVarPy: keyed.includes(p) ? pyStr(peerKeyEnvName(p)) : null };
  });
}

/** The llm nodes whose base URL reads only env: settings.py checks them at startup. */
export function buildLlmEndpoints(workflows: readonly WorkflowModel[]): LlmEndpointView[] {
  const out: LlmEndpointView[] = [];
  for (const w of workflows) {
    for (const n of w.nodes) {
      const base = n.def.type === 'llm' ? n.values.baseUrl : undefined;
      if (!base || !valueRefs(base).every((r) => r.ref.root === 'env')) continue;
      out.push({ labelPy: pyStr(`${w.name}.${n.id}`), fnPy: `lambda ctx: ${pyValue(base)}` });
    }
  }
  return out;
}

/** Every environment variable the app reads, by section, for .env.example. */
export function buildEnvExample(env: readonly EnvView[], secrets: readonly SecretView[], peers: readonly PeerView[], acceptsPeerKey = false): EnvExampleView {
  const out: EnvExampleView = [];
  if (secrets.length) out.push({ section: 'Secrets: required, the app refuses to start without them. Never commit values.', vars: secrets.map((s) => ({ name: s.name, value: '', comment: oneLine(s.description) })) });
  if (env.length) out.push({ section: 'Settings from project.yaml (env); the app has these defaults built in: uncomment a line to override one.', vars: env.map((e) => ({ name: `# ${e.name}`, value: dotenvValue(e.text), comment: e.type })) });
  if (peers.length) out.push({ section: 'Peer projects: base URL of each project this app calls over HTTP.', vars: peers.map((p) => ({ name: p.envVar, value: '', comment: `base URL of project ${p.project}, e.g. http://127.0.0.1:8001` })) });
  out.push({
    section: 'Server (all optional).',
    vars: [
      { name: 'PORT', value: String(APP_PORT), comment: 'port to listen on' },
      { name: 'CATALYST_HOST', value: '0.0.0.0', comment: 'interface to listen on (127.0.0.1 for local only)' },
      { name: 'CATALYST_LOG_LEVEL', value: 'info', comment: 'debug | info | warning | error' },
      { name: 'CATALYST_MAX_BODY_BYTES', value: String(DEFAULT_MAX_BODY_BYTES), comment: 'larger request bodies get 413' },
      { name: 'CATALYST_HEADER_TIMEOUT_S', value: '10', comment: 'request headers must arrive within this many seconds, else the connection closes' },
      { name: 'CATALYST_BODY_TIMEOUT_S', value: '30', comment: 'a request body must arrive within this many seconds, else 408' },
      { name: 'CATALYST_MAX_CONNECTIONS', value: '1000', comment: 'connections or requests in progress beyond this get 503' },
      ...(acceptsPeerKey ? [{ name: PEER_KEY_PREVIOUS_ENV, value: '', comment: `the previous peer key, still accepted during a rotation (the stack's catalyst:peerKeyPrevious)` }] : []),
      { name: 'CATALYST_GIT_COMMIT', value: '', comment: 'shown by /version (set by the deployer)' },
      { name: 'CATALYST_GIT_DIRTY', value: '', comment: 'true | false, shown by /version' },
    ],
  });
  return out;
}

/** Values for the deploy configs (service.yaml, render.yaml, fly.toml), quoted for their formats. */
export function buildDeploy(project: string, env: readonly EnvView[], secrets: readonly SecretView[], peers: readonly PeerView[]): DeployView {
  const plainEnv = [...env.map((e) => ({ name: e.name, value: e.text })), ...peers.map((p) => ({ name: p.envVar, value: '' }))];
  return {
    yaml: {
      serviceName: project,
      image: yamlStr(`REPLACE-WITH-IMAGE/${project}:latest`),
      env: plainEnv.map((e) => ({ name: e.name, value: yamlStr(e.value) })),
      secrets: secrets.map((s) => ({ name: s.name, secret: s.cloudRunSecret })),
    },
    toml: { app: tomlStr(project), env: plainEnv.map((e) => ({ name: e.name, value: tomlStr(e.value) })) },
  };
}
