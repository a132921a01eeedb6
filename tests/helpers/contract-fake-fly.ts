/**
 * Behaviour of the Fly Machines API for the contract fake (./contract-fake.ts): apps, IP
 * assignments, app secrets, machines with states, `/wait` and service checks. Just enough for the
 * fly target's dynamic providers; every exchange is validated against fly-machines-openapi.json.
 */
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest, type Handler } from './contract-fake.ts';

export interface FakeMachine {
  id: string;
  name: string;
  region: string;
  state: string;
  instance_id: string;
  config: { image?: string; services?: { internal_port?: number }[]; [k: string]: unknown };
  min_secrets_version?: number;
  created_at: string;
  updated_at: string;
}

export interface FakeFlyApp {
  id: string;
  name: string;
  org: string;
  ips: { ip: string; shared: boolean; region: string; created_at: string; service_name: string }[];
  secrets: Map<string, { digest: string; created_at: string; updated_at: string }>;
  /** The values the fake received (to check what was sent; a real API never shows them). */
  secretValues: Map<string, string>;
  secretsVersion: number;
  machines: Map<string, FakeMachine>;
}

export interface FlyFakeState {
  orgs: Set<string>;
  apps: Map<string, FakeFlyApp>;
  /** Images whose machines start but whose /health check stays critical. */
  unhealthyImages: Set<string>;
  /** Images whose machines never reach `started` (`/wait` answers 408). */
  stuckImages: Set<string>;
  /** Machine lifecycle events in order, e.g. `update catalyst-0 img:2`, `started catalyst-0`. */
  events: string[];
  /** How Apps_create answers a name that is taken: 422 `name_taken` (default) or 409 (Fly answers both). */
  nameTakenStatus: 409 | 422;
  /** Each new app lists its private 6PN address (`fdaa:…`) among its IP assignments, as Fly can. */
  privateV6: boolean;
  seq: number;
}

const NOW = '2025-01-01T00:00:00Z';
const err = (status: number, error: string, code?: string): FakeReply => ({ status, body: { error, ...(code ? { status: code } : {}) } });

function id(state: FlyFakeState, len: number): string {
  state.seq += 1;
  return (state.seq.toString(16) + 'a1b2c3d4e5f60718293a4b5c6d').slice(0, len).padEnd(len, '0');
}

function appView(a: FakeFlyApp) {
  return {
    id: a.id,
    name: a.name,
    machine_count: a.machines.size,
    network: 'default',
    organization: { name: a.org, slug: a.org },
    status: a.machines.size > 0 ? 'deployed' : 'pending',
  };
}

function checksOf(state: FlyFakeState, m: FakeMachine) {
  if (m.state !== 'started') return [];
  const port = m.config.services?.[0]?.internal_port ?? 0;
  const bad = state.unhealthyImages.has(String(m.config.image));
  return [
    {
      name: `servicecheck-00-http-${port}`,
      status: bad ? 'critical' : 'passing',
      output: bad ? 'GET /health: 500 Internal Server Error' : 'Success',
      updated_at: NOW,
    },
  ];
}

