/**
 * jq's own test suite (../shared/conformance/jq) as a ratchet: the number of passing cases per
 * file must not fall below test/jq/conformance-floor.json (raise the floors as the engine grows,
 * never lower them), and no case may crash with a non-jq JavaScript error.
 * Details: `npm run conformance:jq -- --verbose`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conformanceDir, loadSuite } from '../../scripts/conformance/jq-cases.js';
import { runSuite, type SuiteResult } from '../../scripts/conformance/jq-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const dir = conformanceDir(repoRoot);
const floors = JSON.parse(readFileSync(path.join(here, 'conformance-floor.json'), 'utf8')) as Record<string, number>;

describe('jq conformance (jqlang/jq tests/*.test)', () => {
  let result: SuiteResult | undefined;
  const suite = () => (result ??= runSuite(loadSuite(dir)));

  it('loads and runs the test files', () => {
    expect(existsSync(dir), `conformance directory ${dir} (set JQ_CONFORMANCE_DIR)`).toBe(true);
    const files = suite().files.map((f) => f.file);
    for (const f of Object.keys(floors)) expect(files).toContain(f);
  });

  it('passes at least the recorded number of cases per file', () => {
    const passed = Object.fromEntries(suite().files.map((f) => [f.file, f.passed]));
    const below = Object.entries(floors)
      .filter(([file, floor]) => (passed[file] ?? 0) < floor)
      .map(([file, floor]) => `${file}: ${passed[file] ?? 0} passed, floor ${floor}`);
    expect(below, 'fewer cases pass than before (npm run conformance:jq -- --verbose)').toEqual([]);
  });

  it('never crashes with a non-jq error', () => {
    const crashes = suite()
      .results.filter((r) => r.outcome.status === 'crash')
      .map((r) => `${r.case.file}:${r.case.line} ${r.case.program} -> ${r.outcome.status === 'crash' ? r.outcome.error : ''}`);
    expect(crashes).toEqual([]);
  });
});
