/**
 * Stack config of the `fly` target: `catalyst:<key>` (docs/targets-fly-render.md).
 * The API token is not here: it is the secret config `catalyst:flyApiToken` (the target's
 * `secretKeys`), read as a secret Output (see ./index.ts).
 */
import { z } from 'zod';
import { configBool, configInt } from '../../options.ts';

export const FLY_API_DEFAULT = 'https://api.machines.dev';
export const FLY_REGISTRY_DEFAULT = 'registry.fly.io';

/** A non-empty list of strings, from a list (structured config) or a comma-separated string. */
function configList(item: z.ZodString) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : v),
    z.array(item).min(1, 'must list at least one'),
  );
}

const appName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/, 'a Fly app name is 2–63 lowercase letters, digits and dashes, not starting or ending with a dash');

export const flyConfigSchema = z
  .object({
    /** App name; default `<project>-<env>`. Globally unique on Fly. */
    flyApp: appName.optional(),
    /** Organization slug (`fly orgs list`). */
    flyOrg: z.string().min(1).default('personal'),
    /** Regions, primary first; machines are spread round-robin. */
    flyRegions: configList(z.string().regex(/^[a-z]{3}$/, 'a Fly region code is three lowercase letters, e.g. "fra"')).default(['iad']),
    flyMachineCount: configInt(1, 100).default(1),
    flyCpuKind: z.enum(['shared', 'performance']).default('shared'),
    flyCpus: configInt(1, 16).default(1),
    flyMemoryMb: configInt(256, 131072).default(512),
    /** Public IPv4: a shared anycast address (free), a dedicated one, or none. */
    flyIpv4: z.enum(['shared', 'dedicated', 'none']).default('shared'),
    /** Dedicated public IPv6 (needed for the app to be reachable at `<app>.fly.dev`). */
    flyIpv6: configBool.default(true),
    flyAutostop: z.enum(['off', 'stop', 'suspend']).default('stop'),
    flyMinMachinesRunning: configInt(0, 100).default(0),
    flyApiBaseUrl: z.url().default(FLY_API_DEFAULT),
    /** Registry host (`host[:port]`) the image is pushed to and the machines pull from. */
    flyRegistry: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/, 'a registry host, e.g. registry.fly.io or 127.0.0.1:5000')
      .default(FLY_REGISTRY_DEFAULT),
    /** Per machine, during create/update: seconds to reach `started`, then for the checks to pass. */
    flyStartTimeoutSeconds: configInt(10, 3600).default(300),
    flyHealthTimeoutSeconds: configInt(10, 3600).default(300),
  })
  .superRefine((c, ctx) => {
    if (c.flyMemoryMb % 256 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['flyMemoryMb'], message: '"flyMemoryMb" must be a multiple of 256' });
    }
    if (c.flyCpuKind === 'performance' && c.flyMemoryMb < 2048 * c.flyCpus) {
      ctx.addIssue({ code: 'custom', path: ['flyMemoryMb'], message: `"flyCpuKind" performance needs at least 2048 MB per CPU (${2048 * c.flyCpus} for ${c.flyCpus})` });
    }
    if (c.flyCpuKind === 'shared' && c.flyMemoryMb > 2048 * c.flyCpus) {
      ctx.addIssue({ code: 'custom', path: ['flyMemoryMb'], message: `"flyCpuKind" shared allows at most 2048 MB per CPU (${2048 * c.flyCpus} for ${c.flyCpus})` });
    }
    if (c.flyIpv4 === 'none' && !c.flyIpv6) {
      ctx.addIssue({ code: 'custom', path: ['flyIpv6'], message: '"flyIpv4" none with "flyIpv6" false leaves the app without a public address' });
    }
  });

export type FlyConfig = z.infer<typeof flyConfigSchema>;

/** `<project>-<env>`, lowercased, invalid characters turned into dashes. */
export function defaultFlyAppName(project: string, env: string): string {
  return `${project}-${env}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}
