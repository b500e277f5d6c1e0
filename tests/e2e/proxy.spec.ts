/**
 * Behind a proxy (issue 11): Chromium is started with --proxy-server pointing at a local forward
 * proxy on 127.0.0.2, so every page's connected address (details.ip) is the proxy's. The popup must
 * name the proxy apart from the site's addresses, judge the site by DoH alone, and in privacy mode
 * say the site could not be checked. Chromium does not say a request was proxied, so the
 * extension recognises the proxy by the repeated-address pattern: three unrelated sites reached
 * at one address that none of their DoH answers contains.
 *
 * Self-contained (own browser launch, own servers) so it can be ported to both browsers.
 */
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, chromiumArgs } from './support/chromium';
import { startUnboundDoh, type DohRecord, type UnboundDoh } from './support/doh-server';
import { startForwardProxy, type ForwardProxy } from './support/forward-proxy';
import { delay } from './support/ports';
import { startWebServer, type WebServer } from './support/web-server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTENSION = path.join(ROOT, '.output/chrome-mv3');
const PROXY_HOST = '127.0.0.2';

/** Addresses from the bundled routing data. */
const CHINA_TELECOM = '1.48.0.1'; // AS4134 Chinanet
const CLOUDFLARE = '1.1.1.1'; // AS13335

const RECORDS: readonly DohRecord[] = [
  { name: 'telecom.test', type: 'A', value: CHINA_TELECOM },
  { name: 'cloudflare.test', type: 'A', value: CLOUDFLARE },
  { name: 'one.test', type: 'A', value: CLOUDFLARE },
  { name: 'two.test', type: 'A', value: CLOUDFLARE },
  { name: 'three.test', type: 'A', value: CLOUDFLARE },
];

interface ChromeApi {
  tabs: { query(query: object): Promise<{ id?: number; url?: string }[]> };
  action: { getBadgeText(details: { tabId: number }): Promise<string> };
}

let doh: UnboundDoh;
let web: WebServer;
let proxy: ForwardProxy;

test.beforeAll(async () => {
  doh = await startUnboundDoh({ records: RECORDS });
  web = await startWebServer();
  // With a proxy the browser leaves name resolution to the proxy: map the made-up sites here.
  proxy = await startForwardProxy({
    resolve: (name) => (name.endsWith('.test') ? '127.0.0.1' : name),
  });
});

test.afterAll(async () => {
  await Promise.all([doh?.stop(), web?.stop(), proxy?.stop()]);
});

/** Chromium with the extension, every request through the forward proxy. */
async function launch(): Promise<{
  context: BrowserContext;
  extensionId: string;
  close(): Promise<void>;
}> {
  if (!existsSync(path.join(EXTENSION, 'manifest.json'))) {
    throw new Error(`No built extension at ${EXTENSION}: run \`npm run build\` first.`);
  }
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'carrierflag-proxy-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...chromiumArgs(EXTENSION, doh.spkiHash), `--proxy-server=${proxy.url}`],
  });
  const worker =
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', {
      predicate: (w) => w.url().startsWith('chrome-extension://'),
    }));
  await worker.evaluate(async () => {
    await (globalThis as { carrierflagReady?: Promise<unknown> }).carrierflagReady;
  });
  return {
    context,
    extensionId: new URL(worker.url()).host,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Sets options the way a user does: the custom resolver, or privacy mode. */
async function openOptions(context: BrowserContext, extensionId: string): Promise<Page> {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  return options;
}

async function useResolver(context: BrowserContext, extensionId: string, url: string) {
  const options = await openOptions(context, extensionId);
  const form = options.locator('form', { has: options.getByLabel('Custom resolver URL') });
  await form.getByLabel('Custom resolver URL').fill(url);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(options.getByTestId('notice')).toContainText('Resolver:');
  await options.close();
}

/** Opens `host` in a new tab; returns the tab id once the badge is no longer "checking". */
async function visit(context: BrowserContext, extensionId: string, apiPage: Page, host: string) {
  const page = await context.newPage();
  await page.goto(web.urlFor(host));
  const url = page.url();
  let tabId: number | undefined;
  const deadline = Date.now() + 5000;
  while (tabId === undefined) {
    const ids = await apiPage.evaluate(async (target) => {
      const { chrome } = globalThis as unknown as { chrome: ChromeApi };
      return (await chrome.tabs.query({})).flatMap((t) =>
        t.url === target && t.id !== undefined ? [t.id] : [],
      );
    }, url);
    if (ids.length === 1) tabId = ids[0];
    else if (Date.now() > deadline) throw new Error(`no single tab shows ${url}`);
    else await delay(50);
  }
  return { page, tabId: tabId!, popup: () => openPopup(context, extensionId, tabId!) };
}

async function openPopup(context: BrowserContext, extensionId: string, tabId: number) {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
  return popup;
}

async function badgeText(apiPage: Page, tabId: number): Promise<string> {
  return apiPage.evaluate(async (id) => {
    const { chrome } = globalThis as unknown as { chrome: ChromeApi };
    return chrome.action.getBadgeText({ tabId: id });
  }, tabId);
}

/** The popup's address rows, one line of text each, once the verdict is in. */
async function rows(popup: Page): Promise<string[]> {
  await expect(popup.getByTestId('verdict')).not.toHaveText(/Checking/);
  return (await popup.getByTestId('address-row').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' '),
  );
}

