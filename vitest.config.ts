import { defineConfig } from 'vitest/config'

// Four projects so `npm test` can run them in order and CI prints each runner's summary:
// unit (pure, fast), integration (core against the local cloud), e2e (Chromium against the
// headless host and the local cloud), soak (long fault injection, not part of npm test).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'soak',
          include: ['test/soak/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
