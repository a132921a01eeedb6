/**
 * Fly Machines API calls (https://api.machines.dev, see ../shared/schemas/fly-machines-openapi.json).
 * Each function is one documented operation; the operation id is in the error messages.
 * Loaded only inside dynamic provider methods (see ./providers.ts).
 */
import { apiRequest, encodePath, type ApiConnection } from '../../http/client.ts';

export interface FlyApiSettings {
  baseUrl: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface FlyAppInfo {
  id?: string;
  name?: string;
  organization?: { slug?: string; name?: string };
  status?: string;
  machine_count?: number;
}

export interface FlyIp {
  ip?: string;
  shared?: boolean;
  region?: string;
  service_name?: string;
}

export interface FlyMachineInfo {
  id: string;
  name?: string;
  region?: string;
  state?: string;
  instance_id?: string;
  config?: { image?: string; metadata?: Record<string, string> };
  checks?: { name?: string; status?: string; output?: string }[];
}

export type FlyIpType = 'shared_v4' | 'v4' | 'v6';

export function connection(api: FlyApiSettings, token: string): ApiConnection {
  return { ...api, token };
}

const op = (name: string): string => `Fly ${name}`;

export async function createApp(conn: ApiConnection, name: string, org: string): Promise<void> {
  await apiRequest(conn, { operation: op('Apps_create'), method: 'POST', path: '/v1/apps', body: { name, org_slug: org } });
}

/** The app, or null when it does not exist (or the token cannot see it). */
export async function getApp(conn: ApiConnection, name: string): Promise<FlyAppInfo | null> {
  const res = await apiRequest<FlyAppInfo>(conn, {
    operation: op('Apps_show'),
    method: 'GET',
    path: encodePath('/v1/apps/', name),
    passStatuses: [404],
  });
  return res.status === 404 ? null : res.body;
}

export async function deleteApp(conn: ApiConnection, name: string): Promise<void> {
  await apiRequest(conn, { operation: op('Apps_delete'), method: 'DELETE', path: encodePath('/v1/apps/', name), passStatuses: [404] });
}

export async function listIps(conn: ApiConnection, app: string): Promise<FlyIp[]> {
  const res = await apiRequest<{ ips?: FlyIp[] }>(conn, {
    operation: op('App_IPAssignments_list'),
    method: 'GET',
    path: encodePath('/v1/apps/', app, '/ip_assignments'),
  });
  return res.body?.ips ?? [];
}

export async function assignIp(conn: ApiConnection, app: string, type: FlyIpType): Promise<FlyIp> {
  const res = await apiRequest<FlyIp>(conn, {
    operation: op('App_IPAssignments_create'),
    method: 'POST',
    path: encodePath('/v1/apps/', app, '/ip_assignments'),
    body: { type },
  });
  return res.body ?? {};
}

export async function releaseIp(conn: ApiConnection, app: string, ip: string): Promise<void> {
  await apiRequest(conn, {
    operation: op('App_IPAssignments_delete'),
    method: 'DELETE',
    path: encodePath('/v1/apps/', app, '/ip_assignments/', ip),
    passStatuses: [404],
  });
}

/** Sets app secrets; returns the new secrets version (pass it to machines as `min_secrets_version`). */
export async function setSecrets(conn: ApiConnection, app: string, values: Record<string, string>): Promise<number | null> {
  const res = await apiRequest<{ version?: number; Version?: number }>(conn, {
    operation: op('Secrets_update'),
    method: 'POST',
    path: encodePath('/v1/apps/', app, '/secrets'),
    body: { values },
  });
  return res.body?.version ?? res.body?.Version ?? null;
}

export async function unsetSecret(conn: ApiConnection, app: string, name: string): Promise<number | null> {
  const res = await apiRequest<{ version?: number; Version?: number } | null>(conn, {
    operation: op('Secret_delete'),
    method: 'DELETE',
    path: encodePath('/v1/apps/', app, '/secrets/', name),
    passStatuses: [404],
  });
  return res.status === 404 ? null : (res.body?.version ?? res.body?.Version ?? null);
}

export async function listMachines(conn: ApiConnection, app: string): Promise<FlyMachineInfo[]> {
  const res = await apiRequest<FlyMachineInfo[]>(conn, {
    operation: op('Machines_list'),
    method: 'GET',
    path: encodePath('/v1/apps/', app, '/machines'),
    passStatuses: [404],
  });
  return res.status === 404 ? [] : (res.body ?? []);
}

export async function getMachine(conn: ApiConnection, app: string, id: string): Promise<FlyMachineInfo | null> {
  const res = await apiRequest<FlyMachineInfo>(conn, {
    operation: op('Machines_show'),
    method: 'GET',
    path: encodePath('/v1/apps/', app, '/machines/', id),
    passStatuses: [404],
  });
  return res.status === 404 ? null : res.body;
}

export interface MachineRequest {
  name?: string;
  region?: string;
  config: Record<string, unknown>;
  min_secrets_version?: number;
}

export async function createMachine(conn: ApiConnection, app: string, body: MachineRequest): Promise<FlyMachineInfo> {
  const res = await apiRequest<FlyMachineInfo>(conn, {
    operation: op('Machines_create'),
    method: 'POST',
    path: encodePath('/v1/apps/', app, '/machines'),
    body,
  });
  return res.body;
}

export async function updateMachine(conn: ApiConnection, app: string, id: string, body: MachineRequest): Promise<FlyMachineInfo> {
  const res = await apiRequest<FlyMachineInfo>(conn, {
    operation: op('Machines_update'),
    method: 'POST',
    path: encodePath('/v1/apps/', app, '/machines/', id),
    body,
  });
  return res.body;
}

/**
 * One long-poll of `/wait` (at most `timeoutSeconds`, ≤ 60). True when the state was reached,
 * false when this poll timed out (Fly answers 408) so the caller can poll again.
 */
export async function waitForState(
  conn: ApiConnection,
  app: string,
  id: string,
  state: 'started' | 'stopped' | 'destroyed',
  timeoutSeconds: number,
  version?: string,
): Promise<boolean> {
  const res = await apiRequest(conn, {
    operation: op('Machines_wait'),
    method: 'GET',
    path: encodePath('/v1/apps/', app, '/machines/', id, '/wait'),
    query: { state, timeout: timeoutSeconds, version },
    timeoutMs: (timeoutSeconds + 15) * 1000,
    passStatuses: [408],
  });
  return res.status !== 408;
}

export async function stopMachine(conn: ApiConnection, app: string, id: string): Promise<void> {
  await apiRequest(conn, {
    operation: op('Machines_stop'),
    method: 'POST',
    path: encodePath('/v1/apps/', app, '/machines/', id, '/stop'),
    body: { signal: 'SIGTERM', timeout: '30s' },
    // already stopped / gone: nothing to stop
    passStatuses: [400, 404, 412],
  });
}

export async function destroyMachine(conn: ApiConnection, app: string, id: string): Promise<void> {
  await apiRequest(conn, {
    operation: op('Machines_delete'),
    method: 'DELETE',
    path: encodePath('/v1/apps/', app, '/machines/', id),
    query: { force: true },
    passStatuses: [404],
  });
}
