/**
 * Behaviour of the Render API v1 for the contract fake (./contract-fake.ts): services, env vars,
 * deploys with a status progression. Validated against render-public-api.openapi.yml, with the
 * web service details checked directly against `webServiceDetailsPOST` / `webServiceDetailsPATCH`
 * (requests) and `webServiceDetails` (responses), as the description's `serviceDetails` union is
 * ambiguous (PROVENANCE.md).
 */
import { startContractFake, type ContractFake, type ExtraCheck, type FakeReply, type FakeRequest, type Handler } from './contract-fake.ts';

export interface FakeService {
  id: string;
  name: string;
  ownerId: string;
  imagePath: string;
  registryCredentialId?: string;
  plan: string;
  region: string;
  numInstances: number;
  healthCheckPath: string;
  dockerCommand: string;
  slug: string;
  envVars: Map<string, string>;
  deploys: Map<string, { id: string; imageUrl: string; polls: number; createdAt: string }>;
}

export interface RenderFakeState {
  services: Map<string, FakeService>;
  /** Images whose deploys end `update_failed`. */
  failingImages: Set<string>;
  /** Polls of GET deploy before a deploy is live. */
  pollsToLive: number;
  seq: number;
  /** Log entries `GET /logs` serves (the dashboard's log reader), each for one resource (service id). */
  logs: { id: string; message: string; timestamp: string; resource: string }[];
}

const NOW = '2025-01-01T00:00:00Z';
const err = (status: number, message: string): FakeReply => ({ status, body: { id: `err-${status}`, message } });

const repositoryOf = (ref: string): string => {
  const noDigest = ref.split('@')[0];
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
};

export function serviceView(s: FakeService) {
  return {
    id: s.id,
    name: s.name,
    ownerId: s.ownerId,
    type: 'web_service',
    autoDeploy: 'no',
    createdAt: NOW,
    updatedAt: NOW,
    dashboardUrl: `https://dashboard.render.com/web/${s.id}`,
    imagePath: s.imagePath,
    notifyOnFail: 'default',
    rootDir: '',
    slug: s.slug,
    suspended: 'not_suspended',
    suspenders: [],
    ...(s.registryCredentialId ? { registryCredential: { id: s.registryCredentialId, name: 'registry' } } : {}),
    serviceDetails: {
      env: 'image',
      runtime: 'image',
      // What Render returns here for image-backed services is not described; the description
      // requires one of the docker/native shapes, so the fake answers the docker one.
      envSpecificDetails: { dockerCommand: s.dockerCommand, dockerContext: '', dockerfilePath: '' },
      plan: s.plan,
      region: s.region,
      numInstances: s.numInstances,
      buildPlan: 'starter',
      healthCheckPath: s.healthCheckPath,
      openPorts: [{ port: 8080, protocol: 'TCP' }],
      url: `https://${s.slug}.onrender.com`,
    },
  };
}

function deployView(state: RenderFakeState, d: FakeService['deploys'] extends Map<string, infer D> ? D : never) {
  const failing = state.failingImages.has(d.imageUrl);
  const status = d.polls === 0 ? 'created' : d.polls < state.pollsToLive ? 'update_in_progress' : failing ? 'update_failed' : 'live';
  return {
    id: d.id,
    status,
    trigger: 'api',
    image: { ref: d.imageUrl, sha: 'sha256:0f0f' },
    createdAt: d.createdAt,
    updatedAt: NOW,
    ...(status === 'live' || status === 'update_failed' ? { finishedAt: NOW } : {}),
  };
}

function withService(h: (req: FakeRequest, state: RenderFakeState, s: FakeService) => FakeReply): Handler<RenderFakeState> {
  return (req, state) => {
    const s = state.services.get(req.params.serviceId);
    if (!s) return err(404, `service ${req.params.serviceId} not found`);
    return h(req, state, s);
  };
}

function newDeploy(state: RenderFakeState, s: FakeService, imageUrl: string) {
  state.seq += 1;
  const d = { id: `dep-${state.seq.toString(36).padStart(6, '0')}`, imageUrl, polls: 0, createdAt: NOW };
  s.deploys.set(d.id, d);
  return d;
}

