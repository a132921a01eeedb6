import { closest } from '../shared/suggest.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { AuthModel } from './model.ts';
import type { AuthDef, ProjectFile, WorkflowFile } from './schema.ts';
import { diagAt, type YamlFile } from './yaml.ts';

/** The header each HMAC scheme reads its signature from, unless the definition names another. */
export const HMAC_HEADERS = { github: 'X-Hub-Signature-256', stripe: 'Stripe-Signature', generic: 'X-Signature' } as const;
/** How old a Stripe signature's timestamp may be, in seconds, unless the definition says. */
export const STRIPE_TOLERANCE_SECONDS = 300;

/** The line a public workflow without an auth decision is told to add. */
export const AUTH_NONE_LINE = 'auth: none';

type Report = (path: (string | number)[], message: string, fix?: string) => void;

/** Check one auth definition (secrets declared, secret xor secrets) and normalize it. */
export function normalizeAuth(def: AuthDef, at: (string | number)[], project: ProjectFile, report: Report): AuthModel | undefined {
  if (def === 'none') return { type: 'none' };
  const declared = Object.keys(project.secrets ?? {});
  const before = { n: 0 };
  const bad: Report = (p, m, f) => {
    before.n++;
    report(p, m, f);
  };
  let secrets: string[];
  if (def.type === 'apiKey' || def.type === 'bearer') secrets = def.secrets;
  else {
    if ((def.secret === undefined) === (def.secrets === undefined)) {
      bad(at, `auth type ${def.type} needs exactly one of \`secret\` (one declared secret) or \`secrets\` (several, for rotation)`, def.secret === undefined ? 'add secret: <DECLARED_SECRET>' : 'keep one of them');
      return undefined;
    }
    secrets = def.secrets ?? [def.secret!];
  }
  const key = def.type === 'apiKey' || def.type === 'bearer' || def.secrets ? 'secrets' : 'secret';
  secrets.forEach((s, i) => {
    const path = key === 'secrets' ? [...at, 'secrets', i] : [...at, 'secret'];
    if (!declared.includes(s)) {
      const hint = closest(s, declared);
      bad(path, `secret "${s}" is not declared by project "${project.name}"`, hint ? `did you mean "${hint}"?` : `declare it in project.yaml under secrets: ${s}: <what it is for>`);
    }
    if (secrets.indexOf(s) !== i) bad(path, `secret "${s}" is listed twice`, 'list each secret once');
  });
  if (before.n) return undefined;
  switch (def.type) {
    case 'apiKey':
      return { type: 'apiKey', header: def.header, secrets };
    case 'bearer':
      return { type: 'bearer', secrets };
    case 'basic':
      return { type: 'basic', user: def.user, secrets };
    case 'hmac':
      return { type: 'hmac', scheme: def.scheme, header: def.header ?? HMAC_HEADERS[def.scheme], secrets, toleranceSeconds: def.toleranceSeconds ?? STRIPE_TOLERANCE_SECONDS };
    case 'jwt':
      return { type: 'jwt', algorithm: def.algorithm, secrets, ...(def.issuer ? { issuer: def.issuer } : {}), ...(def.audience ? { audience: def.audience } : {}) };
  }
}

/**
 * A workflow's auth: its own `auth:` or the project's `defaults.auth` (the workflow's wins). A public
 * workflow must have one (`auth: none` only when written out); an internal one gets no route, so its model
 * says none (an `auth:` it carries is checked and applies once it is made public).
 * Problems in `defaults.auth` itself are reported once, against project.yaml (see checkDefaultsAuth).
 */
export function workflowAuth(y: YamlFile, wf: WorkflowFile, project: ProjectFile, visibility: 'public' | 'internal', out: Diagnostic[]): AuthModel | undefined {
  const report: Report = (p, m, f) => out.push(diagAt(y, p, m, f));
  if (visibility === 'internal') {
    // No route, so nothing to check at run time; a written auth is still checked and kept for when it is made public.
    if (wf.auth !== undefined && !normalizeAuth(wf.auth, ['auth'], project, report)) return undefined;
    return { type: 'none' };
  }
  if (wf.auth !== undefined) return normalizeAuth(wf.auth, ['auth'], project, report);
  const fallback = project.defaults?.auth;
  if (fallback !== undefined) return normalizeAuth(fallback, ['defaults', 'auth'], project, () => {});
  report(
    wf.visibility !== undefined ? ['visibility'] : ['name'],
    `public workflow "${wf.name}" does not say who may call it`,
    `add the line \`${AUTH_NONE_LINE}\` to let anyone call it, or an auth mode such as \`auth: { type: bearer, secrets: [${tokenName(project.name)}] }\` (or set defaults.auth in project.yaml); see docs/security.md`,
  );
  return undefined;
}

/** Problems in project.yaml's `defaults.auth`, reported once for the project. */
export function checkDefaultsAuth(y: YamlFile, project: ProjectFile, out: Diagnostic[]): void {
  const def = project.defaults?.auth;
  if (def !== undefined) normalizeAuth(def, ['defaults', 'auth'], project, (p, m, f) => out.push(diagAt(y, p, m, f)));
}

/** A suggested secret name for a project's API token, e.g. SUPPORT_BOT_API_TOKEN. */
export function tokenName(project: string): string {
  return `${project.replace(/-/g, '_').toUpperCase()}_API_TOKEN`;
}
