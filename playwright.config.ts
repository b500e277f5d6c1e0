import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Debian's Chromium loads the built extension (.output/chrome-mv3); the fixtures
 * in tests/e2e/fixtures.ts start unbound (DoH), a web server and stub resolvers themselves, so there
 * is no `webServer` here. Prerequisites: `bash scripts/setup-test-env.sh` and `npm run build`.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  // Two cores: one browser at a time keeps timings steady.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  // CI reads the closing summary line of the list reporter.
  reporter: 'list',
  outputDir: 'test-results/e2e',
  use: {
    actionTimeout: 10_000,
    navigationTimeout: 10_000,
    trace: 'retain-on-failure',
  },
});