export const renderHandlers: Record<string, Handler<RenderFakeState>> = {
  'create-service': (req, state) => {
    const b = req.body;
    if (b.type !== 'web_service' || !b.image) return err(400, 'the fake only plays image-backed web services');
    if (b.image.ownerId !== b.ownerId) return err(400, 'image.ownerId must match ownerId');
    if ([...state.services.values()].some((s) => s.name === b.name && s.ownerId === b.ownerId)) return err(409, `service name ${b.name} is already in use`);
    state.seq += 1;
    const id = `srv-${state.seq.toString(36).padStart(19, '0')}`;
    const d = b.serviceDetails ?? {};
    const s: FakeService = {
      id,
      name: b.name,
      ownerId: b.ownerId,
      imagePath: b.image.imagePath,
      registryCredentialId: b.image.registryCredentialId,
      plan: d.plan ?? 'starter',
      region: d.region ?? 'oregon',
      numInstances: d.numInstances ?? 1,
      healthCheckPath: d.healthCheckPath ?? '',
      dockerCommand: d.envSpecificDetails?.dockerCommand ?? '',
      slug: `${b.name}-${state.seq.toString(36)}`,
      envVars: new Map((b.envVars ?? []).map((e: { key: string; value: string }) => [e.key, e.value])),
      deploys: new Map(),
    };
    state.services.set(id, s);
    const deploy = newDeploy(state, s, s.imagePath);
    return { status: 201, body: { service: serviceView(s), deployId: deploy.id } };
  },
  'list-services': (req, state) => {
    const names = req.query.getAll('name');
    const owners = req.query.getAll('ownerId');
    const list = [...state.services.values()].filter((s) => (names.length === 0 || names.includes(s.name)) && (owners.length === 0 || owners.includes(s.ownerId)));
    return { status: 200, body: list.map((s) => ({ service: serviceView(s), cursor: s.id })) };
  },
  'retrieve-service': withService((_req, _state, s) => ({ status: 200, body: serviceView(s) })),
  'update-service': withService((req, _state, s) => {
    const b = req.body;
    if (b.name) s.name = b.name;
    if (b.image) {
      if (b.image.ownerId !== s.ownerId) return err(400, 'image.ownerId must match the service owner');
      s.imagePath = b.image.imagePath;
      s.registryCredentialId = b.image.registryCredentialId;
    }
    const d = b.serviceDetails ?? {};
    if (d.plan) s.plan = d.plan;
    if (d.healthCheckPath !== undefined) s.healthCheckPath = d.healthCheckPath;
    if (d.envSpecificDetails?.dockerCommand !== undefined) s.dockerCommand = d.envSpecificDetails.dockerCommand;
    return { status: 200, body: serviceView(s) };
  }),
  'scale-service': withService((req, _state, s) => {
    s.numInstances = req.body.numInstances;
    return { status: 202 };
  }),
  'delete-service': withService((_req, state, s) => {
    state.services.delete(s.id);
    return { status: 204 };
  }),
  'update-env-vars-for-service': withService((req, _state, s) => {
    s.envVars = new Map((req.body as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    return { status: 200, body: [...s.envVars].map(([key, value]) => ({ envVar: { key, value }, cursor: key })) };
  }),
  'create-deploy': withService((req, state, s) => {
    const imageUrl: string | undefined = req.body?.imageUrl;
    if (imageUrl && repositoryOf(imageUrl) !== repositoryOf(s.imagePath)) {
      return err(400, `imageUrl ${imageUrl} does not match the service image ${repositoryOf(s.imagePath)}`);
    }
    if (imageUrl) s.imagePath = imageUrl;
    const d = newDeploy(state, s, imageUrl ?? s.imagePath);
    return { status: 201, body: deployView(state, d) };
  }),
  'list-logs': (req, state) => {
    const resources = req.query.getAll('resource');
    const owner = req.query.get('ownerId');
    const since = req.query.get('startTime');
    const limit = Number(req.query.get('limit') ?? 20);
    const forward = req.query.get('direction') === 'forward';
    let list = state.logs.filter((l) => resources.includes(l.resource) && state.services.get(l.resource)?.ownerId === owner && (!since || l.timestamp >= since));
    list = [...list].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
    const page = forward ? list.slice(0, limit) : list.slice(-limit).reverse();
    const last = page.at(-1)?.timestamp ?? NOW;
    return {
      status: 200,
      body: {
        hasMore: list.length > page.length,
        nextStartTime: last,
        nextEndTime: last,
        logs: page.map((l) => ({ id: l.id, message: l.message, timestamp: l.timestamp, labels: [{ name: 'resource', value: l.resource }, { name: 'level', value: 'info' }] })),
      },
    };
  },
  'retrieve-deploy': withService((req, state, s) => {
    const d = s.deploys.get(req.params.deployId);
    if (!d) return err(404, 'deploy not found');
    d.polls += 1;
    return { status: 200, body: deployView(state, d) };
  }),
};

export const renderExtraChecks: ExtraCheck[] = [
  { operationId: 'create-service', on: 'request', pointer: '/serviceDetails', schema: '#/components/schemas/webServiceDetailsPOST' },
  { operationId: 'update-service', on: 'request', pointer: '/serviceDetails', schema: '#/components/schemas/webServiceDetailsPATCH' },
  { operationId: 'create-service', on: 'request', pointer: '/envVars/*', schema: '#/components/schemas/envVarKeyValue' },
  { operationId: 'update-env-vars-for-service', on: 'request', pointer: '/*', schema: '#/components/schemas/envVarKeyValue' },
  { operationId: 'create-service', on: 'response', pointer: '/service/serviceDetails', schema: '#/components/schemas/webServiceDetails' },
  { operationId: 'retrieve-service', on: 'response', pointer: '/serviceDetails', schema: '#/components/schemas/webServiceDetails' },
  { operationId: 'update-service', on: 'response', pointer: '/serviceDetails', schema: '#/components/schemas/webServiceDetails' },
  { operationId: 'list-services', on: 'response', pointer: '/*/service/serviceDetails', schema: '#/components/schemas/webServiceDetails' },
  { operationId: 'create-service', on: 'response', pointer: '/service/serviceDetails/envSpecificDetails', schema: '#/components/schemas/dockerDetails' },
];

export function newRenderState(): RenderFakeState {
  return { services: new Map(), failingImages: new Set(), pollsToLive: 2, seq: 0, logs: [] };
}

export function startRenderFake(token: string, state: RenderFakeState = newRenderState()): Promise<ContractFake<RenderFakeState>> {
  return startContractFake({ description: 'render-public-api.openapi.yml', token, state, handlers: renderHandlers, extraChecks: renderExtraChecks });
}
