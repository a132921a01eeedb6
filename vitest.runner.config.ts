/**
 * `npm run test:runner`: the tests the generated pipeline's test job runs on a GitHub runner, which has
 * Node, Python and git but none of what `.ci/run` prepares here. That is tests/unit less every file that
 * needs more: the published API descriptions outside the checkout (../shared/schemas, read directly or
 * through the contract fakes of tests/helpers/contract-fake*.ts) or actionlint built into .tools/. The
 * rule reads the files, so a new test lands on the right side by itself; `npm test` runs everything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

const NEEDS_MORE_THAN_A_RUNNER = /['"]\.\.['"],\s*['"]shared['"]|\.\.\/shared\/|contract-fake|ensureActionlint/;

export const runnerExcluded = readdirSync(join(import.meta.dirname, 'tests', 'unit'))
  .filter((f) => f.endsWith('.test.ts') && NEEDS_MORE_THAN_A_RUNNER.test(readFileSync(join(import.meta.dirname, 'tests', 'unit', f), 'utf8')))
  .map((f) => `tests/unit/${f}`)
  .sort();

export default defineConfig({
  test: {
    ...base.test,
    include: ['tests/unit/**/*.test.ts'],
    exclude: runnerExcluded,
  },
});
