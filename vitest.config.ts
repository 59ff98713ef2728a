import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Files that measure time, race processes or drive Chromium and a whole build: they run one at a
 * time, after everything else, so no other test competes with them for the two cores CI has.
 */
const SERIAL = [
  'test/placement/**/*.test.ts',
  'test/messaging/**/*.test.ts',
  'test/rails/**/*.test.ts',
  'test/e2e/**/*.test.ts',
  'test/package/**/*.test.ts',
  'test/versions/**/*.test.ts',
  'test/sim/**/*.test.ts',
];
const EXCLUDE = ['node_modules/**', 'ui/node_modules/**', 'test-results/**', 'dist/**'];
/** Files that run the V8 sandbox engine: isolated-vm needs Node started with --no-node-snapshot. */
const SANDBOX_V8 = ['actors/sandbox/**/*.v8.test.ts'];

export default defineConfig({
  // Tests run the TypeScript sources: `import … from 'mandate'` (the examples do) resolves through the
  // package's own "exports" to the "mandate-source" entries, never to a built dist/.
  ssr: { resolve: { conditions: ['mandate-source', ...defaultServerConditions] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Everything else is isolated per file (its own database, ports and temp directories) and runs
    // two files at a time; MANDATE_TEST_WORKERS changes that number.
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['**/*.test.ts'],
          exclude: [...EXCLUDE, ...SERIAL, ...SANDBOX_V8],
          maxWorkers: Number(process.env.MANDATE_TEST_WORKERS ?? 2),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'sandbox-v8',
          include: SANDBOX_V8,
          exclude: EXCLUDE,
          execArgv: ['--no-node-snapshot'],
          maxWorkers: 1,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: SERIAL,
          exclude: EXCLUDE,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
