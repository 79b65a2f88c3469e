/**
 * Jest runs the TypeScript sources as ES modules (Nest 12 ships ESM only), transpiled per file by
 * ts-jest; `npm run typecheck` does the type checking once for the whole tree.
 * Test kinds are told apart by suffix: `*.unit.spec.ts` (pure, no I/O) and `*.int.spec.ts`
 * (against the real Postgres and Redis, each test in its own schema and key prefix).
 */
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
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
  ],
  // Jest reads the timeout from the top level only; integration tests start whole apps.
  testTimeout: 30_000,
};
