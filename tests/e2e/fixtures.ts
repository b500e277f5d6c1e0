/**
 * Playwright fixtures for CarrierFlag's end-to-end tests.
 *
 * Lifetimes: the servers (unbound DoH, the web server, the stub resolvers) start once per
 * Playwright worker, because they hold no per-test state that a test cannot reset. The browser is
 * per test: a fresh profile costs ~0.8 s and gives every test empty extension storage, so no test
 * sees another's settings, DNS cache or tab reports.
 *
 * Extension APIs (badge, title, tabs) are read from an extension page that runs none of our code
 * (the packaged manifest.json, viewed as a tab), not from the service worker: a stopped worker
 * cannot evaluate anything until an event wakes it, and reading the badge must not wake it.
 */
import {
  test as base,
  chromium,
  expect,
  type BrowserContext,
  type Page,
  type Worker,
} from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, chromiumArgs } from './support/chromium';
import { startUnboundDoh, type DohRecord, type UnboundDoh } from './support/doh-server';
import { delay } from './support/ports';
import { startStubDoh, type StubDoh } from './support/stub-doh';
import { startWebServer, type WebServer } from './support/web-server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READY_TIMEOUT_MS = 15_000;
const POLL_MS = 50;

// For the launchMs fixture: when each context's launch began and its worker became ready.
const launchStartedAt = new WeakMap<BrowserContext, number>();
const readyAt = new WeakMap<BrowserContext, number>();

/** Addresses taken from the bundled routing data (@ip-location-db/asn), one per carrier. */
export const ADDRESSES = {
  /** AS9808 China Mobile */
  chinaMobileV4: '27.0.160.1',
  /** AS9808 China Mobile */
  chinaMobileV6: '2401:1320::1',
  /** AS4134 Chinanet (China Telecom) */
  chinaTelecomV4: '1.48.0.1',
  /** AS4837 China Unicom */
  chinaUnicomV4: '1.24.0.1',
  /** AS13335 Cloudflare: routed, not a carrier */
  cloudflareV4: '1.1.1.1',
  /** TEST-NET-1: in no routing table */
  unroutedV4: '192.0.2.10',
} as const;

/**
 * The names every worker's DoH server answers unless a spec file overrides `dohRecords`.
 * Any other name is NXDOMAIN (e.g. `missing.test`); names under `fail.test` are SERVFAIL.
 */
export const DEFAULT_RECORDS: readonly DohRecord[] = [
  { name: 'site.test', type: 'A', value: ADDRESSES.unroutedV4 },
  { name: 'cloudflare.test', type: 'A', value: ADDRESSES.cloudflareV4 },
  { name: 'mobile.test', type: 'A', value: ADDRESSES.chinaMobileV4 },
  { name: 'mobile.test', type: 'AAAA', value: ADDRESSES.chinaMobileV6 },
  { name: 'telecom.test', type: 'A', value: ADDRESSES.chinaTelecomV4 },
  { name: 'unicom.test', type: 'A', value: ADDRESSES.chinaUnicomV4 },
  { name: 'v6only.test', type: 'AAAA', value: ADDRESSES.chinaMobileV6 },
  { name: 'mixed.test', type: 'A', value: ADDRESSES.cloudflareV4 },
  { name: 'mixed.test', type: 'AAAA', value: ADDRESSES.chinaMobileV6 },
  // A two-hop chain ending on a carrier address.
  { name: 'alias.test', type: 'CNAME', value: 'cdn-edge.test' },
  { name: 'cdn-edge.test', type: 'CNAME', value: 'mobile.test' },
];

export const DEFAULT_SERVFAIL_ZONES: readonly string[] = ['fail.test'];

/** The per-tab action state, as the browser holds it. */
export interface BadgeState {
  text: string;
  /** Background colour as `#rrggbb` (or `#rrggbbaa` when not opaque). */
  color: string;
  title: string;
}

export type BadgeMatcher = string | RegExp | ((badge: BadgeState) => boolean);

