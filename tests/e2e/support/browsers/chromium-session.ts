/**
 * Debian's Chromium with the built extension, driven by Playwright (launchPersistentContext: an
 * unpacked extension needs a persistent profile). The MV3 service worker is reached through
 * Playwright's Worker handle; it is stopped for real with CDP Target.closeTarget.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, chromiumArgs } from '../chromium';
import { waitUntil } from '../wait';
import {
  callExpression,
  type ColorScheme,
  type DriverPage,
  type ExtensionSession,
  type LaunchOptions,
  type SiteTab,
} from './types';
import { findTabId } from './tab-id';
import { waitForFirstRunPage } from './first-run';

const READY_TIMEOUT_MS = 60_000;

function driverPage(page: Page): DriverPage {
  return {
    evaluate: (fn, arg) => page.evaluate(fn as (a: unknown) => unknown, arg) as never,
    evaluateExpression: (expression) => page.evaluate(expression),
    pressKey: (key) => page.keyboard.press(key),
    reload: async () => {
      await page.reload({ waitUntil: 'load' });
    },
    close: () => page.close(),
  };
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

/** `zh_CN` → `zh-CN`: Chromium's name for a language. */
function chromiumLanguage(locale: string): string {
  return locale.replace('_', '-');
}

/**
 * Launches Chromium with the extension and waits until its worker is ready. `context` is
 * Playwright's own, for scripts that need more than the shared session API (the screenshots).
 */
export async function launchChromium(
  options: LaunchOptions,
): Promise<ExtensionSession & { context: BrowserContext }> {
  if (!existsSync(path.join(options.extensionPath, 'manifest.json'))) {
    throw new Error(`No built extension at ${options.extensionPath}: run \`npm run build\` first.`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run \`bash scripts/setup-test-env.sh\` first.`);
  }
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'carrierflag-chromium-'));
  const started = Date.now();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: options.executablePath ?? CHROMIUM,
    headless: true,
    // The UI language: --lang, and LANGUAGE, which Chromium on Linux reads first (both needed here;
    // the language's .pak comes from Debian's chromium-l10n).
    ...(options.locale
      ? { env: { ...process.env, LANGUAGE: chromiumLanguage(options.locale) } }
      : {}),
    args: [
      ...chromiumArgs(options.extensionPath, options.dohSpkiHash, options.siteAddresses),
      ...(options.locale ? [`--lang=${chromiumLanguage(options.locale)}`] : []),
      // Loopback (the DoH server) is never proxied unless <-loopback> is given: it stays direct.
      ...(options.proxy
        ? [`--proxy-server=http://${options.proxy.host}:${options.proxy.port}`]
        : []),
      ...(options.extraArgs ?? []),
    ],
  });
  const isOurs = (url: string) => url.startsWith('chrome-extension://');
  const worker =
    context.serviceWorkers().find((w) => isOurs(w.url())) ??
    (await context.waitForEvent('serviceworker', {
      predicate: (w) => isOurs(w.url()),
      timeout: READY_TIMEOUT_MS,
    }));
  const extensionId = new URL(worker.url()).host;
  const extensionBase = `chrome-extension://${extensionId}/`;

  // Playwright keeps one Worker object; after a restart it answers again once the worker runs.
  const waitForBackgroundReady = () =>
    worker.evaluate(async () => {
      await (globalThis as { carrierflagReady?: Promise<unknown> }).carrierflagReady;
    });
  // Navigating before start-up is done lost main-frame webRequest events in 2 of 24 runs
  // (toolchain notes): every test waits for this signal first.
  await waitForBackgroundReady();
  const launchMs = Date.now() - started;
  // The extension opens its first-run page at install: wait for it here, so it never opens in
  // the middle of a test (the first test's closeOtherTabs closes it).
  const firstRunPage = await waitForFirstRunPage(
    async () => context.pages().map((page) => page.url()),
    extensionBase,
    started,
  );

  const apiTab = await context.newPage();
  await apiTab.goto(`${extensionBase}manifest.json`);
  const api = driverPage(apiTab);

  const tabOf = async (page: Page): Promise<SiteTab> => {
    const id = await findTabId(api, page.url());
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
        await page.getByRole('link', { name: text, exact: true }).click({ noWaitAfter: true });
      },
      title: () => page.title(),
      url: async () => page.url(),
      close: () => page.close(),
    };
  };

  const isBackgroundRunning = async () =>
    (await serviceWorkerTargets(context, apiTab, extensionId)).length > 0;

  // CDP Target.closeTarget on the worker's target really terminates it, whatever the worker is
  // doing: module state is gone when it restarts. ServiceWorker.stopAllWorkers needs the domain
  // enabled and did not stop it reliably.
  const stopBackground = async (stopOptions?: { timeoutMs?: number }) => {
    const targets = await serviceWorkerTargets(context, apiTab, extensionId);
    const session = await context.newCDPSession(apiTab);
    try {
      for (const target of targets) {
        await session.send('Target.closeTarget', { targetId: target.targetId });
      }
    } finally {
      await session.detach().catch(() => undefined);
    }
    await waitUntil(async () => !(await isBackgroundRunning()), {
      timeoutMs: stopOptions?.timeoutMs ?? 15_000,
      what: 'the service worker to stop',
    });
  };

  // Playwright sets the colour scheme per page (the context's own is fixed at launch): pages opened
  // later get the current one before they load.
  let colorScheme: ColorScheme = null;
  const newPage = async () => {
    const page = await context.newPage();
    if (colorScheme !== null) await page.emulateMedia({ colorScheme });
    return page;
  };

  return {
    kind: 'chromium',
    context,
    extensionBase,
    launchMs,
    firstRunPage,
    api,
    async openTab(url) {
      const page = await newPage();
      await page.goto(url);
      return tabOf(page);
    },
    async openExtensionPage(pathAndQuery) {
      const page = await newPage();
      await page.goto(`${extensionBase}${pathAndQuery}`);
      return driverPage(page);
    },
    async closeOtherTabs() {
      for (const page of context.pages()) if (page !== apiTab) await page.close();
    },
    async emulateColorScheme(scheme) {
      colorScheme = scheme;
      for (const page of context.pages()) await page.emulateMedia({ colorScheme: scheme });
    },
    acceptPermissionPrompt() {
      // Chromium grants the manifest's host permissions at install; its prompt is not reachable
      // from Playwright.
      return Promise.reject(new Error('Chromium: no permission prompt to accept from automation'));
    },
    waitForBackgroundReady,
    evaluateInBackground: async (fn, arg) =>
      (await worker.evaluate(callExpression(fn, 'globalThis', arg))) as never,
    isBackgroundRunning,
    stopBackground,
    terminateBackground: stopBackground,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
