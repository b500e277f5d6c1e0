// Launching the bench's Chromiums on the bare driver (cdp.ts): with CarrierFlag, with the floor
// extension, or with none; the extension's readiness, its resolver setting and a tab's id, all
// through extension pages that run none of our code.
import { BareChromium, extensionIdOf, WorkerControl, type CdpPage } from './cdp';
import { sendFrom, type Evaluator } from './measure';
import type { ChromeApi } from './browser';
import { browserArgs, type TestNetwork } from './network';

const READY_TIMEOUT_MS = 15_000;

export interface BareLaunch {
  browser: BareChromium;
  /** Set when an extension was loaded. */
  extensionId?: string;
  control?: WorkerControl;
  /** Spawn → the extension's worker reports `carrierflagReady` (CarrierFlag only), ms. */
  launchToReadyMs: number;
}

export interface BareLaunchOptions {
  userDataDir: string;
  network: TestNetwork;
  spkiHash: string;
  extensionPath?: string;
  /** Await the worker's `carrierflagReady` (CarrierFlag's start-up: table loaded). */
  waitReady?: boolean;
}

export async function launchBare(options: BareLaunchOptions): Promise<BareLaunch> {
  const started = performance.now();
  const browser = await BareChromium.launch({
    userDataDir: options.userDataDir,
    args: browserArgs(options.network, options.spkiHash, options.extensionPath),
  });
  try {
    if (options.extensionPath === undefined) {
      return { browser, launchToReadyMs: performance.now() - started };
    }
    const extensionId = await extensionIdOf(browser, READY_TIMEOUT_MS);
    const control = new WorkerControl(browser, extensionId);
    if (options.waitReady) {
      await control.inWorker((_, session) =>
        session.evaluateExpression(
          '(async () => { await globalThis.carrierflagReady; return true; })()',
        ),
      );
    }
    return { browser, extensionId, control, launchToReadyMs: performance.now() - started };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** An extension page that runs none of the extension's code: its packaged manifest.json. */
export async function openApiPage(browser: BareChromium, extensionId: string): Promise<CdpPage> {
  const page = await browser.newPage();
  await page.navigate(`chrome-extension://${extensionId}/manifest.json`, READY_TIMEOUT_MS);
  return page;
}

/** Sets the custom resolver through the worker's settings messages, from its options page. */
export async function useResolverBare(
  browser: BareChromium,
  extensionId: string,
  url: string,
): Promise<void> {
  const options = await browser.newPage();
  try {
    await options.navigate(`chrome-extension://${extensionId}/options.html`, READY_TIMEOUT_MS);
    const current = await sendFrom<{ settings: Record<string, unknown> }>(options, {
      type: 'get-settings',
    });
    const settings = { ...current.settings, resolver: { kind: 'custom', url } };
    const result = await sendFrom<{ ok: boolean; reason?: string }>(options, {
      type: 'save-settings',
      settings,
    });
    if (!result.ok) throw new Error(`the worker refused ${url}: ${result.reason ?? 'no reason'}`);
  } finally {
    await options.close();
  }
}

/** The id of the one tab showing `url`, read from an extension page. */
export async function tabIdShowing(apiPage: Evaluator, url: string): Promise<number> {
  const ids = await apiPage.evaluate(async (target: string) => {
    const { chrome } = globalThis as unknown as { chrome: ChromeApi };
    const tabs = await chrome.tabs.query({});
    return tabs.flatMap((tab) => (tab.url === target && tab.id !== undefined ? [tab.id] : []));
  }, url);
  if (ids.length !== 1 || ids[0] === undefined) {
    throw new Error(`expected one tab showing ${url}, found ${ids.length}`);
  }
  return ids[0];
}
