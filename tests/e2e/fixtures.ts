/**
 * Playwright fixtures for CarrierFlag's end-to-end tests, in Chromium and in Firefox.
 *
 * One spec runs in both browsers: playwright.config.ts has a project per browser, and specs reach the
 * browser only through `ext` (tabs, badge, popup, options, background) and the servers.
 *
 * Lifetimes: the servers (unbound DoH, the web server, the stub resolvers) and the browser start once
 * per Playwright worker (a launch costs 1–2 s in Chromium and 10–25 s in Firefox on a busy machine).
 * Before each test `ext` resets what a test can change: it closes every tab, empties
 * storage.session (tab reports, DNS cache) and the history of flagged visits, saves default settings
 * through the worker (resolver: the test DoH server), and empties the servers' logs. A file that needs a browser launched
 * differently sets a worker option (`test.use({ backgroundIdleTimeoutMs })`), which gives it a
 * browser of its own.
 *
 * Extension APIs (badge, title, tabs, storage) are called from an extension page that runs none of
 * our code (the packaged manifest.json, shown as a tab), not from the background: a stopped
 * background cannot evaluate anything until an event wakes it, and reading the badge must not wake it.
 */
import { test as base, expect } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSettings, type Settings } from '../../lib/settings';
import { launchChromium } from './support/browsers/chromium-session';
import { launchFirefox } from './support/browsers/firefox-session';
import {
  callExpression,
  type BackgroundScope,
  type BrowserKind,
  type ColorScheme,
  type ExtensionSession,
  type LaunchOptions,
  type SiteTab,
} from './support/browsers/types';
import { startUnboundDoh, type DohRecord, type UnboundDoh } from './support/doh-server';
import { startForwardProxy, type ForwardProxy } from './support/forward-proxy';
import { installManagedPolicy } from './support/managed-policy';
import { startStubDoh, type StubDoh } from './support/stub-doh';
import { UiPage } from './support/ui-page';
import { waitUntil, WAIT_CEILING_MS } from './support/wait';
import { startWebServer, type WebServer } from './support/web-server';

export type { BrowserKind, ColorScheme, SiteTab } from './support/browsers/types';
export { UiPage } from './support/ui-page';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** A browser launch on a loaded machine: Firefox took up to 25 s here; this is a ceiling. */
const LAUNCH_CEILING_MS = 120_000;

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

/** The badge colours the extension uses (lib/verdict.ts). */
export const BADGE_RED = '#d93025';
export const BADGE_GREY = '#5f6368';

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

