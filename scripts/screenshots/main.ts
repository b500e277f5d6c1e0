/**
 * The README's screenshots, from the real built extension (.output/chrome-mv3) in Debian's
 * Chromium, with the e2e tests' servers: unbound as the DoH resolver and the local web server for
 * the sites. Bundled and run by scripts/screenshots.mjs (`npm run screenshots`).
 *
 * Three sites, one per thing the popup shows:
 *   flagged    news-portal.test → a China Telecom address (AS4134) and one of its IPv6 addresses
 *   clean      example-shop.test → 1.1.1.1 (Cloudflare)
 *   unchecked  status.fail.test, whose zone answers SERVFAIL: the `?` badge
 * Each popup is its page `popup.html?tab=N` in a tab sized the way Chromium sizes a popup (its
 * content's width and height, at most 800 × 600), then the settings page; each in light and dark
 * (prefers-color-scheme emulated). Files: docs/screenshots/<popup-flagged|popup-clean|
 * popup-unchecked|settings>-<light|dark>.png, overwritten on every run.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { defaultSettings, type Settings } from '../../lib/settings';
import { launchChromium } from '../../tests/e2e/support/browsers/chromium-session';
import { callExpression, type ExtensionSession } from '../../tests/e2e/support/browsers/types';
import { startUnboundDoh, type DohRecord } from '../../tests/e2e/support/doh-server';
import { waitUntil } from '../../tests/e2e/support/wait';
import { startWebServer } from '../../tests/e2e/support/web-server';

const ROOT = process.cwd();
const OUT_DIR = path.join(ROOT, 'docs/screenshots');
const EXTENSION = path.join(ROOT, '.output/chrome-mv3');

/** Chromium's largest popup (chrome/browser/ui/views/extensions/extension_popup.cc). */
const POPUP_MAX = { width: 800, height: 600 };
const SETTINGS_VIEWPORT = { width: 960, height: 1000 };
/** A page of ours is "ready" when this shows: the same signals the e2e fixtures wait for. */
const POPUP_READY = '[data-testid="verdict"]';
const WAIT_MS = 30_000;
/** Fixed, so the `?` popup's error text (which names the resolver) is the same on every run. */
const DOH_PORT = 48453;

const SITES = [
  { shot: 'popup-flagged', host: 'news-portal.test' },
  { shot: 'popup-clean', host: 'example-shop.test' },
  { shot: 'popup-unchecked', host: 'status.fail.test' },
] as const;

const RECORDS: DohRecord[] = [
  { name: 'news-portal.test', type: 'A', value: '202.96.128.86' }, // AS4134 Chinanet
  { name: 'news-portal.test', type: 'AAAA', value: '2400:9380:8000::1' }, // AS4134 Chinanet
  { name: 'example-shop.test', type: 'A', value: '1.1.1.1' }, // AS13335 Cloudflare
];

const SCHEMES = ['light', 'dark'] as const;

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const doh = await startUnboundDoh({
    records: RECORDS,
    servfailZones: ['fail.test'],
    port: DOH_PORT,
  });
  const web = await startWebServer();
  let session: (ExtensionSession & { context: BrowserContext }) | undefined;
  try {
    session = await launchChromium({ extensionPath: EXTENSION, dohSpkiHash: doh.spkiHash });
    const ready = session;
    const api = <A, R>(fn: (ext: ApiLike, arg: A) => R | Promise<R>, arg: A) =>
      ready.api.evaluateExpression(
        callExpression(fn as never, 'globalThis.browser ?? globalThis.chrome', arg),
      ) as Promise<R>;
    await saveSettings(api, { ...defaultSettings(), resolver: { kind: 'custom', url: doh.url } });

    for (const site of SITES) {
      const tab = await ready.openTab(web.urlFor(site.host, '/'));
      // The toolbar title names the host once the verdict is in (the badge of a clean site stays empty).
      await waitUntil(
        async () =>
          (await api((ext, id) => ext.action.getTitle({ tabId: id }), tab.id)).includes(site.host),
        { what: `the verdict for ${site.host}`, timeoutMs: WAIT_MS },
      );
      for (const scheme of SCHEMES) {
        const page = await ready.context.newPage();
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.setViewportSize(POPUP_MAX);
        await page.goto(`${ready.extensionBase}popup.html?tab=${tab.id}`);
        await page.waitForFunction(
          (selector) => (document.querySelector(selector)?.textContent ?? '').trim() !== '',
          POPUP_READY,
          { timeout: WAIT_MS },
        );
        await sizeLikeAPopup(page);
        await shoot(page, `${site.shot}-${scheme}.png`);
        await page.close();
      }
      await tab.close();
    }

    // The settings as a new user sees them: the default resolver, not the test server.
    await saveSettings(api, defaultSettings());
    for (const scheme of SCHEMES) {
      const page = await ready.context.newPage();
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.setViewportSize(SETTINGS_VIEWPORT);
      await page.goto(`${ready.extensionBase}options.html`);
      // Loaded once the worker's settings are shown: a form control exists and nothing says loading.
      await page.waitForFunction(
        () => document.querySelectorAll('input, select').length > 0,
        null,
        {
          timeout: WAIT_MS,
        },
      );
      await shoot(page, `settings-${scheme}.png`);
      await page.close();
    }
  } finally {
    await session?.close();
    await web.stop();
    await doh.stop();
  }
}

/** The few extension APIs used here, as Chromium has them (promise-returning). */
interface ApiLike {
  action: { getTitle(details: { tabId: number }): Promise<string> };
  runtime: { sendMessage(message: unknown): Promise<unknown> };
}

async function saveSettings(
  api: <A, R>(fn: (ext: ApiLike, arg: A) => R | Promise<R>, arg: A) => Promise<R>,
  settings: Settings,
): Promise<void> {
  const result = await api(
    (ext, value) => ext.runtime.sendMessage({ type: 'save-settings', settings: value }),
    settings,
  );
  if (!(result as { ok?: boolean } | undefined)?.ok) {
    throw new Error(`the worker refused the settings: ${JSON.stringify(result)}`);
  }
}

/**
 * Chromium gives a popup its document's preferred size: the content's max-content width and its
 * height, each at most 800 × 600. Measured here the same way, then the tab is resized to it.
 */
async function sizeLikeAPopup(page: Page): Promise<void> {
  const width = await page.evaluate(() => {
    const root = document.documentElement;
    const before = root.style.width;
    root.style.width = 'max-content';
    const measured = Math.ceil(root.getBoundingClientRect().width);
    root.style.width = before;
    return measured;
  });
  // At a height of 1 px the document's scroll height is its content's height, not the viewport's.
  await page.setViewportSize({ width: clamp(width, POPUP_MAX.width), height: 1 });
  const height = await page.evaluate(() => Math.ceil(document.documentElement.scrollHeight));
  await page.setViewportSize({
    width: clamp(width, POPUP_MAX.width),
    height: clamp(height, POPUP_MAX.height),
  });
}

function clamp(value: number, max: number): number {
  return Math.max(1, Math.min(max, value));
}

async function shoot(page: Page, file: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({
    path: path.join(OUT_DIR, file),
    animations: 'disabled',
    caret: 'hide',
  });
  console.log(`wrote docs/screenshots/${file}`);
}

await main();
