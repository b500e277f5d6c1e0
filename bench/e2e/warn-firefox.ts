// Debian's Firefox ESR for the warn section (warn.ts), driven by puppeteer-core over WebDriver BiDi
// as the e2e tests drive it (tests/e2e/support/browsers/firefox-session.ts,
// shared/research/firefox-notes.md), with or without CarrierFlag installed as a temporary add-on.
//
// Where the test hosts live: in the bench's network namespace (network.ts) each name goes to its
// own public address through an /etc/hosts of Firefox's own (Firefox has no per-name mapping pref:
// `network.dns.forceResolve` sends every name to one address). The browser is started through a
// wrapper that enters a private mount namespace (`unshare --mount --propagation private`, so nothing
// is seen outside it) and bind-mounts the bench's hosts file over /etc/hosts there. Without the
// namespace every name goes to 127.0.0.1 (forceResolve), as in the e2e tests.
//
// Timing prefs: no timer-precision reduction (Navigation Timing in µs, not whole ms), no clamping of
// timers in background tabs (the extension page that drives a navigation is one), no back-forward
// cache: Firefox's counterparts of the switches the Chromium arms get (cdp.ts).
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX } from '../../tests/e2e/support/browsers/firefox-session';
import { waitForFirstRunPage } from '../../tests/e2e/support/browsers/first-run';
import { waitUntil } from '../../tests/e2e/support/wait';

/** Pinned by a pref, so the extension's pages have a known origin. */
const EXTENSION_UUID = '5c1a7e1e-0000-4000-8000-0000000be0c1';
const READY_TIMEOUT_MS = 60_000;

export interface BenchFirefox {
  browser: Browser;
  /** The tab the timed navigations happen in, in front. */
  page: Page;
  /** With CarrierFlag: an extension page that runs none of its code (its manifest.json). */
  api?: Page;
  /** With CarrierFlag: `moz-extension://<uuid>/`. */
  extensionBase?: string;
}

export interface BenchFirefoxOptions {
  /** The built Firefox extension; none when undefined. */
  extensionPath?: string;
  /** An /etc/hosts for Firefox (network namespace); undefined: every name is 127.0.0.1. */
  hostsFile?: string;
  /** Where the wrapper script goes (the caller's scratch directory). */
  workDir: string;
}

/** Whether this machine has Firefox ESR, or why not. */
export function firefoxMissing(extensionPath: string): string | undefined {
  if (!existsSync(FIREFOX)) return `${FIREFOX} (run \`bash scripts/setup-test-env.sh\`)`;
  if (!existsSync(join(extensionPath, 'manifest.json'))) {
    return `the built extension ${extensionPath} (run \`npm run build\`)`;
  }
  return undefined;
}

