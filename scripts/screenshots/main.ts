/**
 * The README's screenshots, from the real built extension in Debian's Chromium and Firefox ESR
 * (Chromium only with `--chromium-only`, or when Firefox is not installed), with the e2e tests' servers: unbound as the DoH
 * resolver and the local web server for the sites. Bundled and run by scripts/screenshots.mjs
 * (`npm run screenshots`), which starts it inside a network namespace of its own when it can.
 *
 * Why a namespace: the e2e tests send every site to 127.0.0.1, so the browser's own connection is
 * to loopback, which is not among the site's DoH addresses, and the popup rightly says "the browser
 * connected to 127.0.0.1, which is not among the addresses…". No user ever sees that. In a network
 * namespace (`unshare -rnm`: a user, network and mount namespace, no root needed) this script puts
 * each site's real address on the namespace's own loopback interface (202.96.128.86 for the
 * flagged site, AS4134), the web server listens on all of them, and the browser is told where each
 * name leads (Chromium's host-resolver-rules; the namespace's /etc/hosts for Firefox). The browser
 * then connects to the very address DoH gave, as it would on the internet, and nothing of the test
 * set-up shows. Nothing leaves the machine: the namespace has no other interface. Without a
 * namespace (no `unshare`), it falls back to loopback and says so.
 *
 * What is shot, for each browser and each of the locales en and zh_CN:
 *   popup-flagged   news-portal.test on China Telecom (AS4134), loading from hosts on China Mobile
 *                   and China Unicom and from a clean CDN
 *   warning         the warning page for news-portal.test ("When a site is flagged": warn;
 *                   Chromium only)
 *   settings        the settings page as a new user sees it (the default resolver)
 * and, in English only, popup-clean (example-shop.test, Cloudflare) and popup-unchecked
 * (status.fail.test, whose zone answers SERVFAIL: the `?` badge). Each popup is its page
 * `popup.html?tab=N` in a tab sized the way the browser sizes a popup; each shot in light and dark
 * (prefers-color-scheme). Files: docs/screenshots/<browser>/<shot>-<locale>-<light|dark>.png,
 * overwritten on every run.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { defaultSettings, type Settings } from '../../lib/settings';
import { launchChromium } from '../../tests/e2e/support/browsers/chromium-session';
import { FIREFOX, launchFirefox } from '../../tests/e2e/support/browsers/firefox-session';
import {
  callExpression,
  type ColorScheme,
  type ExtensionSession,
} from '../../tests/e2e/support/browsers/types';
import { startUnboundDoh, type DohRecord } from '../../tests/e2e/support/doh-server';
import { waitUntil } from '../../tests/e2e/support/wait';
import { startWebServer } from '../../tests/e2e/support/web-server';

const ROOT = process.cwd();
const OUT_DIR = path.join(ROOT, 'docs/screenshots');

/** Chromium's largest popup (chrome/browser/ui/views/extensions/extension_popup.cc). */
const POPUP_MAX = { width: 800, height: 600 };
const SETTINGS_VIEWPORT = { width: 960, height: 1000 };
const WARNING_VIEWPORT = { width: 800, height: 560 };
const WAIT_MS = 30_000;
/** Fixed, so the `?` popup's error text (which names the resolver) is the same on every run. */
const DOH_PORT = 48453;

/** Set by scripts/screenshots.mjs when this runs inside its own network namespace. */
const IN_NAMESPACE = process.env.CARRIERFLAG_SCREENSHOTS_NETNS === '1';

/** Every made-up site, with the address it has here (put on the namespace's loopback). */
const SITES: Record<string, { address: string; doh: boolean }> = {
  'news-portal.test': { address: '202.96.128.86', doh: true }, // AS4134 Chinanet, China Telecom
  'static.mobile-cdn.test': { address: '27.0.160.1', doh: true }, // AS9808 China Mobile
  'ads.unicom-net.test': { address: '1.24.0.1', doh: true }, // AS4837 China Unicom
  'fonts.example-cdn.test': { address: '1.1.1.1', doh: true }, // AS13335 Cloudflare
  'example-shop.test': { address: '1.0.0.1', doh: true }, // AS13335 Cloudflare
  // SERVFAIL (the zone below): DoH has no address for it, the browser reaches it on loopback.
  'status.fail.test': { address: '127.0.0.1', doh: false },
};

