import { defineConfig } from 'vitest/config';

// Unit, store, service and HTTP tests run in `npm test`; long fuzz, crash and load runs live in
// the `reliability` project and run with `npm run test:reliability` (a short setting of each also
// runs in the default project).
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // globalSetup: the suite's own logs are scanned for leaks when it ends (test/log-leak-scan.ts).
        test: { name: 'unit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/reliability/**'], globalSetup: ['test/log-leak-scan.ts'] },
      },
      {
        extends: true,
        test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'] },
      },
    ],
  },
});
