/**
 * The stack outputs contract (docs/contracts.md §1): the shape every Catalyst stack exports, as one zod
 * schema. The program (src/infra) produces it and src/index.ts exports it in one step; other stacks
 * read it through StackReferences; the report reads it back with readOutputFields (only the contract's
 * keys, each value checked against its schema); tests check resolved outputs against it, and
 * docs/contracts.md against its keys.
 *
 * The string patterns are conservative on purpose: a value that does not match is not an output the
 * program makes, and the report reads it as missing, so nothing else can reach a report.
 */
import { z } from 'zod';
import { compareText } from '../shared/order.ts';
import { TARGET_NAMES } from './targets.ts';

/** Patterns of the contract's strings. */
export const OUTPUT_PATTERNS = {
  /** Project, environment and workflow names (and the report's stack names). */
  name: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
  /** Region, branch, uptime check id. */
  ident: /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/,
  /** A git commit, abbreviated or full. */
  commit: /^[0-9a-f]{7,64}$/,
  /** The generated app's content hash (hex SHA-256). */
  contentHash: /^[0-9a-f]{64}$/,
  imageDigest: /^sha256:[0-9a-f]{64}$/,
  imageRef: /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,299}$/,
  routePath: /^\/[A-Za-z0-9_.~{}:/-]{0,199}$/,
  /** The base URL: scheme + host (+ port) (+ a base path), no credentials, query or trailing slash. */
  baseUrl: /^https?:\/\/[^/\s@?#]+(?:\/[^\s?#]*[^/\s?#])?$/,
  /** The base URL + `/health`. */
  healthUrl: /^https?:\/\/[^/\s@?#]+(?:\/[^\s?#]*)?\/health$/,
} as const;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** An http(s) URL without userinfo, at most 2000 characters (console and logs pages). */
function isPageUrl(v: string): boolean {
  if (v.length > 2000) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const pattern = (re: RegExp) => z.string().regex(re);
const pageUrl = z.string().refine(isPageUrl, 'an http(s) URL without credentials');

const publicRouteSchema = z.strictObject({ workflow: pattern(OUTPUT_PATTERNS.name), method: z.enum(HTTP_METHODS), path: pattern(OUTPUT_PATTERNS.routePath) });
const outputWorkflowSchema = z.strictObject({ name: pattern(OUTPUT_PATTERNS.name), visibility: z.enum(['public', 'internal']) });

/** Resolved stack outputs, exactly (no key missing, no extra key). */
export const stackOutputsSchema = z.strictObject({
  project: pattern(OUTPUT_PATTERNS.name),
  env: pattern(OUTPUT_PATTERNS.name),
  target: z.enum(TARGET_NAMES),
  region: pattern(OUTPUT_PATTERNS.ident).nullable(),
  url: pattern(OUTPUT_PATTERNS.baseUrl),
  healthUrl: pattern(OUTPUT_PATTERNS.healthUrl),
  /** One entry per public workflow with a route, sorted by path then method (compareRoutes). */
  publicRoutes: z.array(publicRouteSchema),
  /** Every workflow, sorted by name. */
  workflows: z.array(outputWorkflowSchema),
  imageRef: pattern(OUTPUT_PATTERNS.imageRef).nullable(),
  imageDigest: pattern(OUTPUT_PATTERNS.imageDigest).nullable(),
  /** Null only after a rollback to an image whose content hash was not recorded (`catalyst rollback --image`). */
  contentHash: pattern(OUTPUT_PATTERNS.contentHash).nullable(),
  version: z.strictObject({ commit: pattern(OUTPUT_PATTERNS.commit).nullable(), branch: pattern(OUTPUT_PATTERNS.ident).nullable(), dirty: z.boolean() }),
  uptimeCheckId: pattern(OUTPUT_PATTERNS.ident).nullable(),
  consoleUrl: pageUrl.nullable(),
  logsUrl: pageUrl.nullable(),
  /**
   * The peer key callers present (src/contracts/peer-key.ts): a Pulumi secret output, read by the
   * callers' stacks through StackReferences (`pulumi stack output` shows `[secret]`); null when no
   * other project calls an authenticated workflow of this one. The report never reads it.
   */
  peerKey: z.string().nullable(),
  /** Set by a `catalyst rollback` run (what ran before it); null on a normal `up`. */
  rolledBackFrom: z
    .strictObject({
      stackVersion: z.number().int().nullable(),
      commit: pattern(OUTPUT_PATTERNS.commit).nullable(),
      imageRef: pattern(OUTPUT_PATTERNS.imageRef).nullable(),
      restoredStackVersion: z.number().int().nullable(),
    })
    .nullable(),
});

export type StackOutputs = z.infer<typeof stackOutputsSchema>;
export type OutputKey = keyof StackOutputs;
export type PublicRoute = z.infer<typeof publicRouteSchema>;
/** A workflow as the outputs list it (name and visibility). */
export type OutputWorkflow = z.infer<typeof outputWorkflowSchema>;

/** Every output key, in the contract's order. */
export const OUTPUT_KEYS = Object.keys(stackOutputsSchema.shape) as OutputKey[];

/** The program's outputs, one value (a Pulumi Output, or a plain value) per key of the contract. */
export type OutputValues<V = unknown> = { [K in OutputKey]: V };

/**
 * The object a program exports: exactly the contract's keys, in its order. Throws when one is missing
 * (a bug of the program, never a user error).
 */
export function contractOutputs<V>(values: Readonly<Record<OutputKey, V>>): OutputValues<V> {
  const missing = OUTPUT_KEYS.filter((k) => !(k in values));
  if (missing.length) throw new Error(`stack outputs miss ${missing.join(', ')}`);
  return Object.fromEntries(OUTPUT_KEYS.map((k) => [k, values[k]])) as OutputValues<V>;
}

/** `url` without trailing slashes (the contract's form of a base URL). */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The contract's order of public routes: by path, then method. */
export function compareRoutes(a: PublicRoute, b: PublicRoute): number {
  return a.path === b.path ? compareText(a.method, b.method) : compareText(a.path, b.path);
}

/** What readOutputFields returns: each value as the contract has it, or null where it is missing or invalid. */
export interface OutputFields {
  project: string | null;
  env: string | null;
  target: StackOutputs['target'] | null;
  region: string | null;
  url: string | null;
  healthUrl: string | null;
  publicRoutes: PublicRoute[];
  workflows: OutputWorkflow[];
  imageRef: string | null;
  imageDigest: string | null;
  contentHash: string | null;
  version: { commit: string | null; branch: string | null; dirty: boolean | null };
  uptimeCheckId: string | null;
  consoleUrl: string | null;
  logsUrl: string | null;
}

type Shape = typeof stackOutputsSchema.shape;

function field<K extends keyof Shape>(key: K, value: unknown): z.infer<Shape[K]> | null {
  const r = stackOutputsSchema.shape[key].safeParse(value);
  return r.success ? (r.data as z.infer<Shape[K]>) : null;
}

function entries<T>(schema: z.ZodType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const r = schema.safeParse(v);
    return r.success ? [r.data] : [];
  });
}

