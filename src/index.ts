/**
 * The Pulumi program (Pulumi.yaml `main`). Thin on purpose: everything lives in src/infra/ (tested
 * with Pulumi mocks); this file wires the real codegen and exports the stack outputs contract
 * (docs/contracts.md §1).
 */
import { fileURLToPath } from 'node:url';
import { generateApp, writeApp } from './codegen/index.ts';
import { readGitSource, readGitVersion } from './gitops/version.ts';
import { runCatalyst } from './infra/program.ts';

const outputs = await runCatalyst({
  root: fileURLToPath(new URL('..', import.meta.url)),
  generate: generateApp,
  write: writeApp,
  readGit: readGitVersion,
  readSource: readGitSource,
});

export const project = outputs.project;
export const env = outputs.env;
export const target = outputs.target;
export const region = outputs.region;
export const url = outputs.url;
export const healthUrl = outputs.healthUrl;
export const publicRoutes = outputs.publicRoutes;
export const workflows = outputs.workflows;
export const imageRef = outputs.imageRef;
export const imageDigest = outputs.imageDigest;
export const contentHash = outputs.contentHash;
export const version = outputs.version;
export const uptimeCheckId = outputs.uptimeCheckId;
export const consoleUrl = outputs.consoleUrl;
export const logsUrl = outputs.logsUrl;
export const rolledBackFrom = outputs.rolledBackFrom;