function machineView(state: FlyFakeState, m: FakeMachine) {
  const image = String(m.config.image ?? '');
  const [repository, tag] = image.split('@')[0].split(':');
  return {
    id: m.id,
    name: m.name,
    region: m.region,
    state: m.state,
    instance_id: m.instance_id,
    private_ip: 'fdaa:0:1::3',
    config: m.config,
    image_ref: { registry: repository.split('/')[0], repository: repository.split('/').slice(1).join('/'), tag: tag ?? 'latest', digest: image.split('@')[1] ?? '' },
    checks: checksOf(state, m),
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
}

function withApp(h: (req: FakeRequest, state: FlyFakeState, app: FakeFlyApp) => FakeReply): Handler<FlyFakeState> {
  return (req, state) => {
    const app = state.apps.get(req.params.app_name);
    if (!app) return err(404, `app not found: ${req.params.app_name}`);
    return h(req, state, app);
  };
}

function withMachine(h: (req: FakeRequest, state: FlyFakeState, app: FakeFlyApp, m: FakeMachine) => FakeReply): Handler<FlyFakeState> {
  return withApp((req, state, app) => {
    const m = app.machines.get(req.params.machine_id);
    if (!m) return err(404, `machine not found: ${req.params.machine_id}`);
    return h(req, state, app, m);
  });
}

export const flyHandlers: Record<string, Handler<FlyFakeState>> = {
  Apps_create: (req, state) => {
    const { name, org_slug } = req.body as { name?: string; org_slug?: string };
    if (!name || !org_slug) return err(400, 'name and org_slug are required');
    if (!state.orgs.has(org_slug)) return err(422, `organization ${org_slug} not found`);
    if (state.apps.has(name)) return state.nameTakenStatus === 409 ? err(409, `app ${name} already exists`) : err(422, 'Name has already been taken', 'name_taken');
    state.apps.set(name, {
      id: id(state, 12),
      name,
      org: org_slug,
      ips: state.privateV6 ? [{ ip: `fdaa:0:${(state.seq + 1).toString(16)}:a7b::2`, shared: false, region: 'global', created_at: NOW, service_name: '' }] : [],
      secrets: new Map(),
      secretValues: new Map(),
      secretsVersion: 0,
      machines: new Map(),
    });
    return { status: 201 };
  },
  Apps_show: withApp((_req, _state, app) => ({ status: 200, body: appView(app) })),
  Apps_delete: withApp((_req, state, app) => {
    state.apps.delete(app.name);
    return { status: 202 };
  }),
  App_IPAssignments_list: withApp((_req, _state, app) => ({ status: 200, body: { ips: app.ips } })),
  App_IPAssignments_create: withApp((req, state, app) => {
    const type = (req.body as { type?: string }).type;
    const n = (state.seq += 1);
    const ip =
      type === 'shared_v4'
        ? { ip: `66.241.124.${n % 250}`, shared: true }
        : type === 'v4'
          ? { ip: `137.66.1.${n % 250}`, shared: false }
          : type === 'v6'
            ? { ip: `2a09:8280:1::${n.toString(16)}`, shared: false }
            : null;
    if (!ip) return err(400, `unsupported type ${type}`);
    const rec = { ...ip, region: 'global', created_at: NOW, service_name: '' };
    app.ips.push(rec);
    return { status: 200, body: rec };
  }),
  App_IPAssignments_delete: withApp((req, _state, app) => {
    const i = app.ips.findIndex((x) => x.ip === req.params.ip);
    if (i < 0) return err(404, 'ip not found');
    app.ips.splice(i, 1);
    return { status: 204 };
  }),
  Secrets_update: withApp((req, _state, app) => {
    const values = (req.body as { values?: Record<string, string> }).values ?? {};
    app.secretsVersion += 1;
    for (const [k, v] of Object.entries(values)) {
      app.secrets.set(k, { digest: `d${app.secretsVersion}${k.length}`, created_at: NOW, updated_at: NOW });
      app.secretValues.set(k, v);
    }
    const secrets = [...app.secrets].map(([name, s]) => ({ name, ...s }));
    return { status: 200, body: { version: app.secretsVersion, secrets } };
  }),
  Secret_delete: withApp((req, _state, app) => {
    if (!app.secrets.delete(req.params.secret_name)) return err(404, 'secret not found');
    app.secretValues.delete(req.params.secret_name);
    app.secretsVersion += 1;
    return { status: 200, body: { version: app.secretsVersion } };
  }),
  Machines_list: withApp((_req, state, app) => ({ status: 200, body: [...app.machines.values()].map((m) => machineView(state, m)) })),
  Machines_create: withApp((req, state, app) => {
    const body = req.body as { name?: string; region?: string; config?: FakeMachine['config']; min_secrets_version?: number };
    if (!body.config?.image) return err(400, 'config.image is required');
    const name = body.name ?? `machine-${state.seq}`;
    if ([...app.machines.values()].some((m) => m.name === name)) return err(409, `a machine named ${name} already exists`);
    if (body.min_secrets_version !== undefined && body.min_secrets_version > app.secretsVersion) return err(422, 'secrets version not available yet');
    const m: FakeMachine = {
      id: id(state, 14),
      name,
      region: body.region ?? 'iad',
      state: 'starting',
      instance_id: id(state, 26).toUpperCase(),
      config: body.config,
      min_secrets_version: body.min_secrets_version,
      created_at: NOW,
      updated_at: NOW,
    };
    app.machines.set(m.id, m);
    state.events.push(`create ${m.name} ${m.config.image}`);
    return { status: 200, body: machineView(state, m) };
  }),
  Machines_show: withMachine((_req, state, _app, m) => ({ status: 200, body: machineView(state, m) })),
  Machines_update: withMachine((req, state, app, m) => {
    const body = req.body as { config?: FakeMachine['config']; min_secrets_version?: number };
    if (!body.config?.image) return err(400, 'config.image is required');
    if (body.min_secrets_version !== undefined && body.min_secrets_version > app.secretsVersion) return err(422, 'secrets version not available yet');
    m.config = body.config;
    m.min_secrets_version = body.min_secrets_version;
    m.state = 'starting';
    m.instance_id = id(state, 26).toUpperCase();
    state.events.push(`update ${m.name} ${m.config.image}`);
    return { status: 200, body: machineView(state, m) };
  }),
  Machines_wait: withMachine((req, state, _app, m) => {
    const want = req.query.get('state') ?? 'started';
    const version = req.query.get('version');
    if (version && version !== m.instance_id) return err(400, `machine ${m.id} has version ${m.instance_id}, not ${version}`);
    if (want === 'started' && m.state === 'starting') {
      if (state.stuckImages.has(String(m.config.image))) return err(408, 'deadline exceeded waiting for machine to reach started');
      m.state = 'started';
      state.events.push(`started ${m.name}`);
    }
    if (m.state !== want) return err(408, `machine is ${m.state}, not ${want}`);
    return { status: 200, body: { ok: true, state: m.state } };
  }),
  Machines_stop: withMachine((_req, state, _app, m) => {
    if (m.state === 'stopped') return err(400, 'machine already stopped');
    m.state = 'stopped';
    state.events.push(`stop ${m.name}`);
    return { status: 200 };
  }),
  Machines_delete: withMachine((req, state, app, m) => {
    if (m.state !== 'stopped' && req.query.get('force') !== 'true') return err(412, 'machine still active, stop it first or use force');
    app.machines.delete(m.id);
    state.events.push(`destroy ${m.name}`);
    return { status: 200 };
  }),
};

export function newFlyState(orgs: string[] = ['personal', 'acme']): FlyFakeState {
  return { orgs: new Set(orgs), apps: new Map(), unhealthyImages: new Set(), stuckImages: new Set(), events: [], seq: 0, nameTakenStatus: 422, privateV6: false };
}

export function startFlyFake(token: string, state: FlyFakeState = newFlyState()): Promise<ContractFake<FlyFakeState>> {
  return startContractFake({ description: 'fly-machines-openapi.json', token, state, handlers: flyHandlers });
}
