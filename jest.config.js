/**
 * Jest runs the TypeScript sources as ES modules (Nest 12 ships ESM only), transpiled per file by
 * ts-jest; `npm run typecheck` does the type checking once for the whole tree.
 * Test kinds are told apart by suffix: `*.unit.spec.ts` (pure, no I/O), `*.int.spec.ts`
 * (against the real Postgres and Redis, each test in its own schema and key prefix) and
 * `*.faults.spec.ts` (test/faults: against a Postgres and a Redis of their own, which they stop,
 * kill and wipe).
 */
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];

/**
 * `content-disposition` (required by `@fastify/static`, which serves the OpenAPI UI) ships ES modules
 * only. Node loads it with `require(esm)`; Jest's CommonJS loader cannot, so it is compiled to
 * CommonJS for the tests.
 */
const ESM_ONLY_DEPENDENCIES = ['content-disposition'];
const toCommonJs = ['ts-jest', { useESM: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', isolatedModules: true } }];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest, [`/node_modules/(${ESM_ONLY_DEPENDENCIES.join('|')})/.+\\.js$`]: toCommonJs },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_DEPENDENCIES.join('|')})/)`],
  moduleNameMapper: {
    '^@app/(domain|config|event-store|claims-store|jobs)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test,examples}/**/*.unit.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test,examples}/**/*.int.spec.ts'],
      setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
    },
    {
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.faults.spec.ts'],
      setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
    },
  ],
  // Jest reads the timeout from the top level only; integration tests start whole apps.
  testTimeout: 30_000,
};