const THIRD_PARTIES = ['static.mobile-cdn.test', 'ads.unicom-net.test', 'fonts.example-cdn.test'];

const RECORDS: DohRecord[] = Object.entries(SITES)
  .filter(([, site]) => site.doh)
  .map(([name, site]) => ({ name, type: 'A', value: site.address }));

const POPUPS = [
  {
    shot: 'popup-flagged',
    host: 'news-portal.test',
    path: `/page-with?hosts=${THIRD_PARTIES.join(',')}`,
    locales: ['en', 'zh_CN'],
  },
  { shot: 'popup-clean', host: 'example-shop.test', path: '/', locales: ['en'] },
  { shot: 'popup-unchecked', host: 'status.fail.test', path: '/', locales: ['en'] },
] as const;

const LOCALES = ['en', 'zh_CN'] as const;
const SCHEMES = ['light', 'dark'] as const satisfies readonly ColorScheme[];

type BrowserName = 'chromium' | 'firefox';

/** The one thing that differs between the browsers here: a page to size and shoot. */
interface ShotPage {
  goto(url: string): Promise<void>;
  /** Waits until `fn` returns true in the page. */
  waitFor(fn: () => boolean): Promise<void>;
  evaluate<R>(fn: () => R): Promise<R>;
  setViewport(size: { width: number; height: number }): Promise<void>;
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

interface ShotBrowser {
  session: ExtensionSession;
  /** A new page seeing `prefers-color-scheme: scheme`. */
  newPage(scheme: ColorScheme): Promise<ShotPage>;
}

async function main(): Promise<void> {
  const browsers: BrowserName[] = ['chromium'];
  if (!process.argv.includes('--chromium-only')) {
    if (existsSync(FIREFOX)) browsers.push('firefox');
    else console.warn(`screenshots: ${FIREFOX} not found: Chromium only`);
  }
  if (IN_NAMESPACE) await enterOwnAddresses();
  else {
    console.warn(
      'screenshots: not in a network namespace of its own (no `unshare`?): every site is on ' +
        '127.0.0.1, and the popups will say the browser connected to 127.0.0.1',
    );
  }
  const doh = await startUnboundDoh({
    records: RECORDS,
    servfailZones: ['fail.test'],
    port: DOH_PORT,
  });
  // In the namespace the sites' addresses are all on its loopback: listen on every one of them.
  const web = await startWebServer({ listenOn: IN_NAMESPACE ? '0.0.0.0' : '127.0.0.1' });
  try {
    for (const browserName of browsers) {
      for (const locale of LOCALES) {
        await shootLocale(browserName, locale, doh, web.urlFor.bind(web));
      }
    }
  } finally {
    await web.stop();
    await doh.stop();
  }
}

/**
 * Inside the namespace: loopback up, each site's address on it, and an /etc/hosts (bind-mounted
 * over the real one, in this namespace only) that names them, for Firefox's system resolver.
 */
async function enterOwnAddresses(): Promise<void> {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const hosts = ['127.0.0.1 localhost', '::1 localhost'];
  for (const [name, site] of Object.entries(SITES)) {
    if (site.address !== '127.0.0.1') {
      execFileSync('ip', ['addr', 'add', `${site.address}/32`, 'dev', 'lo']);
    }
    hosts.push(`${site.address} ${name}`);
  }
  const file = path.join(os.tmpdir(), `carrierflag-screenshots-hosts-${process.pid}`);
  await writeFile(file, `${hosts.join('\n')}\n`);
  execFileSync('mount', ['--bind', file, '/etc/hosts']);
}

async function shootLocale(
  browserName: BrowserName,
  locale: (typeof LOCALES)[number],
  doh: { url: string; spkiHash: string },
  urlFor: (host: string, path?: string) => string,
): Promise<void> {
  const dir = path.join(OUT_DIR, browserName);
  await mkdir(dir, { recursive: true });
  const browser = await launch(browserName, {
    dohSpkiHash: doh.spkiHash,
    ...(IN_NAMESPACE
      ? {
          siteAddresses: Object.fromEntries(
            Object.entries(SITES).map(([name, site]) => [name, site.address]),
          ),
        }
      : {}),
    // English is the browsers' default here; zh_CN is asked for.
    ...(locale === 'en' ? {} : { locale }),
  });
  const { session } = browser;
  try {
    const api = <A, R>(fn: (ext: ApiLike, arg: A) => R | Promise<R>, arg: A) =>
      session.api.evaluateExpression(
        callExpression(fn as never, 'globalThis.browser ?? globalThis.chrome', arg),
      ) as Promise<R>;
    // Automatic updates off: nothing here reaches the internet, and an update attempt that fails
    // would change what the popup says between runs.
    const settings = defaultSettings();
    await saveSettings(api, {
      ...settings,
      resolver: { kind: 'custom', url: doh.url },
      dataUpdate: { ...settings.dataUpdate, automatic: false },
    });

    for (const popup of POPUPS) {
      if (!(popup.locales as readonly string[]).includes(locale)) continue;
      const tab = await session.openTab(urlFor(popup.host, popup.path));
      // The toolbar title names the host once the verdict is in (a clean site's badge stays empty).
      await waitUntil(
        async () =>
          (await api((ext, id) => ext.action.getTitle({ tabId: id }), tab.id)).includes(popup.host),
        { what: `the verdict for ${popup.host}`, timeoutMs: WAIT_MS },
      );
      for (const scheme of SCHEMES) {
        const page = await browser.newPage(scheme);
        await page.setViewport(POPUP_MAX);
        await page.goto(`${session.extensionBase}popup.html?tab=${tab.id}`);
        await page.waitFor(() => {
          const verdict = document.querySelector('[data-testid="verdict"]')?.textContent ?? '';
          // Every listed host judged (none still "…"), so the shot is the page's final state.
          return verdict.trim() !== '' && document.querySelector('.page-host-checking') === null;
        });
        await sizeLikeAPopup(page);
        await shoot(page, path.join(dir, `${popup.shot}-${locale}-${scheme}.png`));
        await page.close();
      }
    }

    // The warning page a flagged site is sent to when "warn" is on (opened as a redirect lands).
    // Chromium only: puppeteer's Firefox driver does not report an extension page with a fragment
    // as loaded.
    if (browserName === 'chromium') await shootWarning();
    async function shootWarning(): Promise<void> {
      await saveSettings(api, {
        ...settings,
        resolver: { kind: 'custom', url: doh.url },
        dataUpdate: { ...settings.dataUpdate, automatic: false },
        onFlagged: 'warn',
      });
      for (const scheme of SCHEMES) {
        const page = await browser.newPage(scheme);
        await page.setViewport(WARNING_VIEWPORT);
        await page.goto(`${session.extensionBase}warning.html#${urlFor('news-portal.test', '/')}`);
        await page.waitFor(() => document.querySelector('[data-testid="warning"]') !== null);
        await shoot(page, path.join(dir, `warning-${locale}-${scheme}.png`));
        await page.close();
      }
    }

    // The settings as a new user sees them: the default resolver, not the test server.
    await saveSettings(api, {
      ...settings,
      dataUpdate: { ...settings.dataUpdate, automatic: false },
    });
    for (const scheme of SCHEMES) {
      const page = await browser.newPage(scheme);
      await page.setViewport(SETTINGS_VIEWPORT);
      await page.goto(`${session.extensionBase}options.html`);
      // Loaded once the worker's settings are shown: a form control exists.
      await page.waitFor(() => document.querySelectorAll('input, select').length > 0);
      await shoot(page, path.join(dir, `settings-${locale}-${scheme}.png`));
      await page.close();
    }
  } finally {
    await session.close();
  }
}

async function launch(
  browserName: BrowserName,
  options: { dohSpkiHash: string; siteAddresses?: Record<string, string>; locale?: string },
): Promise<ShotBrowser> {
  if (browserName === 'chromium') {
    const session = await launchChromium({
      ...options,
      extensionPath: path.join(ROOT, '.output/chrome-mv3'),
    });
    return { session, newPage: (scheme) => chromiumPage(session.context, scheme) };
  }
  const session = await launchFirefox({
    ...options,
    extensionPath: path.join(ROOT, '.output/firefox-mv3'),
  });
  return {
    session,
    async newPage(scheme) {
      // Firefox's colour scheme is a browser-wide preference: set it for the next page.
      await session.emulateColorScheme(scheme);
      return firefoxPage(await session.browser.newPage());
    },
  };
}

async function chromiumPage(context: BrowserContext, scheme: ColorScheme): Promise<ShotPage> {
  const page: Page = await context.newPage();
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
  return {
    goto: async (url) => {
      await page.goto(url);
    },
    waitFor: async (fn) => {
      await page.waitForFunction(fn, undefined, { timeout: WAIT_MS });
    },
    evaluate: (fn) => page.evaluate(fn),
    setViewport: (size) => page.setViewportSize(size),
    screenshot: async (file) => {
      await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    },
    close: () => page.close(),
  };
}

function firefoxPage(page: PuppeteerPage): ShotPage {
  return {
    goto: async (url) => {
      // An extension page's navigation may never report "load" over BiDi (firefox-session.ts does
      // the same): start it, then wait for the document itself.
      void page.goto(url).catch(() => undefined);
      await page.waitForFunction(
        (wanted: string) => location.href === wanted && document.readyState === 'complete',
        { timeout: WAIT_MS },
        url,
      );
    },
    waitFor: async (fn) => {
      await page.waitForFunction(fn, { timeout: WAIT_MS });
    },
    evaluate: (fn) => page.evaluate(fn),
    setViewport: (size) => page.setViewport(size),
    screenshot: async (file) => {
      await page.screenshot({ path: file as `${string}.png` });
    },
    close: () => page.close(),
  };
}

/** The few extension APIs used here, as both browsers have them (promise-returning). */
interface ApiLike {
  action: { getTitle(details: { tabId: number }): Promise<string> };
  runtime: { sendMessage(message: unknown): Promise<unknown> };
}

async function saveSettings(
  api: <A, R>(fn: (ext: ApiLike, arg: A) => R | Promise<R>, arg: A) => Promise<R>,
  settings: Settings,
): Promise<void> {
  for (const message of [
    { type: 'save-settings', settings },
    { type: 'save-data-update-settings', dataUpdate: settings.dataUpdate },
  ]) {
    const result = await api((ext, value) => ext.runtime.sendMessage(value), message);
    if (!(result as { ok?: boolean } | undefined)?.ok) {
      throw new Error(`the worker refused the settings: ${JSON.stringify(result)}`);
    }
  }
}

/**
 * Chromium gives a popup its document's preferred size: the content's max-content width and its
 * height, each at most 800 × 600 (Firefox's limits are the same). Measured here the same way,
 * then the page is resized to it.
 */
async function sizeLikeAPopup(page: ShotPage): Promise<void> {
  const width = await page.evaluate(() => {
    const root = document.documentElement;
    const before = root.style.width;
    root.style.width = 'max-content';
    const measured = Math.ceil(root.getBoundingClientRect().width);
    root.style.width = before;
    return measured;
  });
  // At a height of 1 px the document's scroll height is its content's height, not the viewport's.
  await page.setViewport({ width: clamp(width, POPUP_MAX.width), height: 1 });
  const height = await page.evaluate(() => Math.ceil(document.documentElement.scrollHeight));
  await page.setViewport({
    width: clamp(width, POPUP_MAX.width),
    height: clamp(height, POPUP_MAX.height),
  });
}

function clamp(value: number, max: number): number {
  return Math.max(1, Math.min(max, value));
}

async function shoot(page: ShotPage, file: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => true));
  await page.screenshot(file);
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

await main();
