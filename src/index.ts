/**
 * The Pulumi program (Pulumi.yaml `main`). Thin on purpose: everything lives in src/infra/ (tested
 * with Pulumi mocks); this file wires the real codegen and git reading. Its default export is the
 * program: Pulumi runs it and exports the object it returns as the stack outputs, exactly the keys of
 * the outputs contract (src/contracts/outputs.ts, docs/contracts.md §1).
 */
import { fileURLToPath } from 'node:url';
import { generateApp, writeApp } from './codegen/index.ts';
import { contractOutputs, type OutputValues } from './contracts/outputs.ts';
import { readGitSource, readGitVersion } from './gitops/version.ts';
import { runCatalyst } from './infra/program.ts';

export default async function program(): Promise<OutputValues> {
  return contractOutputs(
    await runCatalyst({
      root: fileURLToPath(new URL('..', import.meta.url)),
      generate: generateApp,
      write: writeApp,
      readGit: readGitVersion,
      readSource: readGitSource,
    }),
  );
}