export interface StubResolvers {
  /** 200 application/dns-message with bytes that are not DNS. */
  garbage: StubDoh;
  /** Accepts the request and never answers. */
  hang: StubDoh;
  /** HTTP 503. */
  httpError: StubDoh;
}

interface WorkerFixtures {
  /** Records served by the worker's DoH server; override with `test.use({ dohRecords })` per file. */
  dohRecords: readonly DohRecord[];
  servfailZones: readonly string[];
  /** Absolute path of the unpacked extension (default .output/chrome-mv3). */
  extensionPath: string;
  doh: UnboundDoh;
  web: WebServer;
  stubs: StubResolvers;
}

interface TestFixtures {
  /** How long launching Chromium until the worker was ready took, for this test, in ms. */
  launchMs: number;
  serviceWorker: Worker;
  extensionId: string;
  /** An extension page used to call chrome.* APIs without depending on the service worker. */
  apiPage: Page;
  /** The id of the tab showing `page`, found by URL (throws unless exactly one tab matches). */
  tabIdOf: (page: Page) => Promise<number>;
  badgeText: (tabId: number) => Promise<string>;
  badgeColor: (tabId: number) => Promise<string>;
  actionTitle: (tabId: number) => Promise<string>;
  badgeState: (tabId: number) => Promise<BadgeState>;
  /** Polls every 50 ms until the badge matches (exact text, RegExp on text, or predicate). */
  waitForBadge: (
    tabId: number,
    matcher: BadgeMatcher,
    options?: { timeoutMs?: number },
  ) => Promise<BadgeState>;
  /** Stops the MV3 service worker for real (as the browser does when idle) and waits until gone. */
  stopServiceWorker: () => Promise<void>;
  isServiceWorkerRunning: () => Promise<boolean>;
  /** Waits until an event has started the worker again; then `serviceWorker` works again. */
  waitForServiceWorkerRunning: (options?: { timeoutMs?: number }) => Promise<void>;
  /** Opens the popup as a tab for the given tab: chrome-extension://<id>/popup.html?tab=<tabId>. */
  openPopupFor: (tabId: number) => Promise<Page>;
  openOptions: () => Promise<Page>;
  /**
   * Sets a custom resolver the way a user does (options page, "Custom resolver URL", Save), waits
   * for the saved notice, then closes the page. Throws with the page's own message if refused.
   */
  useResolver: (url: string) => Promise<void>;
}

/**
 * The few chrome.* calls the fixtures make inside an extension page. Declared here rather than
 * pulling in a global `chrome` type that the product code must not rely on.
 */
interface ChromeApi {
  tabs: { query(query: object): Promise<{ id?: number; url?: string }[]> };
  action: {
    getBadgeText(details: { tabId: number }): Promise<string>;
    getBadgeBackgroundColor(details: { tabId: number }): Promise<number[]>;
    getTitle(details: { tabId: number }): Promise<string>;
  };
}

function toHex(color: readonly number[]): string {
  const [r = 0, g = 0, b = 0, a = 255] = color;
  const parts = a === 255 ? [r, g, b] : [r, g, b, a];
  return `#${parts.map((n) => n.toString(16).padStart(2, '0')).join('')}`;
}

function matches(matcher: BadgeMatcher, badge: BadgeState): boolean {
  if (typeof matcher === 'string') return badge.text === matcher;
  if (matcher instanceof RegExp) return matcher.test(badge.text);
  return matcher(badge);
}