/**
 * Reads an outputs object leniently, through the contract: only its keys are read (anything else is
 * never looked at), each value is kept only when it satisfies the contract's schema (else null), and
 * list entries that do not are dropped. Lists come back in the contract's order.
 */
export function readOutputFields(o: Readonly<Record<string, unknown>>): OutputFields {
  const v = typeof o.version === 'object' && o.version !== null ? (o.version as Record<string, unknown>) : {};
  const version = stackOutputsSchema.shape.version.shape;
  const ok = <T>(schema: z.ZodType<T>, x: unknown): T | null => {
    const r = schema.safeParse(x);
    return r.success ? r.data : null;
  };
  return {
    project: field('project', o.project),
    env: field('env', o.env),
    target: field('target', o.target),
    region: field('region', o.region),
    url: field('url', o.url),
    healthUrl: field('healthUrl', o.healthUrl),
    publicRoutes: entries(publicRouteSchema, o.publicRoutes).sort(compareRoutes),
    workflows: entries(outputWorkflowSchema, o.workflows).sort((a, b) => compareText(a.name, b.name)),
    imageRef: field('imageRef', o.imageRef),
    imageDigest: field('imageDigest', o.imageDigest),
    contentHash: field('contentHash', o.contentHash),
    version: { commit: ok(version.commit, v.commit), branch: ok(version.branch, v.branch), dirty: ok(version.dirty, v.dirty) },
    uptimeCheckId: field('uptimeCheckId', o.uptimeCheckId),
    consoleUrl: field('consoleUrl', o.consoleUrl),
    logsUrl: field('logsUrl', o.logsUrl),
  };
}