test('behind a proxy: the proxy is named apart, verdicts come from DoH, privacy mode cannot check', async () => {
  // One browser for the whole story (the pattern needs three sites): longer than the default.
  test.setTimeout(120_000);
  const browser = await launch();
  try {
    const { context, extensionId } = browser;
    const apiPage = await context.newPage();
    await apiPage.goto(`chrome-extension://${extensionId}/manifest.json`);
    await useResolver(context, extensionId, doh.url);
    proxy.clearRequests();

    // Three unrelated sites reached at the proxy's address, none of whose DoH answers has it.
    const first = await visit(context, extensionId, apiPage, 'one.test');
    await visit(context, extensionId, apiPage, 'two.test');
    const telecom = await visit(context, extensionId, apiPage, 'telecom.test');
    expect(proxy.requests().map((r) => r.target)).toEqual(
      expect.arrayContaining([`telecom.test:${web.port}`, `one.test:${web.port}`]),
    );

    // The carrier site is flagged from its DoH answer; the proxy is a separate fact.
    await expect.poll(() => badgeText(apiPage, telecom.tabId)).toBe('CT');
    const telecomPopup = await telecom.popup();
    await expect(telecomPopup.getByTestId('verdict')).toHaveText(
      'Flagged: hosted on China Telecom',
    );
    await expect(telecomPopup.getByTestId('proxy')).toContainText(
      `Through a proxy: ${PROXY_HOST} (local address`,
    );
    const telecomRows = await rows(telecomPopup);
    expect(telecomRows).toHaveLength(1);
    expect(telecomRows[0]).toContain(CHINA_TELECOM);
    expect(telecomRows[0]).toContain('DNS-over-HTTPS');
    expect(telecomRows.join(' ')).not.toContain(PROXY_HOST);

    // A clean site is clean, with the proxy named apart again.
    const clean = await visit(context, extensionId, apiPage, 'cloudflare.test');
    const cleanPopup = await clean.popup();
    await expect(cleanPopup.getByTestId('verdict')).toHaveText('Not on a watched network');
    await expect(cleanPopup.getByTestId('proxy')).toContainText(`Through a proxy: ${PROXY_HOST}`);
    expect((await rows(cleanPopup)).join(' ')).not.toContain(PROXY_HOST);
    expect(await badgeText(apiPage, clean.tabId)).toBe('');

    // The first tab, judged before the proxy was recognised, is judged again.
    const firstPopup = await first.popup();
    await expect(firstPopup.getByTestId('proxy')).toContainText(`Through a proxy: ${PROXY_HOST}`);
    expect((await rows(firstPopup)).join(' ')).not.toContain(PROXY_HOST);

    // Privacy mode: no DoH, and the only address seen is the proxy's: the site cannot be checked.
    const options = await openOptions(context, extensionId);
    await options.getByLabel(/Privacy mode/).check();
    await expect(options.getByTestId('notice')).toHaveText('Privacy mode on: no DNS queries.');
    await options.close();
    const privately = await visit(context, extensionId, apiPage, 'three.test');
    await expect.poll(() => badgeText(apiPage, privately.tabId)).toBe('?');
    const privatePopup = await privately.popup();
    await expect(privatePopup.getByTestId('verdict')).toHaveText(
      `Could not be checked: the connection went through a proxy (${PROXY_HOST}), so the site's own address was not seen`,
    );
    await expect(privatePopup.getByTestId('proxy')).toContainText(`Through a proxy: ${PROXY_HOST}`);

    // The DoH resolver (https on 127.0.0.1) is loopback, which Chromium never sends through a
    // proxy unless told to (<-loopback>): the worker's queries went straight to unbound.
    expect(proxy.requests().some((r) => r.target === `127.0.0.1:${doh.port}`)).toBe(false);
    expect((await doh.queries()).map((q) => q.name)).toContain('telecom.test');
  } finally {
    await browser.close();
  }
});
