/**
 * Render API v1 calls (https://api.render.com/v1, see ../shared/schemas/render-public-api.openapi.yml).
 * Each function is one documented operation; the operation id is in the error messages.
 * Loaded only inside dynamic provider methods (see ./providers.ts).
 */
import { apiRequest, encodePath, type ApiConnection } from '../../http/client.ts';

export interface RenderApiSettings {
  baseUrl: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface RenderService {
  id: string;
  name: string;
  ownerId: string;
  type: string;
  dashboardUrl?: string;
  imagePath?: string;
  serviceDetails?: {
    url?: string;
    runtime?: string;
    env?: string;
    region?: string;
    plan?: string;
    numInstances?: number;
    healthCheckPath?: string;
  };
}

export interface RenderDeploy {
  id: string;
  status?: string;
  image?: { ref?: string; sha?: string };
}

export function connection(api: RenderApiSettings, apiKey: string): ApiConnection {
  return { ...api, token: apiKey };
}

const op = (name: string): string => `Render ${name}`;

export interface CreateServiceBody {
  type: 'web_service';
  name: string;
  ownerId: string;
  autoDeploy: 'yes' | 'no';
  image: { ownerId: string; imagePath: string; registryCredentialId?: string };
  envVars: { key: string; value: string }[];
  serviceDetails: Record<string, unknown>;
}

export async function createService(conn: ApiConnection, body: CreateServiceBody): Promise<{ service: RenderService; deployId: string | null }> {
  const res = await apiRequest<{ service: RenderService; deployId?: string }>(conn, {
    operation: op('create-service'),
    method: 'POST',
    path: '/services',
    body,
  });
  return { service: res.body.service, deployId: res.body.deployId ?? null };
}

/** Web services of an owner with exactly this name. */
export async function findServices(conn: ApiConnection, name: string, ownerId: string): Promise<RenderService[]> {
  const res = await apiRequest<{ service: RenderService }[]>(conn, {
    operation: op('list-services'),
    method: 'GET',
    path: '/services',
    query: { name, ownerId, type: 'web_service', limit: 100 },
  });
  return (res.body ?? []).map((x) => x.service).filter((s) => s.name === name && s.ownerId === ownerId);
}

export async function getService(conn: ApiConnection, id: string): Promise<RenderService | null> {
  const res = await apiRequest<RenderService>(conn, {
    operation: op('retrieve-service'),
    method: 'GET',
    path: encodePath('/services/', id),
    passStatuses: [404, 410],
  });
  return res.status === 200 ? res.body : null;
}

export async function updateService(conn: ApiConnection, id: string, body: Record<string, unknown>): Promise<RenderService> {
  const res = await apiRequest<RenderService>(conn, { operation: op('update-service'), method: 'PATCH', path: encodePath('/services/', id), body });
  return res.body;
}

export async function scaleService(conn: ApiConnection, id: string, numInstances: number): Promise<void> {
  await apiRequest(conn, { operation: op('scale-service'), method: 'POST', path: encodePath('/services/', id, '/scale'), body: { numInstances } });
}

export async function deleteService(conn: ApiConnection, id: string): Promise<void> {
  await apiRequest(conn, { operation: op('delete-service'), method: 'DELETE', path: encodePath('/services/', id), passStatuses: [404, 410] });
}

/** Replaces all env vars of the service. False when the service is gone. */
export async function putEnvVars(conn: ApiConnection, id: string, vars: { key: string; value: string }[]): Promise<boolean> {
  const res = await apiRequest(conn, {
    operation: op('update-env-vars-for-service'),
    method: 'PUT',
    path: encodePath('/services/', id, '/env-vars'),
    body: vars,
    passStatuses: [404, 410],
  });
  return res.status === 200;
}

/** Triggers a deploy of `imageUrl`; the deploy, or null when Render only queued it (202). */
export async function createDeploy(conn: ApiConnection, id: string, imageUrl: string): Promise<RenderDeploy | null> {
  const res = await apiRequest<RenderDeploy | null>(conn, {
    operation: op('create-deploy'),
    method: 'POST',
    path: encodePath('/services/', id, '/deploys'),
    body: { imageUrl },
  });
  return res.status === 201 ? res.body : null;
}

export async function getDeploy(conn: ApiConnection, serviceId: string, deployId: string): Promise<RenderDeploy> {
  const res = await apiRequest<RenderDeploy>(conn, {
    operation: op('retrieve-deploy'),
    method: 'GET',
    path: encodePath('/services/', serviceId, '/deploys/', deployId),
  });
  return res.body;
}
