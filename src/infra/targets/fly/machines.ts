/**
 * Fly machines: the machine config we send, and the rollout (create / roll / scale down / destroy).
 * Pure orchestration over ./api.ts; loaded only inside dynamic provider methods.
 */
import type { ApiConnection } from '../../http/client.ts';
import * as fly from './api.ts';

export interface MachinesSpec {
  appName: string;
  image: string;
  /** Machines are spread over the regions round-robin: slot i runs in regions[i % n]. */
  regions: string[];
  count: number;
  guest: { cpuKind: 'shared' | 'performance'; cpus: number; memoryMb: number };
  env: Record<string, string>;
  port: number;
  autostop: 'off' | 'stop' | 'suspend';
  minMachinesRunning: number;
  healthCheckPath: string;
  /** App secrets version the machines must see (from FlyAppSecrets); a change rolls the machines. */
  secretsVersion: number | null;
  /**
   * Env only slot 0 gets (CATALYST_SCHEDULER=inapp: the one machine that runs the schedules, see
   * docs/infra.md "Schedules"); when set, slot 0 is also never auto-stopped.
   */
  leaderEnv?: Record<string, string>;
}

export interface MachinesTiming {
  /** Deadline for one machine to reach `started` (default 300 s). */
  startTimeoutSeconds?: number;
  /** Deadline for one machine's checks to pass once started (default 300 s). */
  healthTimeoutSeconds?: number;
  /** Poll interval for health checks (default 2000 ms). */
  pollIntervalMs?: number;
  /** Longest single `/wait` long-poll (default 60 s, Fly's maximum). */
  waitPollSeconds?: number;
}

export interface MachineRecord {
  id: string;
  name: string;
  region: string;
  instanceId: string | null;
}

export const MANAGED_KEY = 'catalyst_managed';
export const SLOT_KEY = 'catalyst_slot';

export function slotName(slot: number): string {
  return `catalyst-${slot}`;
}

export function slotRegion(spec: Pick<MachinesSpec, 'regions'>, slot: number): string {
  return spec.regions[slot % spec.regions.length];
}

/** The `fly.MachineConfig` for one slot. */
export function machineConfig(spec: MachinesSpec, slot: number): Record<string, unknown> {
  const leader = slot === 0 && spec.leaderEnv && Object.keys(spec.leaderEnv).length > 0;
  return {
    image: spec.image,
    env: { ...spec.env, ...(leader ? spec.leaderEnv : {}), PORT: String(spec.port) },
    guest: { cpu_kind: spec.guest.cpuKind, cpus: spec.guest.cpus, memory_mb: spec.guest.memoryMb },
    metadata: { [MANAGED_KEY]: 'true', [SLOT_KEY]: String(slot), fly_process_group: 'app', fly_platform_version: 'v2' },
    restart: { policy: 'on-failure', max_retries: 10 },
    services: [
      {
        protocol: 'tcp',
        internal_port: spec.port,
        autostop: leader ? 'off' : spec.autostop,
        autostart: true,
        min_machines_running: spec.minMachinesRunning,
        ports: [
          { port: 80, handlers: ['http'], force_https: true },
          { port: 443, handlers: ['tls', 'http'] },
        ],
        checks: [
          { type: 'http', protocol: 'http', method: 'GET', path: spec.healthCheckPath, port: spec.port, interval: '15s', timeout: '5s', grace_period: '10s' },
        ],
      },
    ],
  };
}

