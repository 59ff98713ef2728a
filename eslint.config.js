import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * DESIGN's layering (docs/architecture.md): what each top-level folder may import. Anything else
 * is refused, and an allowed folder is entered through its `index.ts` only.
 */
const LAYERS = {
  contracts: [],
  kernel: [],
  machines: ['kernel'],
  actors: ['machines', 'kernel', 'contracts'],
  transport: ['kernel'],
  registry: ['transport', 'kernel'],
  runtime: ['registry', 'transport', 'actors', 'machines', 'kernel', 'contracts'],
  gateway: ['runtime', 'registry', 'transport', 'actors', 'machines', 'kernel'],
  cli: ['gateway', 'runtime', 'registry', 'transport', 'actors', 'machines', 'kernel', 'contracts'],
  examples: ['runtime', 'actors', 'machines', 'kernel', 'transport', 'contracts'],
  // The deterministic simulator (docs/simulation.md): the runtime's public face plus the actors and
  // kernel types its simulated store, rails and agents are built from.
  sim: ['runtime', 'actors', 'machines', 'kernel'],
};
const FOLDERS = Object.keys(LAYERS);
const layerZones = FOLDERS.flatMap((target) =>
  FOLDERS.filter((from) => from !== target).map((from) =>
    LAYERS[target].includes(from)
      ? {
          target: `./${target}`,
          from: `./${from}`,
          except: ['./index.ts'],
          message: `${target}/ enters ${from}/ through ${from}/index.ts only (docs/architecture.md).`,
        }
      : {
          target: `./${target}`,
          from: `./${from}`,
          message: `${target}/ may not import ${from}/: see the layers in docs/architecture.md.`,
        },
  ),
);

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'ui/dist/**',
      'test-results/**',
      'bin/**',
      '**/*.d.ts',
      'runtime/persistence/migrations/**',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        importX.createNodeResolver({ conditionNames: ['mandate-source', 'import', 'default'] }),
      ],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Past three positional parameters, one options object (docs: house style). Signatures a library
      // dictates (XState, Fastify, nats.js callbacks) are exempted line by line, with the reason.
      'max-params': ['error', 3],
      // No source file over 300 lines (tests and migrations aside): split by concern, each file named
      // after its export.
      'max-lines': ['error', { max: 300 }],
      // An async method often implements a Promise-returning interface without awaiting anything;
      // that is not a bug, and the bug-finding rules (floating and misused promises) stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: FOLDERS.map((f) => `${f}/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  {
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: {
      'max-lines': 'off',
      // Tests and benchmarks inspect untyped JSON bodies from HTTP, NATS and files on purpose.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // The dashboard is type-checked by `npm run typecheck:ui` (its own browser tsconfig). Its type
    // imports reach the gateway's and runtime's sources, which typescript-eslint's program for the
    // browser project resolves to error types, so its type-aware rules would misfire there.
    files: ['ui/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  { files: ['**/*.{js,mjs,cjs}'], ...tseslint.configs.disableTypeChecked },
);