/** What a spec drives: the browser with the extension, as a user and as the test harness. */
export interface Ext {
  readonly kind: BrowserKind;
  /** ms from the start of this browser's launch until the extension was ready. */
  readonly launchMs: number;
  /** The first-run page the extension opened at install, if any (ExtensionSession.firstRunPage). */
  readonly firstRunPage: ExtensionSession['firstRunPage'];
  /** Opens a new tab at `url` and waits for the page. */
  open(url: string): Promise<SiteTab>;
  badge(tabId: number): Promise<BadgeState>;
  /** Waits until the badge matches (exact text, RegExp on the text, or a predicate); returns it. */
  waitForBadge(
    tabId: number,
    matcher: BadgeMatcher,
    options?: { timeoutMs?: number },
  ): Promise<BadgeState>;
  /** The popup for a tab, opened as a page (`popup.html?tab=N`), once it shows a verdict. */
  popup(tabId: number): Promise<UiPage>;
  /** The settings page, once it has loaded the settings. */
  options(): Promise<UiPage>;
  /** The first-run page (welcome.html), opened as the extension opens it at install, once shown. */
  welcome(): Promise<UiPage>;
  /**
   * Makes every page, open now or later, see `prefers-color-scheme: scheme` (`null`: the browser's
   * own); the next test starts without it.
   */
  emulateColorScheme(scheme: ColorScheme): Promise<void>;
  /**
   * Sets a custom resolver the way a user does (settings page, "Custom resolver URL", Save; the
   * page tests it first, and for one that fails the test, "Use it anyway"), waits until it is
   * saved, then closes the page. Throws with the page's own message if refused.
   */
  useResolver(url: string): Promise<void>;
  /** Changes settings directly through the worker's save-settings message (test set-up only). */
  updateSettings(change: (settings: Settings) => Settings): Promise<void>;
  /** Accepts the browser's prompt for a permission request (ExtensionSession.acceptPermissionPrompt). */
  acceptPermissionPrompt(): Promise<void>;
  /** Calls an extension API from the api page: `(ext, arg) => ext.storage.session.get(null)`. */
  callApi<A, R>(fn: (ext: ExtensionApi, arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Runs `fn(scope, arg)` against the background's global object (wakes it if stopped). */
  evaluateInBackground<A, R>(
    fn: (scope: BackgroundScope, arg: A) => R | Promise<R>,
    arg: A,
  ): Promise<R>;
  isBackgroundRunning(): Promise<boolean>;
  stopBackground(): Promise<void>;
  /** Stops the background now, mid-work (see ExtensionSession.terminateBackground). */
  terminateBackground(): Promise<void>;
  waitForBackgroundRunning(options?: { timeoutMs?: number }): Promise<void>;
}

/** The extension APIs the tests call, as both browsers have them (promise-returning). */
export interface ExtensionApi {
  tabs: { query(query: object): Promise<{ id?: number; url?: string }[]> };
  action: {
    getBadgeText(details: { tabId: number }): Promise<string>;
    getBadgeBackgroundColor(details: { tabId: number }): Promise<number[]>;
    getTitle(details: { tabId: number }): Promise<string>;
  };
  storage: {
    session: StorageAreaApi;
    local: StorageAreaApi;
  };
  runtime: {
    sendMessage(message: unknown): Promise<unknown>;
    getManifest(): Record<string, unknown>;
  };
}

interface StorageAreaApi {
  get(keys: string | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  clear(): Promise<void>;
}

interface WorkerFixtures {
  /** Which browser this project drives (set per project in playwright.config.ts). */
  browserKind: BrowserKind;
  /** Records served by the worker's DoH server; override with `test.use({ dohRecords })` per file. */
  dohRecords: readonly DohRecord[];
  servfailZones: readonly string[];
  /** Firefox: the event page's idle timeout; a file that sets it gets a browser of its own. */
  backgroundIdleTimeoutMs: number | undefined;
  /**
   * The browser's UI language as a locales/ name (`de`, `zh_CN`), so the extension speaks it;
   * undefined: the browser's default (English here). A file that sets it gets a browser of its own.
   * (Not `locale`: that is Playwright's own per-test option, which sets only navigator.language.)
   */
  uiLocale: string | undefined;
  /** Launch the browser behind a local forward proxy on 127.0.0.2 (`forwardProxy`). */
  behindProxy: boolean;
  /**
   * How the browser is started (Chromium: a wrapper executable, further flags) and where the
   * made-up names lead (`siteAddresses`); default Debian's Chromium with every test name on
   * 127.0.0.1. A file
   * that sets it gets a browser of its own (connected-witness.spec.ts: inside a network namespace).
   */
  browserLaunch: Pick<LaunchOptions, 'executablePath' | 'siteAddresses' | 'extraArgs'>;
  /**
   * An administrator's policy (lib/policy), put where the browser really reads it, for a copy of
   * the build with an identity of its own (support/managed-policy.ts); undefined: none. A file
   * that sets it gets a browser of its own.
   */
  managedPolicy: Record<string, unknown> | undefined;
  /** The forward proxy, when `behindProxy`; it maps every `*.test` name to the web server. */
  forwardProxy: ForwardProxy | undefined;
  doh: UnboundDoh;
  web: WebServer;
  stubs: StubResolvers;
  session: ExtensionSession;
}

interface TestFixtures {
  ext: Ext;
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

/** `fn(ext, arg)` in the api page, where `ext` is `browser` (Firefox) or `chrome` (Chromium). */
async function callApi<A, R>(
  session: ExtensionSession,
  fn: (ext: ExtensionApi, arg: A) => R | Promise<R>,
  arg: A,
): Promise<R> {
  return (await session.api.evaluateExpression(
    callExpression(fn, 'globalThis.browser ?? globalThis.chrome', arg),
  )) as R;
}

/**
 * Default settings, pointed at the test DoH server, with automatic updates off: a scheduled check
 * must never change the table under a test (nor knock on the default sources, which the browsers'
 * host mapping sends to loopback here). The update specs switch them on where they test them.
 */
function testSettings(doh: UnboundDoh): Settings {
  const settings = defaultSettings();
  return {
    ...settings,
    resolver: { kind: 'custom', url: doh.url },
    dataUpdate: { ...settings.dataUpdate, automatic: false },
  };
}

async function saveSettings(session: ExtensionSession, settings: Settings): Promise<void> {
  for (const message of [
    { type: 'save-settings', settings },
    { type: 'save-data-update-settings', dataUpdate: settings.dataUpdate },
  ]) {
    const result = await callApi(session, async (ext, m) => ext.runtime.sendMessage(m), message);
    if (!(result as { ok?: boolean } | undefined)?.ok) {
      throw new Error(`the worker refused the test settings: ${JSON.stringify(result)}`);
    }
  }
}

type ResolverOutcome = 'ok' | 'warning' | 'error';

/**
 * Waits until the settings page's resolver status line has an outcome (saved, warned or refused;
 * a test of a resolver that never answers takes the lookup deadline, 5 s); returns it.
 */
async function resolverOutcome(
  page: UiPage,
  url: string,
  outcomes: readonly ResolverOutcome[] = ['ok', 'warning', 'error'],
): Promise<{ state: ResolverOutcome; text: string }> {
  return waitUntil(
    async () => {
      const state = (await page.attribute('resolver-status', 'data-state')) as ResolverOutcome;
      if (!outcomes.includes(state)) return undefined;
      return { state, text: (await page.text('resolver-status')) ?? '' };
    },
    { what: `the options page to accept, warn about or refuse ${url}` },
  );
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  browserKind: ['chromium', { scope: 'worker', option: true }],
  dohRecords: [DEFAULT_RECORDS, { scope: 'worker', option: true }],
  servfailZones: [DEFAULT_SERVFAIL_ZONES, { scope: 'worker', option: true }],
  backgroundIdleTimeoutMs: [undefined, { scope: 'worker', option: true }],
  behindProxy: [false, { scope: 'worker', option: true }],
  uiLocale: [undefined, { scope: 'worker', option: true }],
  browserLaunch: [{}, { scope: 'worker', option: true }],
  managedPolicy: [undefined, { scope: 'worker', option: true }],

  forwardProxy: [
    async ({ behindProxy }, use) => {
      if (!behindProxy) return use(undefined);
      // With a proxy the browser leaves name resolution to the proxy: map the made-up sites here.
      const proxy = await startForwardProxy({
        resolve: (name) => (name.endsWith('.test') ? '127.0.0.1' : name),
      });
      await use(proxy);
      await proxy.stop();
    },
    { scope: 'worker' },
  ],

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

  session: [
    async (
      {
        browserKind,
        doh,
        backgroundIdleTimeoutMs,
        forwardProxy,
        uiLocale,
        browserLaunch,
        managedPolicy,
      },
      use,
    ) => {
      const built = path.join(
        ROOT,
        browserKind === 'firefox' ? '.output/firefox-mv3' : '.output/chrome-mv3',
      );
      const policy = managedPolicy
        ? await installManagedPolicy(browserKind, built, managedPolicy)
        : undefined;
      const options = {
        extensionPath: policy?.extensionPath ?? built,
        dohSpkiHash: doh.spkiHash,
        ...(backgroundIdleTimeoutMs !== undefined ? { backgroundIdleTimeoutMs } : {}),
        ...(forwardProxy ? { proxy: { host: forwardProxy.host, port: forwardProxy.port } } : {}),
        ...(uiLocale !== undefined ? { locale: uiLocale } : {}),
        ...browserLaunch,
      };
      try {
        const session =
          browserKind === 'firefox' ? await launchFirefox(options) : await launchChromium(options);
        await use(session);
        await session.close();
      } finally {
        await policy?.remove();
      }
    },
    { scope: 'worker', timeout: LAUNCH_CEILING_MS },
  ],

  ext: async ({ session, doh, web, stubs, forwardProxy }, use) => {
    // Back to a known state: no tabs, no reports or cached answers, default settings.
    await session.closeOtherTabs();
    await callApi(session, (ext) => ext.storage.session.clear(), undefined);
    await saveSettings(session, testSettings(doh));
    // The history of flagged visits lives in IndexedDB, which outlives a test: emptied too.
    await callApi(session, (ext) => ext.runtime.sendMessage({ type: 'history-clear' }), undefined);
    await doh.clearQueries();
    web.clearRequests();
    for (const stub of Object.values(stubs) as StubDoh[]) stub.clearRequests();
    forwardProxy?.clearRequests();

    const badge = async (tabId: number): Promise<BadgeState> => {
      const raw = await callApi(
        session,
        async (ext, id) => {
          const [text, color, title] = await Promise.all([
            ext.action.getBadgeText({ tabId: id }),
            ext.action.getBadgeBackgroundColor({ tabId: id }),
            ext.action.getTitle({ tabId: id }),
          ]);
          return { text, color: [...color], title };
        },
        tabId,
      );
      return { text: raw.text, color: toHex(raw.color), title: raw.title };
    };

    let colorSchemeSet = false;
    const options = async (): Promise<UiPage> => {
      const page = new UiPage(await session.openExtensionPage('options.html'));
      // The page shows its sections once the worker has sent the settings.
      await page.waitForVisibleText('Custom resolver URL');
      return page;
    };

    const ext: Ext = {
      kind: session.kind,
      launchMs: session.launchMs,
      firstRunPage: session.firstRunPage,
      open: (url) => session.openTab(url),
      badge,
      async waitForBadge(tabId, matcher, waitOptions) {
        let last: BadgeState | undefined;
        return waitUntil(
          async () => {
            last = await badge(tabId);
            return matches(matcher, last) ? last : undefined;
          },
          {
            what: `the badge of tab ${tabId} to match ${String(matcher)}`,
            timeoutMs: waitOptions?.timeoutMs ?? WAIT_CEILING_MS,
            last: () => JSON.stringify(last),
          },
        );
      },
      async popup(tabId) {
        const page = new UiPage(await session.openExtensionPage(`popup.html?tab=${tabId}`));
        await page.waitForText('verdict', /./);
        return page;
      },
      options,
      async welcome() {
        const page = new UiPage(await session.openExtensionPage('welcome.html'));
        await page.waitForVisibleText(/CarrierFlag/);
        return page;
      },
      async emulateColorScheme(scheme) {
        colorSchemeSet = true;
        await session.emulateColorScheme(scheme);
      },
      async useResolver(url) {
        const page = await options();
        try {
          await page.fill('Custom resolver URL', url);
          await page.click('Save', { near: 'Custom resolver URL' });
          // The page tests a custom resolver before saving it; one that fails the test is saved
          // only once the user says "Use it anyway", as a user who means it would.
          let outcome = await resolverOutcome(page, url);
          if (outcome.state === 'warning') {
            await page.click('Use it anyway');
            outcome = await resolverOutcome(page, url, ['ok', 'error']);
          }
          if (outcome.state !== 'ok') {
            throw new Error(`the options page refused ${url}: ${outcome.text}`);
          }
        } finally {
          await page.close();
        }
      },
      async updateSettings(change) {
        const current = (await callApi(
          session,
          (api) => api.runtime.sendMessage({ type: 'get-settings' }),
          undefined,
        )) as { settings: Settings };
        await saveSettings(session, change(current.settings));
      },
      callApi: (fn, arg) => callApi(session, fn, arg),
      acceptPermissionPrompt: () => session.acceptPermissionPrompt(),
      evaluateInBackground: (fn, arg) => session.evaluateInBackground(fn, arg),
      isBackgroundRunning: () => session.isBackgroundRunning(),
      stopBackground: () => session.stopBackground(),
      terminateBackground: () => session.terminateBackground(),
      async waitForBackgroundRunning(waitOptions) {
        await waitUntil(() => session.isBackgroundRunning(), {
          what: 'the background to start',
          timeoutMs: waitOptions?.timeoutMs ?? WAIT_CEILING_MS,
        });
      },
    };
    await use(ext);
    if (colorSchemeSet) await session.emulateColorScheme(null);
  },
});

export { expect };