async function serviceWorkerTargets(context: BrowserContext, page: Page, extensionId: string) {
  const session = await context.newCDPSession(page);
  try {
    const { targetInfos } = await session.send('Target.getTargets');
    return targetInfos.filter(
      (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`),
    );
  } finally {
    await session.detach().catch(() => undefined);
  }
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  dohRecords: [DEFAULT_RECORDS, { scope: 'worker', option: true }],
  servfailZones: [DEFAULT_SERVFAIL_ZONES, { scope: 'worker', option: true }],
  extensionPath: [path.join(ROOT, '.output/chrome-mv3'), { scope: 'worker', option: true }],

  doh: [
    async ({ dohRecords, servfailZones }, use) => {
      const doh = await startUnboundDoh({ records: dohRecords, servfailZones });
      await use(doh);
      await doh.stop();
    },
    { scope: 'worker' },
  ],

  web: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured first argument
    async ({}, use) => {
      const web = await startWebServer();
      await use(web);
      await web.stop();
    },
    { scope: 'worker' },
  ],

  stubs: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured first argument
    async ({}, use) => {
      const stubs: StubResolvers = {
        garbage: await startStubDoh('garbage'),
        hang: await startStubDoh('hang'),
        httpError: await startStubDoh('http-error'),
      };
      await use(stubs);
      await Promise.all(Object.values(stubs).map((stub: StubDoh) => stub.stop()));
    },
    { scope: 'worker' },
  ],

  launchMs: async ({ context, serviceWorker }, use) => {
    void serviceWorker;
    await use((readyAt.get(context) ?? NaN) - (launchStartedAt.get(context) ?? NaN));
  },

  context: async ({ extensionPath, doh, web, stubs }, use) => {
    if (!existsSync(path.join(extensionPath, 'manifest.json'))) {
      throw new Error(
        `No built extension at ${extensionPath}: run \`npm run build\` (or \`npx wxt build\`) first.`,
      );
    }
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: run \`bash scripts/setup-test-env.sh\` first.`);
    }
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'carrierflag-profile-'));
    const started = Date.now();
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: chromiumArgs(extensionPath, doh.spkiHash),
    });
    // Each test starts with empty logs, so assertions see only their own traffic.
    await doh.clearQueries();
    web.clearRequests();
    for (const stub of Object.values(stubs) as StubDoh[]) stub.clearRequests();
    launchStartedAt.set(context, started);
    await use(context);
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  },

  serviceWorker: async ({ context }, use) => {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith('chrome-extension://'),
        timeout: READY_TIMEOUT_MS,
      }));
    // Navigating before start-up is done lost main-frame webRequest events in 2 of 24 runs
    // (toolchain notes). An extension without the hook counts as ready.
    await Promise.race([
      worker.evaluate(async () => {
        await (globalThis as { carrierflagReady?: Promise<unknown> }).carrierflagReady;
      }),
      delay(READY_TIMEOUT_MS).then(() => {
        throw new Error(`service worker not ready after ${READY_TIMEOUT_MS} ms`);
      }),
    ]);
    readyAt.set(context, Date.now());
    await use(worker);
  },

  extensionId: async ({ serviceWorker }, use) => {
    await use(new URL(serviceWorker.url()).host);
  },

  apiPage: async ({ context, extensionId }, use) => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/manifest.json`);
    await use(page);
  },

  tabIdOf: async ({ apiPage }, use) => {
    await use(async (page) => {
      const url = page.url();
      const deadline = Date.now() + 5000;
      let ids: number[] = [];
      while (Date.now() < deadline) {
        ids = await apiPage.evaluate(async (target) => {
          const { chrome } = globalThis as unknown as { chrome: ChromeApi };
          const tabs = await chrome.tabs.query({});
          return tabs.flatMap((tab) =>
            tab.url === target && tab.id !== undefined ? [tab.id] : [],
          );
        }, url);
        if (ids.length === 1 && ids[0] !== undefined) return ids[0];
        await delay(POLL_MS);
      }
      throw new Error(`expected one tab showing ${url}, found ${ids.length}`);
    });
  },

  badgeState: async ({ apiPage }, use) => {
    await use(async (tabId) => {
      const raw = await apiPage.evaluate(async (id) => {
        const { chrome } = globalThis as unknown as { chrome: ChromeApi };
        const [text, color, title] = await Promise.all([
          chrome.action.getBadgeText({ tabId: id }),
          chrome.action.getBadgeBackgroundColor({ tabId: id }),
          chrome.action.getTitle({ tabId: id }),
        ]);
        return { text, color: [...color], title };
      }, tabId);
      return { text: raw.text, color: toHex(raw.color), title: raw.title };
    });
  },

  badgeText: async ({ badgeState }, use) => {
    await use(async (tabId) => (await badgeState(tabId)).text);
  },

  badgeColor: async ({ badgeState }, use) => {
    await use(async (tabId) => (await badgeState(tabId)).color);
  },

  actionTitle: async ({ badgeState }, use) => {
    await use(async (tabId) => (await badgeState(tabId)).title);
  },

  waitForBadge: async ({ badgeState }, use) => {
    await use(async (tabId, matcher, options) => {
      const timeoutMs = options?.timeoutMs ?? 5000;
      const deadline = Date.now() + timeoutMs;
      let last = await badgeState(tabId);
      while (!matches(matcher, last)) {
        if (Date.now() > deadline) {
          throw new Error(
            `badge of tab ${tabId} did not match ${String(matcher)} within ${timeoutMs} ms; ` +
              `last: ${JSON.stringify(last)}`,
          );
        }
        await delay(POLL_MS);
        last = await badgeState(tabId);
      }
      return last;
    });
  },

  isServiceWorkerRunning: async ({ context, apiPage, extensionId }, use) => {
    await use(async () => (await serviceWorkerTargets(context, apiPage, extensionId)).length > 0);
  },

  stopServiceWorker: async ({ context, apiPage, extensionId }, use) => {
    await use(async () => {
      // CDP Target.closeTarget on the worker's target really terminates it: module state is gone
      // when it restarts (checked with a global marker). ServiceWorker.stopAllWorkers needs the
      // domain enabled and did not stop it reliably. Playwright keeps the same Worker object, which
      // answers again once an event restarts the worker.
      const targets = await serviceWorkerTargets(context, apiPage, extensionId);
      if (targets.length === 0) return;
      const session = await context.newCDPSession(apiPage);
      try {
        for (const target of targets) {
          await session.send('Target.closeTarget', { targetId: target.targetId });
        }
      } finally {
        await session.detach().catch(() => undefined);
      }
      const deadline = Date.now() + 5000;
      while ((await serviceWorkerTargets(context, apiPage, extensionId)).length > 0) {
        if (Date.now() > deadline) throw new Error('the service worker did not stop within 5 s');
        await delay(POLL_MS);
      }
    });
  },

  waitForServiceWorkerRunning: async ({ context, apiPage, extensionId }, use) => {
    await use(async (options) => {
      const timeoutMs = options?.timeoutMs ?? 5000;
      const deadline = Date.now() + timeoutMs;
      while ((await serviceWorkerTargets(context, apiPage, extensionId)).length === 0) {
        if (Date.now() > deadline) {
          throw new Error(`the service worker did not start within ${timeoutMs} ms`);
        }
        await delay(POLL_MS);
      }
    });
  },

  openPopupFor: async ({ context, extensionId }, use) => {
    await use(async (tabId) => {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
      return page;
    });
  },

  openOptions: async ({ context, extensionId }, use) => {
    await use(async () => {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/options.html`);
      return page;
    });
  },

  useResolver: async ({ openOptions }, use) => {
    await use(async (url) => {
      const options = await openOptions();
      try {
        const form = options.locator('form', { has: options.getByLabel('Custom resolver URL') });
        const input = form.getByLabel('Custom resolver URL');
        await input.fill(url);
        // type="url": the browser itself blocks the submit of a malformed URL, with no page message.
        const invalid = await input.evaluate((el: HTMLInputElement) =>
          el.checkValidity() ? '' : el.validationMessage,
        );
        if (invalid) throw new Error(`the options page refused ${url}: ${invalid}`);
        await form.getByRole('button', { name: 'Save' }).click();
        const notice = options.getByTestId('notice');
        const refusal = form.getByRole('alert');
        await expect(notice.filter({ hasText: 'Resolver:' }).or(refusal)).toBeVisible();
        if (await refusal.isVisible()) {
          throw new Error(`the options page refused ${url}: ${await refusal.innerText()}`);
        }
      } finally {
        await options.close();
      }
    });
  },
});

export { expect };
