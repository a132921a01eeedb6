/**
 * docs/n8n-import.md states the corpus figures that tests/fixtures/n8n/coverage.json records; when the
 * coverage is re-recorded (UPDATE_N8N_COVERAGE=1), the sentence must follow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('docs/n8n-import.md corpus figures', () => {
  it('match tests/fixtures/n8n/coverage.json', () => {
    const doc = readFileSync(join(root, 'docs', 'n8n-import.md'), 'utf8');
    const m = /Current figures: \*\*(\d+) clean, (\d+) partial, (\d+) refused\*\* \((\d+) exports/.exec(doc);
    expect(m, 'docs/n8n-import.md has no "Current figures: **N clean, N partial, N refused** (N exports" sentence').not.toBeNull();
    const { summary } = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'n8n', 'coverage.json'), 'utf8')) as {
      summary: { files: number; clean: number; partial: number; refused: number };
    };
    expect({ clean: Number(m![1]), partial: Number(m![2]), refused: Number(m![3]), files: Number(m![4]) }).toEqual({
      clean: summary.clean,
      partial: summary.partial,
      refused: summary.refused,
      files: summary.files,
    });
  });
});