function request(spec: MachinesSpec, slot: number, withPlacement: boolean): fly.MachineRequest {
  return {
    ...(withPlacement ? { name: slotName(slot), region: slotRegion(spec, slot) } : {}),
    config: machineConfig(spec, slot),
    ...(spec.secretsVersion === null ? {} : { min_secrets_version: spec.secretsVersion }),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function record(m: fly.FlyMachineInfo, slot: number, spec: MachinesSpec): MachineRecord {
  return { id: m.id, name: m.name ?? slotName(slot), region: m.region ?? slotRegion(spec, slot), instanceId: m.instance_id ?? null };
}

/** Waits for `started`, then for every check to pass; throws with the failing check's output. */
export async function waitHealthy(conn: ApiConnection, app: string, m: MachineRecord, timing: MachinesTiming): Promise<void> {
  const startDeadline = Date.now() + (timing.startTimeoutSeconds ?? 300) * 1000;
  const poll = timing.waitPollSeconds ?? 60;
  for (;;) {
    const left = Math.ceil((startDeadline - Date.now()) / 1000);
    if (left <= 0) throw new Error(`Fly machine ${m.id} (${m.name}) did not reach state "started" within ${timing.startTimeoutSeconds ?? 300} s`);
    if (await fly.waitForState(conn, app, m.id, 'started', Math.min(poll, left), m.instanceId ?? undefined)) break;
  }
  const healthDeadline = Date.now() + (timing.healthTimeoutSeconds ?? 300) * 1000;
  let last = 'no check results yet';
  for (;;) {
    const info = await fly.getMachine(conn, app, m.id);
    if (info === null) throw new Error(`Fly machine ${m.id} (${m.name}) disappeared while waiting for it to become healthy`);
    if (info.state === 'failed' || info.state === 'destroyed') throw new Error(`Fly machine ${m.id} (${m.name}) is ${info.state}`);
    const checks = info.checks ?? [];
    const failing = checks.filter((c) => c.status !== 'passing');
    if (checks.length > 0 && failing.length === 0) return;
    if (failing.length > 0) last = failing.map((c) => `check ${c.name ?? '?'} is ${c.status ?? 'unknown'}${c.output ? `: ${c.output}` : ''}`).join('; ');
    if (Date.now() >= healthDeadline) {
      throw new Error(`Fly machine ${m.id} (${m.name}) did not become healthy within ${timing.healthTimeoutSeconds ?? 300} s: ${last}`);
    }
    await sleep(timing.pollIntervalMs ?? 2000);
  }
}

/** Stops (gracefully) and destroys one machine; a machine already gone is fine. */
export async function retireMachine(conn: ApiConnection, app: string, id: string, timing: MachinesTiming): Promise<void> {
  await fly.stopMachine(conn, app, id);
  const deadline = Date.now() + Math.min(60, timing.startTimeoutSeconds ?? 60) * 1000;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) break; // destroy with force below
    const info = await fly.getMachine(conn, app, id);
    if (info === null || info.state === 'stopped' || info.state === 'destroyed' || info.state === 'suspended') break;
    if (await fly.waitForState(conn, app, id, 'stopped', Math.min(timing.waitPollSeconds ?? 60, left))) break;
  }
  await fly.destroyMachine(conn, app, id);
}

export async function managedMachines(conn: ApiConnection, app: string): Promise<fly.FlyMachineInfo[]> {
  return (await fly.listMachines(conn, app)).filter((m) => m.config?.metadata?.[MANAGED_KEY] === 'true');
}

/**
 * Creates the slot's machine. A create whose response was lost and that was retried can fail on
 * the name already being used by the machine the first attempt made: then that machine is ours.
 */
async function createIdempotent(conn: ApiConnection, spec: MachinesSpec, slot: number): Promise<fly.FlyMachineInfo> {
  try {
    return await fly.createMachine(conn, spec.appName, request(spec, slot, true));
  } catch (err) {
    const mine = (await managedMachines(conn, spec.appName)).find((m) => m.name === slotName(slot) && m.config?.image === spec.image);
    if (!mine) throw err;
    return mine;
  }
}

/**
 * Brings the app's managed machines to `spec`, one slot at a time, waiting for each to be started
 * and healthy before touching the next (a failure stops the rollout: the remaining machines keep
 * their previous config). `roll` = update machines that already exist (new image/config).
 * Machines beyond `count` are retired last. Returns the machines in slot order.
 */
export async function converge(
  conn: ApiConnection,
  spec: MachinesSpec,
  timing: MachinesTiming,
  roll: boolean,
  onProgress: (msg: string) => void = () => {},
): Promise<MachineRecord[]> {
  const app = spec.appName;
  const existing = await managedMachines(conn, app);
  const byName = new Map(existing.map((m) => [m.name ?? m.id, m]));
  const result: MachineRecord[] = [];
  for (let slot = 0; slot < spec.count; slot++) {
    const current = byName.get(slotName(slot));
    byName.delete(slotName(slot));
    let rec: MachineRecord;
    if (current && current.region === slotRegion(spec, slot)) {
      if (!roll) {
        result.push(record(current, slot, spec));
        continue;
      }
      onProgress(`updating machine ${current.id} (${slotName(slot)}) to ${spec.image}`);
      rec = record(await fly.updateMachine(conn, app, current.id, request(spec, slot, false)), slot, spec);
    } else {
      if (current) {
        onProgress(`moving machine ${slotName(slot)} from ${current.region} to ${slotRegion(spec, slot)}`);
        await retireMachine(conn, app, current.id, timing);
      }
      onProgress(`creating machine ${slotName(slot)} in ${slotRegion(spec, slot)}`);
      rec = record(await createIdempotent(conn, spec, slot), slot, spec);
    }
    await waitHealthy(conn, app, rec, timing);
    result.push(rec);
  }
  const extras = [...byName.values()].sort((a, b) => Number(b.config?.metadata?.[SLOT_KEY] ?? 0) - Number(a.config?.metadata?.[SLOT_KEY] ?? 0));
  for (const m of extras) {
    onProgress(`retiring machine ${m.id} (${m.name ?? '?'})`);
    await retireMachine(conn, app, m.id, timing);
  }
  return result;
}

/** Retires every managed machine of the app (those in state and any leaked by a failed create). */
export async function destroyAll(conn: ApiConnection, app: string, known: string[], timing: MachinesTiming): Promise<void> {
  const ids = new Set(known);
  for (const m of await managedMachines(conn, app)) ids.add(m.id);
  for (const id of ids) await retireMachine(conn, app, id, timing);
}
