import { defineConfig } from '@playwright/test';
import type { BrowserKind } from './tests/e2e/support/browsers/types';

/**
 * End-to-end tests: every spec under tests/e2e/ runs twice, once in Debian's Chromium (Playwright)
 * and once in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi), each loading the built
 * extension. The fixtures (tests/e2e/fixtures.ts) start unbound (DoH), a web server and stub
 * resolvers themselves, so there is no `webServer` here. `servers.spec.ts` checks the test servers
 * alone, without a browser. Prerequisites: `bash scripts/setup-test-env.sh` and `npm run build`.
 *
 * Time limits are ceilings for a loaded 2-core machine, not expectations: tests wait on signals
 * (readiness, a badge change, a page's text, the DoH server's query log), never on sleeps.
 */
const SERVERS_ONLY = /servers\.spec\.ts$/;

export default defineConfig<object, { browserKind: BrowserKind }>({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  // Two cores: one browser at a time keeps the machine responsive.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  // CI reads the closing summary line of the list reporter.
  reporter: 'list',
  outputDir: 'test-results/e2e',
  use: {
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'servers', testMatch: SERVERS_ONLY },
    { name: 'chromium', testIgnore: SERVERS_ONLY, use: { browserKind: 'chromium' } },
    { name: 'firefox', testIgnore: SERVERS_ONLY, use: { browserKind: 'firefox' } },
  ],
});
