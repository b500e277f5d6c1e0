/**
 * Debian's Firefox ESR with the built extension installed as a temporary add-on, driven by
 * puppeteer-core over WebDriver BiDi (what was found to work here: shared/research/firefox-notes.md).
 *
 * - `--remote-allow-system-access` lets automation run code in moz-extension pages; even so a
 *   navigation to such a page never reports "loaded", so it is started without awaiting and the
 *   page's own `document.readyState` is polled.
 * - The extension's UUID is pinned by a pref, so its pages have a known URL.
 * - `network.dns.forceResolve` sends every hostname to loopback, as Chromium's host-resolver-rules do.
 * - The background is an event page: it is reachable through `runtime.getBackgroundPage()` (which
 *   wakes it), and `extension.getViews()` lists it only while it runs (which does not).
 * - Dark mode: puppeteer emulates media features over CDP only, and WebDriver BiDi has no command
 *   for it, so the content colour-scheme pref is set at run time by evaluating in the browser's
 *   chrome window (a "moz:scope" context, reachable because of `--remote-allow-system-access`).
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { waitUntil } from '../wait';
import { findTabId, tabIds, tabUrl } from './tab-id';
import { waitForFirstRunPage } from './first-run';
import {
  callExpression,
  type ColorScheme,
  type DriverPage,
  type ExtensionSession,
  type LaunchOptions,
  type SiteTab,
} from './types';

export const FIREFOX = '/usr/bin/firefox-esr';
/** Any fixed UUID will do; pinning it gives the extension's pages a known origin. */
const EXTENSION_UUID = '5c1a7e1e-0000-4000-8000-00000000cf01';
const BACKGROUND_PAGE = '/_generated_background_page.html';
const READY_TIMEOUT_MS = 60_000;

type ExtensionGlobal = {
  browser: {
    runtime: { getBackgroundPage(): Promise<Window & { carrierflagReady?: Promise<unknown> }> };
    extension: { getViews(): Window[] };
  };
};

/** 0 dark, 1 light (Firefox's `layout.css.prefers-color-scheme.content-override`). */
const COLOR_SCHEME_PREF = 'layout.css.prefers-color-scheme.content-override';
const COLOR_SCHEME_VALUE = { dark: 0, light: 1 } as const;

/** The raw WebDriver BiDi connection under puppeteer's Browser (not in its public types). */
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

/**
 * Evaluates `expression` in the browser's chrome window (a "moz:scope" context, reachable because
 * of `--remote-allow-system-access`), awaiting it when it is a promise; `what` names it in errors.
 */
