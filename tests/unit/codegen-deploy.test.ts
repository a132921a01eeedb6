/**
 * The generated platform configs validate against the published schemas in ../shared/schemas:
 * Cloud Run service.yaml (cloud-run-v1.json), fly.toml (fly.json), railway.json (railway.schema.json),
 * and render.yaml against the field lists and enums of Render's API description (there is no
 * published render.yaml schema; see PROVENANCE.md). Plus the Dockerfile's essentials.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateApp, type GeneratedApp } from '../../src/codegen/index.ts';
import { findPython } from '../../src/codegen/python-env.ts';
import { PYTHON_MINOR } from '../../src/codegen/defaults.ts';
import { fixtureWorkspace, loadExample, project, REPO } from '../helpers/codegen.ts';

const SCHEMAS = [join(REPO, '..', 'shared', 'schemas'), '/work/shared/schemas'].find((d) => existsSync(join(d, 'fly.json')))!;
const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;

function validator(file: string): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  return ajv.compile(schema);
}

function renderValidator(ref: string): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const doc = parseYaml(readFileSync(join(SCHEMAS, 'render-public-api.openapi.yml'), 'utf8')) as Record<string, unknown>;
  ajv.addSchema({ $id: 'render', components: (doc as { components: unknown }).components }, 'render');
  return ajv.compile({ $ref: `render#/components/schemas/${ref}` });
}

function apps(): GeneratedApp[] {
  const ws = fixtureWorkspace();
  return [loadExample('billing'), loadExample('support-bot'), { project: project(ws, 'kitchen'), workspace: ws }].map(({ project: p, workspace }) => generateApp(p, workspace));
}

function errors(v: ValidateFunction): string {
  return JSON.stringify(v.errors, null, 1);
}

describe.each(apps().map((a) => [a.project, a] as const))('%s', (name, app) => {
  const secrets = name === 'billing' ? ['BILLING_API_KEY', 'CATALYST_PEER_KEY'] : name === 'support-bot' ? ['CATALYST_PEER_BILLING_KEY', 'OPENAI_API_KEY', 'TICKETS_TOKEN'] : ['API_TOKEN', 'LLM_KEY'];

  it('deploy/service.yaml is a valid Cloud Run (Knative) Service with secrets from Secret Manager', () => {
    const doc = parseYaml(app.files.get('deploy/service.yaml')!) as any;
    const v = validator('cloud-run-v1.json');
    expect(v(doc), errors(v)).toBe(true);
    expect(doc).toMatchObject({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name } });
    const c = doc.spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: 'http1', containerPort: 8080 }]);
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.startupProbe.httpGet.path).toBe('/ready');
    const fromSecrets = c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef.key]);
    expect(fromSecrets).toEqual(secrets.map((s) => [s, 'latest']));
    expect(c.env.some((e: any) => e.name === 'PORT')).toBe(false); // reserved on Cloud Run
    for (const e of c.env) if (!e.valueFrom) expect(typeof e.value).toBe('string');
  });

  it('deploy/fly.toml validates against fly.json, checks /health and lists the secrets', () => {
    const text = app.files.get('deploy/fly.toml')!;
    const doc = parseToml(text) as any;
    const v = validator('fly.json');
    expect(v(doc), errors(v)).toBe(true);
    expect(doc.app).toBe(name);
    expect(doc.http_service.internal_port).toBe(8080);
    expect(doc.http_service.checks[0]).toMatchObject({ path: '/health', method: 'GET' });
    expect(doc.env.PORT).toBe('8080');
    for (const s of secrets) {
      expect(text).toContain(`#   ${s}\n`);
      expect(doc.env[s]).toBeUndefined();
    }
  });

  it('deploy/render.yaml matches Render\'s web service fields; secrets are sync: false', () => {
    const doc = parseYaml(app.files.get('deploy/render.yaml')!) as any;
    expect(Object.keys(doc)).toEqual(['services']);
    const svc = doc.services[0];
    const known = ['type', 'name', 'runtime', 'plan', 'region', 'dockerfilePath', 'dockerContext', 'healthCheckPath', 'envVars', 'numInstances', 'autoDeploy', 'branch', 'rootDir', 'dockerCommand', 'preDeployCommand'];
    for (const k of Object.keys(svc)) expect(known, `unknown render.yaml field ${k}`).toContain(k);
    expect(svc.type).toBe('web');
    const details = { runtime: svc.runtime, plan: svc.plan, region: svc.region, healthCheckPath: svc.healthCheckPath, envSpecificDetails: { dockerfilePath: svc.dockerfilePath, dockerContext: svc.dockerContext } };
    const web = renderValidator('webServiceDetailsPOST');
    expect(web(details), errors(web)).toBe(true);
    expect(svc.healthCheckPath).toBe('/health');
    const plain = svc.envVars.filter((e: any) => !('sync' in e));
    const envs = renderValidator('envVarInputArray');
    expect(envs(plain), errors(envs)).toBe(true);
    expect(svc.envVars.filter((e: any) => 'sync' in e)).toEqual(secrets.map((key) => ({ key, sync: false })));
    expect(svc.envVars.find((e: any) => e.key === 'PORT').value).toBe('8080');
  });

  it('railway.json (at the root, where Railway reads it) validates against railway.schema.json (JSON: no header comment)', () => {
    const text = app.files.get('railway.json')!;
    const doc = JSON.parse(text);
    const v = validator('railway.schema.json');
    expect(v(doc), errors(v)).toBe(true);
    expect(doc.deploy.healthcheckPath).toBe('/health');
    expect(doc.build).toEqual({ builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' });
    expect(app.files.get('README.md')).toContain('except `railway.json`: JSON has no comments');
    expect(app.files.has('deploy/railway.json')).toBe(false);
  });

  it('the Dockerfile pins its base, installs dependencies first, runs as non-root with a stdlib health check', () => {
    const lines = app.files.get('Dockerfile')!.split('\n');
    // The base is a build argument whose default is the official image of the tests' Python, by tag and digest.
    const arg = lines.find((l) => l.startsWith('ARG BASE_IMAGE='))!;
    expect(arg).toMatch(/^ARG BASE_IMAGE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}$/);
    expect(arg).toContain(`python:${PYTHON_MINOR}.`);
    expect(lines.indexOf(arg)).toBeLessThan(lines.indexOf('FROM ${BASE_IMAGE}'));
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual(['FROM ${BASE_IMAGE}']);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^COPY requirements\.txt/)).toBeLessThan(at(/^RUN pip install/));
    expect(at(/^RUN pip install/)).toBeLessThan(at(/^COPY \. \./));
    expect(lines.some((l) => /^USER 10001$/.test(l))).toBe(true);
    expect(lines.find((l) => l.startsWith('CMD'))).toBe('CMD ["python", "-m", "app"]');
    expect(lines.join('\n')).toMatch(/HEALTHCHECK[\s\S]*urllib\.request[\s\S]*\/health/);
    expect(app.files.get('.dockerignore')).toContain('.env\n');
  });

  it('one Python minor version: the image default, the tests\' interpreter and ruff\'s target agree', () => {
    expect(findPython().version.startsWith(`${PYTHON_MINOR}.`), `tests run Python ${findPython().version}, images ${PYTHON_MINOR}`).toBe(true);
    expect(app.files.get('pyproject.toml')).toContain(`target-version = "py${PYTHON_MINOR.replace('.', '')}"`);
  });

  it('.env.example lists every variable the app reads; requirements are pinned', () => {
    const env = app.files.get('.env.example')!;
    const names = env.split('\n').filter((l) => /^(# )?[A-Z][A-Z0-9_]*=/.test(l)).map((l) => l.replace(/^# /, '').split('=')[0]);
    for (const s of secrets) expect(env).toContain(`\n${s}=\n`);
    for (const n of ['PORT', 'CATALYST_HOST', 'CATALYST_LOG_LEVEL', 'CATALYST_MAX_BODY_BYTES', 'CATALYST_GIT_COMMIT', 'CATALYST_GIT_DIRTY']) expect(names).toContain(n);
    const settings = app.files.get('app/settings.py')!;
    for (const m of settings.matchAll(/^ {4}"([A-Z][A-Z0-9_]*)": /gm)) expect(names).toContain(m[1]);
    // Every requirement pinned exactly, each followed by its hashes (pip's --require-hashes form).
    for (const line of app.files.get('requirements.txt')!.split('\n').slice(1).filter(Boolean)) expect(line).toMatch(/^(?:[a-z0-9-]+==[\w.]+(?: ; .+)? \\|    --hash=sha256:[0-9a-f]{64}(?: \\)?)$/);
    expect(app.files.get('requirements.txt')).toMatch(/\nfastapi==[\d.]+ \\\n[\s\S]*\npydantic==2\.[\d.]+ \\\n[\s\S]*\nuvicorn==[\d.]+ \\\n/);
    expect(app.files.get('Dockerfile')).toContain('RUN pip install --no-cache-dir --require-hashes -r requirements.txt');
  });
});

describe('the validators reject what the platforms would', () => {
  it('fly: auto_stop_machines must be a string; cloud run: unknown container fields; railway: unknown builder', () => {
    const [billing] = apps();
    const fly = parseToml(billing.files.get('deploy/fly.toml')!) as any;
    fly.http_service.auto_stop_machines = true;
    expect(validator('fly.json')(fly)).toBe(false);
    const run = parseYaml(billing.files.get('deploy/service.yaml')!) as any;
    run.spec.template.spec.containers[0].healthcheck = '/health';
    expect(validator('cloud-run-v1.json')(run)).toBe(false);
    const rw = JSON.parse(billing.files.get('railway.json')!);
    rw.build.builder = 'DOCKER';
    expect(validator('railway.schema.json')(rw)).toBe(false);
    expect(renderValidator('webServiceDetailsPOST')({ runtime: 'docker', plan: 'huge' })).toBe(false);
  });
});
