import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the TypeScript sources: `import … from 'mandate'` (the examples do) resolves through the
  // package's own "exports" to the "mandate-source" entries, never to a built dist/.
  ssr: { resolve: { conditions: ['mandate-source', ...defaultServerConditions] } },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'ui/node_modules/**', 'test-results/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
