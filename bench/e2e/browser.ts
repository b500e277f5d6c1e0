// Chromium with the built extension, driven through Playwright the way tests/e2e/fixtures.ts drives
// it (same flags), for the data-update section; the badge and page-hosts sections use the bare
// DevTools driver (cdp.ts, bare.ts). Also the shared types: ChromeApi, WorkerSend.
//
// fixtures.ts is Playwright-test-specific, so the launch logic is replicated here rather than
// imported; keep the flags in step with it.
import {
  chromium,
  type BrowserContext,
  type CDPSession,
  type Page,
  type Worker,
} from '@playwright/test';
import { delay } from '../../tests/e2e/support/ports';
import { CHROMIUM, chromiumArgs } from '../../tests/e2e/support/chromium';

const READY_TIMEOUT_MS = 15_000;
/** A ceiling (the e2e tests allow 15 s too): one bench run on a busy machine once needed over 5 s. */
const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 10;
/** closeTarget normally takes tens of ms; a target still listed after this gets the fallback. */
const FALLBACK_AFTER_MS = 3_000;

/** The few chrome.* calls made inside an extension page (no global `chrome` type in this repo). */
export interface ChromeApi {
  tabs: {
    query(query: object): Promise<{ id?: number; url?: string }[]>;
    update(tabId: number, props: { url: string }): Promise<unknown>;
    get(tabId: number): Promise<{ url?: string; status?: string }>;
  };
  action: { getBadgeText(details: { tabId: number }): Promise<string> };
  storage: { session: { get(key: string): Promise<Record<string, unknown>> } };
  webNavigation: {
    onCommitted: NavigationEvent;
  };
}

interface NavigationEvent {
  addListener(listener: (details: { tabId: number; frameId: number; url: string }) => void): void;
  removeListener(
    listener: (details: { tabId: number; frameId: number; url: string }) => void,
  ): void;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  /** Launch start → `carrierflagReady` resolved in the worker, in ms (Node clock). */
  launchToReadyMs: number;
}

/** Launches headless Chromium with the extension and waits until the worker's start-up is done. */
export async function launch(
  userDataDir: string,
  extensionPath: string,
  spkiHash: string,
): Promise<LaunchedBrowser> {
  const started = performance.now();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(extensionPath, spkiHash),
    // The bench's own signal handler closes the browser, then stops the servers.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  try {
    const worker =
      context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith('chrome-extension://'),
        timeout: READY_TIMEOUT_MS,
      }));
    await withTimeout(
      worker.evaluate(async () => {
        await (globalThis as { carrierflagReady?: Promise<unknown> }).carrierflagReady;
      }),
      READY_TIMEOUT_MS,
      'service worker not ready',
    );
    const launchToReadyMs = performance.now() - started;
    return { context, worker, extensionId: new URL(worker.url()).host, launchToReadyMs };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

