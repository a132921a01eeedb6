/**
 * The generated image, for real: every example project's Dockerfile exactly as generated (only the
 * base image substituted through its BASE_IMAGE build argument: Docker Hub is unreachable here) built
 * by a real Docker engine, then run the way each target runs it — PORT, the image's non-root user, a
 * read-only root filesystem where the target sets one — and checked: /health, /ready, /version (the
 * commit), a workflow route, the image's HEALTHCHECK, the user id, SIGTERM → clean exit within the
 * shortest grace period of our targets, and a cross-project call between two containers
 * (support-bot → billing). Needs Docker (scripts/setup-docker.sh): fails, never skips, without it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/commands/dev.ts';
import type { GeneratedApp } from '../../src/codegen/index.ts';
import { BASE_IMAGE, PYTHON_MINOR } from '../../src/codegen/defaults.ts';
import { DOCKER_LEASE_DIR } from '../../src/infra/schedules.ts';
import { CONTAINER_FS } from '../../src/infra/targets/docker/index.ts';
import { machineConfig } from '../../src/infra/targets/fly/machines.ts';
import { call, cleanupTemps, generateInto, json, loadExample, metric, startStub, workspaceFrom, type Stub } from '../helpers/codegen.ts';
import { docker, dockerOk, requireDocker, STANDIN_IMAGE, waitFor } from '../helpers/docker.ts';

const COMMIT = 'feedc0de0123456789abcdef0123456789abcdef';
/** The shortest SIGTERM→SIGKILL grace among our targets: Fly machines' default kill timeout (5 s). */
const GRACE_S = 5;
const TAG = 'catalyst-it';

interface Built {
  app: GeneratedApp;
  dir: string;
  image: string;
  buildMs: number;
  out: string;
}
const built = new Map<string, Built>();
const containers: string[] = [];
const volumes: string[] = [];
let llm: Stub;

async function build(name: string, extra: string[] = []): Promise<Built> {
  const { project, workspace } = loadExample(name);
  const { app, dir } = generateInto(project, workspace);
  // Exactly as generated: the Dockerfile on disk is the generated one, untouched.
  expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(app.files.get('Dockerfile'));
  const image = `${TAG}/${name}:${app.contentHash.slice(0, 12)}`;
  const r = await dockerOk(['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${STANDIN_IMAGE}`, ...extra, '-t', image, dir], { timeoutMs: 900_000 });
  return { app, dir, image, buildMs: r.ms, out: r.out };
}

interface Started {
  name: string;
  url: string;
  port: number;
}

/** billing's secrets (its lookup route takes an API key, and support-bot's peer key). */
const BILLING_SECRETS = { BILLING_API_KEY: 'billing-test-api-key', CATALYST_PEER_KEY: 'billing-test-peer-key' };

/** Run an image the way a target does; `env` is what the target sets besides PORT. */
async function run(image: string, opts: { env?: Record<string, string>; readOnly?: boolean; tmpfs?: Record<string, string>; volumes?: Record<string, string> } = {}): Promise<Started> {
  const port = await freePort();
  const name = `catalyst-it-${process.pid}-${containers.length}`;
  const args = ['run', '-d', '--name', name, '--network', 'host', '--health-interval', '1s', '--health-start-period', '1s'];
  if (opts.readOnly) args.push('--read-only');
  for (const [path, o] of Object.entries(opts.tmpfs ?? {})) args.push('--tmpfs', `${path}:${o}`);
  for (const [volume, path] of Object.entries(opts.volumes ?? {})) args.push('-v', `${volume}:${path}`);
  for (const [k, v] of Object.entries({ ...opts.env, PORT: String(port) })) args.push('-e', `${k}=${v}`);
  containers.push(name);
  await dockerOk([...args, image]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) })).status === 200,
    30_000,
    async () => `container ${name} did not become ready:\n${(await docker(['logs', name])).err}`,
  );
  return { name, url, port };
}

async function inspect(name: string): Promise<{ State: { Status: string; ExitCode: number; Health?: { Status: string } }; Config: { User: string; Healthcheck?: { Test: string[] } } }> {
  return JSON.parse((await dockerOk(['inspect', name])).out)[0];
}