/** A script that runs Firefox with `hostsFile` as its /etc/hosts (see the top). */
function hostsWrapper(workDir: string, hostsFile: string): string {
  const file = join(workDir, 'firefox-with-hosts');
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    file,
    '#!/bin/sh\n' +
      `exec unshare --mount --propagation private sh -c ` +
      `'mount --bind "$0" /etc/hosts && exec ${FIREFOX} "$@"' ${quote(hostsFile)} "$@"\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

/** Opens an extension page: such a navigation never reports "loaded", so its document is polled. */
async function openExtensionPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  void page.goto(url).catch(() => undefined);
  await waitUntil(
    () =>
      page.evaluate(
        (expected) => document.readyState === 'complete' && location.href === expected,
        url,
      ),
    { what: `${url} to load`, timeoutMs: READY_TIMEOUT_MS },
  );
  return page;
}

type ExtensionGlobal = {
  browser: {
    runtime: { getBackgroundPage(): Promise<{ carrierflagReady?: Promise<unknown> }> };
    tabs: {
      query(q: object): Promise<{ id?: number; url?: string }[]>;
      remove(id: number): Promise<void>;
    };
  };
};

/** Launches Firefox (with CarrierFlag ready and its first-run tab closed, when given). */
export async function launchBenchFirefox(options: BenchFirefoxOptions): Promise<BenchFirefox> {
  let extensionBase: string | undefined;
  let geckoId: string | undefined;
  if (options.extensionPath) {
    const manifest = JSON.parse(
      readFileSync(join(options.extensionPath, 'manifest.json'), 'utf8'),
    ) as { browser_specific_settings?: { gecko?: { id?: string } } };
    geckoId = manifest.browser_specific_settings?.gecko?.id;
    if (!geckoId)
      throw new Error(`${options.extensionPath} has no gecko id: not the Firefox build`);
    extensionBase = `moz-extension://${EXTENSION_UUID}/`;
  }
  const started = Date.now();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: options.hostsFile ? hostsWrapper(options.workDir, options.hostsFile) : FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access'],
    // unbound's throwaway certificate, for the extension's DoH requests.
    acceptInsecureCerts: true,
    protocolTimeout: READY_TIMEOUT_MS,
    extraPrefsFirefox: {
      ...(options.hostsFile ? {} : { 'network.dns.forceResolve': '127.0.0.1' }),
      'network.dns.disableIPv6': true,
      'network.trr.mode': 5,
      'dom.security.https_first': false,
      'dom.security.https_first_schemeless': false,
      'privacy.reduceTimerPrecision': false,
      'dom.min_background_timeout_value': 4,
      'dom.min_background_timeout_value_without_budget_throttling': 4,
      'dom.timeout.enable_budget_timer_throttling': false,
      'browser.sessionhistory.max_total_viewers': 0,
      ...(geckoId
        ? { 'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: EXTENSION_UUID }) }
        : {}),
    },
  });
  try {
    let api: Page | undefined;
    if (options.extensionPath && extensionBase) {
      await browser.installExtension(options.extensionPath);
      api = await openExtensionPage(browser, `${extensionBase}manifest.json`);
      const apiPage = api;
      await waitUntil(
        () =>
          apiPage.evaluate(async () => {
            const ext = (globalThis as unknown as ExtensionGlobal).browser;
            await (
              await ext.runtime.getBackgroundPage()
            ).carrierflagReady;
            return true;
          }),
        { what: "CarrierFlag's background to be ready", timeoutMs: READY_TIMEOUT_MS },
      );
      // The first-run tab opens at install: closed before any timing, so every arm has the same tabs.
      const tabUrls = () =>
        apiPage.evaluate(async () => {
          const tabs = await (globalThis as unknown as ExtensionGlobal).browser.tabs.query({});
          return tabs.flatMap((t) => (t.url ? [t.url] : []));
        });
      const firstRun = await waitForFirstRunPage(tabUrls, extensionBase, started);
      if (firstRun) {
        await apiPage.evaluate(async (url) => {
          const ext = (globalThis as unknown as ExtensionGlobal).browser;
          for (const tab of await ext.tabs.query({})) {
            if (tab.url === url && tab.id !== undefined) await ext.tabs.remove(tab.id);
          }
        }, firstRun.url);
      }
    } else {
      // The same number of tabs as the arms with an extension page.
      await browser.newPage();
    }
    const page = await browser.newPage();
    await page.bringToFront();
    return { browser, page, api, extensionBase };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Saves settings through the extension's own messages from its options page (get-settings, then
 * save-settings with `change` applied) and reads them back: the worker's reply is the signal that
 * it has applied them (as in bare.ts's useResolverBare).
 */
export async function updateSettingsFirefox(
  browser: Browser,
  extensionBase: string,
  change: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const options = await openExtensionPage(browser, `${extensionBase}options.html`);
  try {
    return await options.evaluate(async (changed) => {
      const { runtime } = (
        globalThis as unknown as {
          browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
        }
      ).browser;
      const current = (await runtime.sendMessage({ type: 'get-settings' })) as {
        settings: Record<string, unknown>;
      };
      const saved = (await runtime.sendMessage({
        type: 'save-settings',
        settings: { ...current.settings, ...changed },
      })) as { ok: boolean; reason?: string };
      if (!saved.ok) throw new Error(`save-settings refused: ${saved.reason ?? '?'}`);
      const after = (await runtime.sendMessage({ type: 'get-settings' })) as {
        settings: Record<string, unknown>;
      };
      return after.settings;
    }, change);
  } finally {
    await options.close().catch(() => undefined);
  }
}