/** Sends one message to the worker from the extension page `page`; resolves with its reply. */
export function sendFrom<T>(page: Page, message: object): Promise<T> {
  return page.evaluate(async (m) => {
    const { chrome } = globalThis as unknown as {
      chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
    };
    return chrome.runtime.sendMessage(m);
  }, message) as Promise<T>;
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * CDP access from an extension page that runs none of our code (the packaged manifest.json), so
 * listing, stopping or inspecting the worker never wakes it.
 */
export class WorkerControl {
  private constructor(
    private readonly session: CDPSession,
    private readonly extensionId: string,
  ) {}

  static async open(context: BrowserContext, apiPage: Page, extensionId: string) {
    return new WorkerControl(await context.newCDPSession(apiPage), extensionId);
  }

  /** Target ids of our extension's running service worker(s). */
  async targets(): Promise<string[]> {
    const { targetInfos } = await this.session.send('Target.getTargets');
    return targetInfos
      .filter(
        (t) =>
          t.type === 'service_worker' &&
          t.url.startsWith(`chrome-extension://${this.extensionId}/`),
      )
      .map((t) => t.targetId);
  }

  async isRunning(): Promise<boolean> {
    return (await this.targets()).length > 0;
  }

  /** Stops that needed the ServiceWorker-domain fallback (see stop()). */
  fallbackStops = 0;

  /**
   * Stops the worker for real, as fixtures.ts does (Target.closeTarget), and waits until its target
   * is gone. Returns how long that took.
   *
   * In 3 of 4 full bench runs the first cold stop after the warm section never took: closeTarget
   * answered success but the target stayed for the whole 15 s. If the target is still there after
   * FALLBACK_AFTER_MS, the stop is repeated the way DevTools' "Stop" does it,
   * ServiceWorker.stopAllWorkers from this page's session (the tests found it unreliable on its
   * own, so it is the second attempt, not the first). Either way the stop is only counted once
   * the target is gone; main.ts checks that the next navigation started a fresh worker.
   */
  async stop(): Promise<number> {
    const t0 = performance.now();
    for (const targetId of await this.targets()) {
      await this.session.send('Target.closeTarget', { targetId });
    }
    const deadline = t0 + STOP_TIMEOUT_MS;
    let fellBack = false;
    while (await this.isRunning()) {
      const now = performance.now();
      if (now > deadline) {
        throw new Error(`the service worker did not stop in ${STOP_TIMEOUT_MS / 1000} s`);
      }
      if (!fellBack && now - t0 > FALLBACK_AFTER_MS) {
        fellBack = true;
        this.fallbackStops++;
        console.error(
          `e2e bench: the worker's target outlived Target.closeTarget by ${FALLBACK_AFTER_MS} ms; ` +
            'stopping it with ServiceWorker.stopAllWorkers',
        );
        await this.session.send('ServiceWorker.enable');
        await this.session.send('ServiceWorker.stopAllWorkers');
        await this.session.send('ServiceWorker.disable');
      }
      await delay(POLL_MS);
    }
    return performance.now() - t0;
  }

  /**
   * Runs CDP commands inside the worker. Non-flattened attach (Target.sendMessageToTarget) because
   * Playwright's CDPSession cannot address a child session, and a persistent context has no
   * browser-level session.
   */
  async inWorker<T>(run: (send: WorkerSend) => Promise<T>): Promise<T> {
    const [targetId] = await this.targets();
    if (!targetId) throw new Error('no running service worker to attach to');
    const { sessionId } = await this.session.send('Target.attachToTarget', {
      targetId,
      flatten: false,
    });
    let nextId = 1;
    const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
    const onMessage = (event: { sessionId?: string; message: string }) => {
      if (event.sessionId !== sessionId) return;
      const reply = JSON.parse(event.message) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      const waiter = reply.id === undefined ? undefined : pending.get(reply.id);
      if (!waiter || reply.id === undefined) return;
      pending.delete(reply.id);
      if (reply.error) waiter.reject(new Error(reply.error.message));
      else waiter.resolve(reply.result);
    };
    this.session.on('Target.receivedMessageFromTarget', onMessage);
    const send: WorkerSend = async (method, params) => {
      const id = nextId++;
      const reply = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      await this.session.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params: params ?? {} }),
      });
      return (await withTimeout(reply, 10_000, `worker CDP ${method}`)) as never;
    };
    try {
      return await run(send);
    } finally {
      this.session.off('Target.receivedMessageFromTarget', onMessage);
      // Awaited and reported, not ignored: a DevTools session left attached is suspected of
      // keeping the worker alive through the next stop (see stop()).
      await this.session
        .send('Target.detachFromTarget', { sessionId })
        .catch((error: unknown) =>
          console.error(`e2e bench: detaching from the worker: ${String(error)}`),
        );
    }
  }

  async close(): Promise<void> {
    await this.session.detach().catch(() => undefined);
  }
}

export type WorkerSend = <T = Record<string, unknown>>(
  method: string,
  params?: Record<string, unknown>,
) => Promise<T>;