beforeAll(async () => {
  requireDocker();
  llm = await startStub((_r, body, res) => {
    const payload = JSON.parse(body) as { messages: { content: string }[] };
    json(res, 200, { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `stub: ${payload.messages.at(-1)!.content}` }, finish_reason: 'stop' }] });
  });
}, 60_000);

afterAll(async () => {
  for (const c of containers) await docker(['rm', '-f', c]);
  for (const v of volumes) await docker(['volume', 'rm', '-f', v]);
  for (const b of built.values()) await docker(['image', 'rm', '-f', b.image]);
  await llm?.close();
  cleanupTemps();
});

describe('the generated image, built by Docker', () => {
  it('the stand-in base has the Python minor version the default base image pins', async () => {
    expect(BASE_IMAGE).toMatch(new RegExp(`^python:${PYTHON_MINOR.replace('.', '\\.')}\\.\\d+-slim-bookworm@sha256:[0-9a-f]{64}$`));
    const r = await dockerOk(['run', '--rm', '--network', 'host', STANDIN_IMAGE, 'python', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
    expect(r.out.trim()).toBe(PYTHON_MINOR);
  });

  it('billing builds from scratch; a code-only change reuses the dependency layer', async () => {
    const cold = await build('billing', ['--no-cache']);
    built.set('billing', cold);
    expect(cold.out).not.toContain('Using cache');
    // Change only app code (not requirements.txt): the pip layer must come from the cache.
    const main = join(cold.dir, 'app', 'main.py');
    writeFileSync(main, `${readFileSync(main, 'utf8')}\n# a code-only change\n`);
    const again = await dockerOk(['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${STANDIN_IMAGE}`, '-t', `${cold.image}-edit`, cold.dir]);
    await docker(['image', 'rm', '-f', `${cold.image}-edit`]);
    const steps = again.out.split(/^Step /m);
    const pipStep = steps.find((s) => s.includes('RUN pip install'))!;
    expect(pipStep).toContain('Using cache');
    expect(steps.find((s) => s.startsWith(`${steps.length - 1}/`) || s.includes('COPY . .'))!).not.toContain('Using cache');
    const size = Number((await dockerOk(['image', 'inspect', '--format', '{{.Size}}', cold.image])).out.trim());
    const baseSize = Number((await dockerOk(['image', 'inspect', '--format', '{{.Size}}', STANDIN_IMAGE])).out.trim());
    console.log(`[image] billing: cold build ${(cold.buildMs / 1000).toFixed(1)} s, code-only rebuild ${(again.ms / 1000).toFixed(1)} s, image ${(size / 1e6).toFixed(1)} MB (stand-in base ${(baseSize / 1e6).toFixed(1)} MB, app layers ${((size - baseSize) / 1e6).toFixed(1)} MB)`);
  }, 900_000);

  it('support-bot builds (same requirements: the dependency layer is shared)', async () => {
    const b = await build('support-bot');
    built.set('support-bot', b);
    expect(b.out.split(/^Step /m).find((s) => s.includes('RUN pip install'))!).toContain('Using cache');
    console.log(`[image] support-bot: build with the dependency layer cached ${(b.buildMs / 1000).toFixed(1)} s`);
  }, 900_000);
});

/**
 * How each container target runs the image: the app listens on PORT (Cloud Run injects it; the Fly
 * machine config and the Render service env carry it; the docker target's container env has it), as
 * the image's user, with a read-only root filesystem only where the target sets one (docker: read-only
 * with a tmpfs /tmp; Cloud Run, Fly and Render give a writable ephemeral filesystem).
 */
const TARGETS: { target: string; readOnly: boolean; tmpfs?: Record<string, string> }[] = [
  { target: 'cloudrun', readOnly: false },
  { target: 'fly', readOnly: false },
  { target: 'render', readOnly: false },
  { target: 'docker', readOnly: CONTAINER_FS.readOnly, tmpfs: CONTAINER_FS.tmpfs },
];

describe('billing runs the way each target runs it', () => {
  it('fly puts PORT into the machine env (what this run reproduces)', () => {
    const spec = { appName: 'a', image: 'x', regions: ['ams'], count: 1, guest: { cpuKind: 'shared' as const, cpus: 1, memoryMb: 256 }, env: {}, port: 8080, autostop: 'off' as const, minMachinesRunning: 1, healthCheckPath: '/health', secretsVersion: null };
    const cfg = machineConfig(spec, 0) as { env: Record<string, string> };
    expect(cfg.env.PORT).toBe('8080');
  });

  for (const t of TARGETS) {
    it(`${t.target}: health, ready, version, a workflow route, HEALTHCHECK, uid, SIGTERM`, async () => {
      const b = built.get('billing');
      expect(b, 'billing image (built above)').toBeDefined();
      const c = await run(b!.image, { env: { CATALYST_GIT_COMMIT: COMMIT, CATALYST_GIT_DIRTY: 'false', ...BILLING_SECRETS }, readOnly: t.readOnly, tmpfs: t.tmpfs });
      expect((await call(`${c.url}/health`)).body).toMatchObject({ status: 'ok', project: 'billing' });
      expect((await call(`${c.url}/ready`)).body).toEqual({ status: 'ready' });
      expect((await call(`${c.url}/version`)).body).toEqual({ project: 'billing', contentHash: b!.app.contentHash, commit: COMMIT, dirty: false, catalyst: '0.0.0-test' });
      const charge = await call(`${c.url}/charge`, { body: { customerId: 'cus_42', amount: 12.5 } });
      expect(charge.status).toBe(201);
      expect(charge.body).toMatchObject({ invoiceId: 'inv_cus_42_1250', total: 15, currency: 'EUR' });
      // The non-root user of the image.
      const id = await dockerOk(['exec', c.name, 'id', '-u']);
      expect(id.out.trim()).toBe('10001');
      const info = await inspect(c.name);
      expect(info.Config.User).toBe('10001');
      if (t.readOnly) {
        const w = await docker(['exec', c.name, 'sh', '-c', 'touch /app/x']);
        expect(w.code).not.toBe(0);
        expect(w.err).toMatch(/Read-only file system/);
      }
      // The image's own HEALTHCHECK command (only its interval shortened for the test) turns healthy.
      expect(info.Config.Healthcheck?.Test.join(' ')).toMatch(/^CMD python -c .*urllib\.request.*\/health/);
      await waitFor(async () => (await inspect(c.name)).State.Health?.Status === 'healthy', 20_000, async () => `HEALTHCHECK never passed: ${JSON.stringify((await inspect(c.name)).State.Health)}`);
      // SIGTERM: a clean exit (0) well within the grace period, with the app's shutdown logged.
      const started = Date.now();
      await dockerOk(['stop', '-t', String(GRACE_S * 3), c.name]);
      const took = Date.now() - started;
      const after = await inspect(c.name);
      expect(after.State.ExitCode).toBe(0);
      expect(took).toBeLessThan(GRACE_S * 1000);
      const logs = (await docker(['logs', c.name])).out + (await docker(['logs', c.name])).err;
      const lines = logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.msg === 'stopped' && l.project === 'billing')).toBe(true);
      expect(lines.some((l) => l.msg === 'request' && l.path === '/charge' && l.status === 201)).toBe(true);
    }, 120_000);
  }
});

describe('two containers', () => {
  it('support-bot calls billing over HTTP (the peer URL), both read-only as the docker target runs them', async () => {
    const billing = await run(built.get('billing')!.image, { readOnly: CONTAINER_FS.readOnly, tmpfs: CONTAINER_FS.tmpfs, env: BILLING_SECRETS });
    const bot = await run(built.get('support-bot')!.image, {
      readOnly: CONTAINER_FS.readOnly,
      tmpfs: CONTAINER_FS.tmpfs,
      env: { OPENAI_API_KEY: 'sk-test-not-a-secret', TICKETS_TOKEN: 'tok-test', LLM_BASE_URL: `${llm.url}/v1`, CATALYST_PEER_BILLING_URL: billing.url, CATALYST_PEER_BILLING_KEY: BILLING_SECRETS.CATALYST_PEER_KEY },
    });
    const rid = 'container-cross-1';
    const r = await call(`${bot.url}/ask`, { body: { customerId: 'cus_1', question: 'What is my plan?' }, headers: { 'X-Request-Id': rid } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ answer: 'You are on the pro plan at 49 per month.', category: 'billing', plan: 'pro' });
    // billing logged the call under the caller's request id (logs are batched: wait for the flush).
    await waitFor(
      async () => {
        const l = await docker(['logs', billing.name]);
        return (l.out + l.err).split('\n').some((line) => line.includes(`"request_id": "${rid}"`) && line.includes('"path": "/lookup"'));
      },
      10_000,
      async () => `billing never logged the /lookup request ${rid}:\n${(await docker(['logs', billing.name])).err}`,
    );
    const health = await call(`${bot.url}/health`);
    expect(health.body.checks['peer:billing']).toEqual({ status: 'ok', detail: `CATALYST_PEER_BILLING_URL = ${billing.url}` });
  }, 120_000);
});

describe('docker: the schedules keep their lease directory on a volume (as the docker target mounts it)', () => {
  it('the app user writes its tick files there under a read-only root; a new container on the volume counts the ticks missed meanwhile', async () => {
    const hook = await startStub((_req, _body, res) => json(res, 200, { ok: true }));
    try {
      const { workspace } = workspaceFrom({
        'sched/project.yaml': 'catalyst: 1\nname: sched\nenv:\n  HOOK_URL: http://127.0.0.1:9\n',
        'sched/workflows/ping.yaml': 'catalyst: 1\nname: ping\ntrigger: { type: schedule, cron: "* * * * *" }\nnodes:\n  - { id: hook, type: httpRequest, method: POST, url: "{{ env.HOOK_URL }}/hook" }\n',
      });
      const { dir, app } = generateInto(workspace.projects[0], workspace);
      const image = `${TAG}/sched:${app.contentHash.slice(0, 12)}`;
      await dockerOk(['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${STANDIN_IMAGE}`, '-t', image, dir], { timeoutMs: 900_000 });
      built.set('sched', { app, dir, image, buildMs: 0, out: '' });
      const volume = `catalyst-it-${process.pid}-schedules`;
      volumes.push(volume);
      await dockerOk(['volume', 'create', volume]);
      const opts = {
        readOnly: CONTAINER_FS.readOnly,
        tmpfs: CONTAINER_FS.tmpfs,
        volumes: { [volume]: DOCKER_LEASE_DIR },
        env: { HOOK_URL: hook.url, CATALYST_SCHEDULER: 'inapp', CATALYST_SCHEDULE_LEASE_DIR: DOCKER_LEASE_DIR, CATALYST_TEST_CLOCK_SPEED: '60', CATALYST_TEST_CLOCK_ORIGIN: String(Date.now() / 1000) },
      };
      const a = await run(image, opts);
      await waitFor(async () => hook.requests.length >= 2, 20_000, async () => `no scheduled call arrived:\n${(await docker(['logs', a.name])).err}`);
      // Tick files and the last tick, written by the image's user on the volume.
      const ls = await dockerOk(['exec', a.name, 'sh', '-c', `stat -c '%u %n' ${DOCKER_LEASE_DIR}/ping/*`]);
      const entries = ls.out.trim().split('\n');
      expect(entries.some((l) => /^10001 .*\/ping\/last$/.test(l))).toBe(true);
      expect(entries.filter((l) => /^10001 .*\/ping\/\d+$/.test(l)).length).toBeGreaterThanOrEqual(2);
      await dockerOk(['stop', '-t', '5', a.name]);
      await new Promise((r) => setTimeout(r, 3_000)); // three minutes of the fast clock with no container
      const b = await run(image, opts);
      const m = (await call(`${b.url}/metrics`)).text;
      expect(metric(m, 'catalyst_schedule_missed_ticks_total', { schedule: 'ping' })).toBeGreaterThanOrEqual(2);
    } finally {
      await hook.close();
    }
  }, 900_000);
});
