/**
 * `docker`: the app image (built by the program with docker-build and loaded into the local Docker
 * engine, no push) run as a container by @pulumi/docker, published on 127.0.0.1:<port>, with a
 * /health healthcheck. The engine is the one DOCKER_HOST points at (default: the local socket).
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { dnsName } from '../../names.ts';
import { configInt } from '../../options.ts';
import { TOKENS } from '../../tokens.ts';
import { stablePort } from '../local/index.ts';
import type { Target, TargetOutputs } from '../types.ts';
import { DOCKER_STACK_LABEL } from '../../../contracts/logs.ts';
import { DOCKER_LEASE_DIR } from '../../schedules.ts';

export const dockerOptions = z.object({
  /** Host port on 127.0.0.1 (default: derived from the stack name). */
  port: configInt(1024, 65535).optional(),
});
export type DockerOptions = z.infer<typeof dockerOptions>;

/** Port the app listens on inside the container. */
export const CONTAINER_PORT = 8080;

/**
 * The container's filesystem: the root is read-only (the app writes nothing: no bytecode, logs to
 * stdout), with a small tmpfs /tmp for libraries that want a scratch file. tests/integration/image
 * runs the real image this way.
 */
export const CONTAINER_FS = { readOnly: true, tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' } } as const;

export interface DockerServiceArgs {
  stack: string;
  project: string;
  env: string;
  /** Image reference (a tag loaded into the engine). */
  image: pulumi.Input<string>;
  containerPort: number;
  hostPort: number;
  plainEnv: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, pulumi.Output<string>>;
  /** A volume mounted there (the schedules' lease directory), kept across container replacements. */
  leaseDir?: string;
}

/** `NAME=value` strings: plain first, then secrets (each a secret Output), sorted by name. */
export function containerEnvs(port: number, plainEnv: Record<string, pulumi.Input<string>>, secretEnv: Record<string, pulumi.Output<string>>): pulumi.Input<string>[] {
  const plain = Object.keys(plainEnv)
    .sort()
    .map((k) => pulumi.interpolate`${k}=${plainEnv[k]}`);
  const secret = Object.keys(secretEnv)
    .sort()
    .map((k) => pulumi.secret(pulumi.interpolate`${k}=${secretEnv[k]}`));
  return [`PORT=${port}`, ...plain, ...secret];
}

export class DockerService extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly containerName: pulumi.Output<string>;
  readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: DockerServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(TOKENS.dockerService, name, {}, opts);
    if ('PORT' in args.plainEnv) throw new Error('DockerService: "plainEnv" must not set PORT');
    if (!Number.isInteger(args.hostPort) || args.hostPort < 1 || args.hostPort > 65535) throw new Error(`DockerService: "hostPort" ${args.hostPort} is not a port number`);
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });
    const volume = args.leaseDir
      ? new docker.Volume(`${name}-schedules`, { name: dnsName(`catalyst-${args.project}-${args.env}-schedules`, 63), labels: [{ label: DOCKER_STACK_LABEL, value: args.stack }] }, { parent: this })
      : undefined;
    const container = new docker.Container(
      `${name}-container`,
      {
        name: dnsName(`catalyst-${args.project}-${args.env}`, 63),
        image: image.imageId,
        ports: [{ internal: args.containerPort, external: args.hostPort, ip: '127.0.0.1' }],
        envs: containerEnvs(args.containerPort, args.plainEnv, args.secretEnv),
        restart: 'unless-stopped',
        readOnly: CONTAINER_FS.readOnly,
        tmpfs: { ...CONTAINER_FS.tmpfs },
        ...(volume ? { volumes: [{ volumeName: volume.name, containerPath: args.leaseDir }] } : {}),
        healthcheck: {
          tests: ['CMD', 'python', '-c', `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${args.containerPort}/health', timeout=3)`],
          interval: '15s',
          timeout: '5s',
          retries: 3,
          startPeriod: '10s',
        },
        wait: true,
        waitTimeout: 90,
        labels: [
          { label: DOCKER_STACK_LABEL, value: args.stack },
          { label: 'dev.catalyst.project', value: args.project },
        ],
      },
      { parent: this },
    );
    this.url = container.name.apply(() => `http://127.0.0.1:${args.hostPort}`);
    this.containerName = container.name;
    this.imageId = image.imageId;
    this.registerOutputs({ url: this.url, containerName: this.containerName, imageId: this.imageId });
  }
}

export const target: Target<DockerOptions> = {
  name: 'docker',
  configSchema: dockerOptions,
  usesImage: true,
  reachableFromInternet: false,
  listenPort: () => CONTAINER_PORT,
  deploy(ctx): TargetOutputs {
    if (!ctx.image) throw new Error('docker: the image is missing (usesImage targets get ctx.image)');
    const service = new DockerService(
      `${ctx.name}-docker`,
      {
        stack: ctx.stack,
        project: ctx.project.name,
        env: ctx.env,
        image: ctx.image.ref,
        containerPort: ctx.port,
        hostPort: ctx.config.port ?? stablePort(ctx.stack),
        plainEnv: ctx.plainEnv,
        secretEnv: ctx.secretEnv,
        ...(ctx.schedules ? { leaseDir: DOCKER_LEASE_DIR } : {}),
      },
      { parent: ctx.parent },
    );
    return { url: service.url, region: null, consoleUrl: null, logsUrl: null, resources: [service] };
  },
};
