import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Builds the migrated database templates every test file copies (test/helpers/db.ts).
    globalSetup: ['test/global-setup.ts'],
    // The jq conformance suite runs ~1,300 cases in one test; give it room on a slow, shared machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
