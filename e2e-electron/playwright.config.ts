import { defineConfig } from '@playwright/test'

// The Electron smoke test: `npm run test:electron`. Not part of `npm test`, because the machines
// that run `npm test` cannot download the Electron binary; run it wherever one is installed.
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  timeout: 60_000,
  workers: 1,
  reporter: 'list',
  outputDir: '../test-results/electron',
})