async function evaluateInChrome(
  browser: Browser,
  expression: string,
  what: string,
): Promise<unknown> {
  const connection = (browser as unknown as { connection?: BidiConnection }).connection;
  if (!connection) throw new Error('puppeteer no longer exposes its BiDi connection');
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' }))
    .result as { contexts: { context: string }[] };
  const chrome = tree.contexts[0];
  if (!chrome) throw new Error(`Firefox showed no chrome window to ${what} from`);
  const { result } = (await connection.send('script.evaluate', {
    expression,
    target: { context: chrome.context },
    awaitPromise: true,
  })) as {
    result: { type: string; result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  };
  if (result.type !== 'success') {
    throw new Error(`Firefox refused to ${what}: ${result.exceptionDetails?.text}`);
  }
  return result.result?.value;
}

/**
 * Accepts the extension's permission prompt (ExtensionsUI's "addon-webext-permissions" doorhanger,
 * shown for `permissions.request`) if one is showing in any tab, as clicking its "Allow" does
 * (its main action); resolves whether there was one.
 */
async function acceptPermissionPromptNow(browser: Browser): Promise<boolean> {
  const accepted = await evaluateInChrome(
    browser,
    `(() => {
      for (const tab of gBrowser.browsers) {
        const prompt = PopupNotifications.getNotification('addon-webext-permissions', tab);
        if (!prompt) continue;
        prompt.mainAction.callback({ source: 'button' });
        PopupNotifications.remove(prompt);
        return true;
      }
      return false;
    })()`,
    'accept the permission prompt',
  );
  return accepted === true;
}

/** Sets (or, for null, clears) the content colour-scheme pref. */
async function setColorSchemePref(browser: Browser, scheme: ColorScheme): Promise<void> {
  const expression =
    scheme === null
      ? `Services.prefs.clearUserPref(${JSON.stringify(COLOR_SCHEME_PREF)})`
      : `Services.prefs.setIntPref(${JSON.stringify(COLOR_SCHEME_PREF)}, ${COLOR_SCHEME_VALUE[scheme]})`;
  await evaluateInChrome(browser, expression, 'set the colour-scheme pref');
}

/**
 * Stops the extension's event page now, as about:debugging's "Terminate background script" does
 * (ext-backgroundPage.js `extension.terminateBackground`). The two flags make it stop even with a
 * message listener still running, which is the point: a stop in the middle of work.
 */
async function terminateEventPage(browser: Browser, geckoId: string): Promise<void> {
  await evaluateInChrome(
    browser,
    `WebExtensionPolicy.getByID(${JSON.stringify(geckoId)}).extension.terminateBackground({
      ignoreDevToolsAttached: true,
      disableResetIdleForTest: true,
    })`,
    'terminate the background page',
  );
}

async function waitForDocument(page: Page, url: string): Promise<void> {
  await waitUntil(
    () =>
      page.evaluate(
        (expected) => document.readyState === 'complete' && location.href === expected,
        url,
      ),
    { what: `${url} to load`, timeoutMs: READY_TIMEOUT_MS },
  );
}

function driverPage(page: Page): DriverPage {
  return {
    evaluate: (fn, arg) => page.evaluate(fn as (a: unknown) => unknown, arg) as never,
    evaluateExpression: (expression) => page.evaluate(expression),
    // puppeteer's BiDi keyboard knows the space bar only as ' ' (Playwright takes either).
    pressKey: (key) => page.keyboard.press((key === 'Space' ? ' ' : key) as never),
    reload: async () => {
      const url = await page.evaluate(() => {
        (window as { e2eBeforeReload?: boolean }).e2eBeforeReload = true;
        return location.href;
      });
      void page.evaluate(() => location.reload()).catch(() => undefined);
      await waitUntil(
        () =>
          page.evaluate(
            (expected) =>
              !(window as { e2eBeforeReload?: boolean }).e2eBeforeReload &&
              document.readyState === 'complete' &&
              location.href === expected,
            url,
          ),
        { what: `${url} to reload` },
      );
    },
    close: () => page.close(),
  };
}

/**
 * Launches Firefox ESR, installs the extension and waits until its background is ready. `browser`
 * is puppeteer's own, for scripts that need more than the shared session API (the screenshots).
 */
export async function launchFirefox(
  options: LaunchOptions,
): Promise<ExtensionSession & { browser: Browser }> {
  const manifestPath = path.join(options.extensionPath, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`No built extension at ${options.extensionPath}: run \`npm run build\` first.`);
  }
  if (!existsSync(FIREFOX)) {
    throw new Error(`${FIREFOX} not found: run \`bash scripts/setup-test-env.sh\` first.`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const geckoId = manifest.browser_specific_settings?.gecko?.id;
  if (!geckoId) throw new Error(`${manifestPath} has no gecko id: is this the Firefox build?`);

  const started = Date.now();
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access'],
    // The DoH server's certificate is a throwaway self-signed one; this trusts it for the whole
    // browser session, the extension's background included (Chromium trusts it by SPKI instead).
    acceptInsecureCerts: true,
    protocolTimeout: READY_TIMEOUT_MS,
    extraPrefsFirefox: {
      // Behind a proxy the proxy resolves the sites' names, and forceResolve would also send the
      // proxy's own address (127.0.0.2) to 127.0.0.1.
      // With `siteAddresses` the system resolver (the namespace's /etc/hosts) has the names.
      ...(options.proxy || options.siteAddresses
        ? {}
        : { 'network.dns.forceResolve': '127.0.0.1' }),
      'network.dns.disableIPv6': true,
      // Firefox's own DoH stays off: names resolve through the pref above only.
      'network.trr.mode': 5,
      // No https:// attempt before http:// (it would show up as an extra main-frame request).
      'dom.security.https_first': false,
      'dom.security.https_first_schemeless': false,
      'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: EXTENSION_UUID }),
      // Manual proxy for http and https; loopback (the DoH server) is never proxied by default
      // (network.proxy.allow_hijacking_localhost is false).
      ...(options.proxy
        ? {
            'network.proxy.type': 1,
            'network.proxy.http': options.proxy.host,
            'network.proxy.http_port': options.proxy.port,
            'network.proxy.ssl': options.proxy.host,
            'network.proxy.ssl_port': options.proxy.port,
          }
        : {}),
      // The UI language: Debian's langpacks (firefox-esr-l10n-*) sit in the application scope,
      // which puppeteer's profile enables; the requested locale picks one of them.
      ...(options.locale ? { 'intl.locale.requested': options.locale.replace('_', '-') } : {}),
      ...(options.backgroundIdleTimeoutMs !== undefined
        ? { 'extensions.background.idle.timeout': options.backgroundIdleTimeoutMs }
        : {}),
    },
  });
  try {
    await browser.installExtension(options.extensionPath);
    const extensionBase = `moz-extension://${EXTENSION_UUID}/`;

    const openExtensionPage = async (pathAndQuery: string): Promise<Page> => {
      const page = await browser.newPage();
      const url = `${extensionBase}${pathAndQuery}`;
      void page.goto(url).catch(() => undefined);
      await waitForDocument(page, url);
      return page;
    };

    const apiTab = await openExtensionPage('manifest.json');
    const api = driverPage(apiTab);
    const waitForBackgroundReady = async () => {
      await api.evaluate(async () => {
        const background = await (
          globalThis as unknown as ExtensionGlobal
        ).browser.runtime.getBackgroundPage();
        await background.carrierflagReady;
      }, undefined);
    };
    await waitUntil(async () => (await waitForBackgroundReady(), true), {
      what: 'the background page to be ready',
      timeoutMs: READY_TIMEOUT_MS,
    });
    const launchMs = Date.now() - started;
    // The extension opens its first-run page at install: wait for it here, so it never opens in
    // the middle of a test (the first test's closeOtherTabs closes it).
    const firstRunPage = await waitForFirstRunPage(
      // puppeteer reports a moz-extension page opened by the extension as about:blank: ask the
      // tabs API (an extension sees its own pages' URLs).
      () =>
        api.evaluate(async () => {
          const tabs = await (
            globalThis as unknown as {
              browser: { tabs: { query(q: object): Promise<{ url?: string }[]> } };
            }
          ).browser.tabs.query({});
          return tabs.flatMap((tab) => (tab.url ? [tab.url] : []));
        }, undefined),
      extensionBase,
      started,
    );

    const isBackgroundRunning = () =>
      api.evaluate(
        (backgroundPath) =>
          (globalThis as unknown as ExtensionGlobal).browser.extension
            .getViews()
            .some((view) => view.location.pathname === backgroundPath),
        BACKGROUND_PAGE,
      );

    const markBackgroundInstance = (instance: string) =>
      api.evaluate(async (mark) => {
        const background = await (
          globalThis as unknown as ExtensionGlobal
        ).browser.runtime.getBackgroundPage();
        (background as unknown as { e2eInstance?: string }).e2eInstance = mark;
      }, instance);
    const isBackgroundInstanceRunning = (instance: string) =>
      api.evaluate(
        ({ backgroundPath, mark }) =>
          (globalThis as unknown as ExtensionGlobal).browser.extension
            .getViews()
            .some(
              (view) =>
                view.location.pathname === backgroundPath &&
                (view as unknown as { e2eInstance?: string }).e2eInstance === mark,
            ),
        { backgroundPath: BACKGROUND_PAGE, mark: instance },
      );

    const tabOf = async (page: Page, before?: readonly number[]): Promise<SiteTab> => {
      const id = await findTabId(api, page.url(), before);
      return {
        id,
        goto: async (url) => {
          await page.goto(url);
        },
        startNavigation: async (url) => {
          await page.evaluate((to) => {
            location.href = to;
          }, url);
        },
        driver: () => driverPage(page),
        clickLink: async (text) => {
          await page.evaluate((linkText) => {
            const link = [...document.querySelectorAll('a')].find(
              (a) => a.textContent?.trim() === linkText,
            );
            if (!link) throw new Error(`no link "${linkText}"`);
            link.click();
          }, text);
        },
        title: () => page.title(),
        // The browser's word, not the driver's: puppeteer does not follow a tab that a redirect sent
        // to an extension page (it still reports the page before).
        url: async () => (await tabUrl(api, id)) || page.url(),
        close: () => page.close(),
      };
    };

    return {
      browser,
      kind: 'firefox',
      extensionBase,
      launchMs,
      firstRunPage,
      api,
      async openTab(url) {
        const before = await tabIds(api);
        const page = await browser.newPage();
        await page.goto(url);
        return tabOf(page, before);
      },
      async openExtensionPage(pathAndQuery) {
        return driverPage(await openExtensionPage(pathAndQuery));
      },
      async closeOtherTabs() {
        for (const page of await browser.pages()) {
          if (page !== apiTab) await page.close().catch(() => undefined);
        }
      },
      emulateColorScheme: (scheme) => setColorSchemePref(browser, scheme),
      async acceptPermissionPrompt() {
        await waitUntil(() => acceptPermissionPromptNow(browser), {
          what: "Firefox's permission prompt for the extension",
        });
      },
      waitForBackgroundReady,
      evaluateInBackground: async (fn, arg) =>
        // The background page is same-origin with the api page: its window object is reachable from
        // there, and `fn` runs against it.
        (await api.evaluateExpression(
          `browser.runtime.getBackgroundPage().then((background) => ${callExpression(fn, 'background', arg)})`,
        )) as never,
      isBackgroundRunning,
      async stopBackground(stopOptions) {
        if (options.backgroundIdleTimeoutMs === undefined) {
          throw new Error(
            'Firefox stops an event page only when idle: launch with backgroundIdleTimeoutMs ' +
              '(test.use({ backgroundIdleTimeoutMs })) to test that.',
          );
        }
        await waitUntil(async () => !(await isBackgroundRunning()), {
          what: 'Firefox to suspend the idle background page',
          timeoutMs: stopOptions?.timeoutMs ?? options.backgroundIdleTimeoutMs + 30_000,
        });
      },
      async terminateBackground(stopOptions) {
        // The page that was running must go, but "no background page" is the wrong signal: an
        // event for one of its persistent listeners (the aborted download's own webRequest error,
        // a tab's request) starts a new page at once, and on a busy machine that new page is
        // often up before the first poll. So the running page is marked, and its mark must go.
        const instance = `terminated-${Date.now()}-${Math.random()}`;
        await markBackgroundInstance(instance);
        await terminateEventPage(browser, geckoId);
        await waitUntil(async () => !(await isBackgroundInstanceRunning(instance)), {
          what: 'the terminated background page to be gone',
          timeoutMs: stopOptions?.timeoutMs ?? 15_000,
        });
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}
