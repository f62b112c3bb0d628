import { defineConfig } from 'vitest/config';

/**
 * Three projects so CI can re-run the database and end-to-end suites against
 * real PostgreSQL (`TEST_DATABASE_URL`) after the embedded-database run, and
 * a fourth, `browser`, that drives the built dashboard in Chromium.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'apps/cli/src/**/*.test.tsx',
            // The dashboard's logic that needs no browser (apps/web has no src/).
            'apps/web/lib/**/*.test.ts',
          ],
          exclude: ['packages/db/**', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'db',
          include: ['packages/db/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/src/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // Real Chromium against a real server and node; `npm run test:browser`, not `npm test`.
        test: {
          name: 'browser',
          include: ['tests/browser/src/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
