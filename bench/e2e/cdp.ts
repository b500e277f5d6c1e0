// A bare DevTools-protocol driver for the e2e bench: Debian's Chromium spawned here with
// --remote-debugging-pipe (fd 3: commands in, fd 4: replies and events out, NUL-separated JSON),
// flattened sessions for the targets it drives. Nothing is enabled that the measurement does not
// need: no Network or Fetch domain on the page or the worker (Playwright enables both, and its
// request instrumentation costs every arm alike, ~140 ms a 200-host page, which flattens ratios).
// The page session enables only Page (for its load event) and Runtime calls are one-off evaluates.
import { spawn, type ChildProcess } from 'node:child_process';
import { CHROMIUM } from '../../tests/e2e/support/chromium';
import { delay } from '../../tests/e2e/support/ports';
import type { WorkerSend } from './browser';

const CLOSE_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 120_000;

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

/** One DevTools connection over the browser's pipe. */
export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private buffer = '';
  private closedWith?: Error;

  constructor(
    private readonly input: NodeJS.WritableStream,
    output: NodeJS.ReadableStream,
  ) {
    output.setEncoding?.('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(text);
      }
    });
    output.on('close', () => this.fail(new Error('the browser closed its DevTools pipe')));
    output.on('error', (error: Error) => this.fail(error));
  }

  private dispatch(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      sessionId?: string;
      result?: unknown;
      error?: { message: string; data?: string };
    };
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) {
        const detail = message.error.data ? ` (${message.error.data})` : '';
        waiter.reject(new Error(`${waiter.method}: ${message.error.message}${detail}`));
      } else waiter.resolve(message.result);
      return;
    }
    if (!message.method) return;
    for (const listener of this.listeners.get(message.method) ?? []) {
      listener(message.params ?? {}, message.sessionId);
    }
  }

  private fail(error: Error): void {
    this.closedWith ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = COMMAND_TIMEOUT_MS,
  ): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    this.input.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return reply;
  }

  /** Calls `listener` for every `method` event; returns the function that stops it. */
  on(method: string, listener: Listener): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The next `method` event for which `accept` holds. */
  waitFor(
    method: string,
    accept: (params: Record<string, unknown>, sessionId: string | undefined) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(method, (params, sessionId) => {
        if (!accept(params, sessionId)) return;
        clearTimeout(timer);
        off();
        resolve(params);
      });
    });
  }
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

/** A flattened session on one target (a page or a service worker). */
export class CdpSession {
  constructor(
    readonly cdp: CdpConnection,
    readonly sessionId: string,
    readonly targetId: string,
  ) {}

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}) {
    return this.cdp.send<T>(method, params, this.sessionId);
  }

  /** `method` events of this session only. */
  on(method: string, listener: (params: Record<string, unknown>) => void): () => void {
    return this.cdp.on(method, (params, sessionId) => {
      if (sessionId === this.sessionId) listener(params);
    });
  }

  /**
   * Runs `fn(arg)` in the target and returns its (awaited) result by value, as Playwright's
   * evaluate does: `fn` is sent as source text, so it may use nothing from its closure.
   */
  async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    return this.evaluateExpression<R>(`(${fn.toString()})(${JSON.stringify(arg)})`);
  }

  async evaluateExpression<R>(expression: string): Promise<R> {
    const reply = await this.send<{
      result: { value?: unknown };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (reply.exceptionDetails) {
      const e = reply.exceptionDetails;
      throw new Error(`evaluate failed: ${e.exception?.description ?? e.text ?? 'exception'}`);
    }
    return reply.result.value as R;
  }

  /** The WorkerSend shape timeline.ts's readers take. */
  get sender(): WorkerSend {
    return <T>(method: string, params?: Record<string, unknown>) =>
      this.send<T>(method, params ?? {}) as Promise<T>;
  }

  async detach(): Promise<void> {
    await this.cdp.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => {});
  }
}

/** A page (tab) target with Page events enabled, for navigations that wait for the load event. */
export class CdpPage extends CdpSession {
  /** Navigates and waits for the load event of the new document; rejects after `timeoutMs`. */
  async navigate(url: string, timeoutMs: number): Promise<void> {
    const loaded = this.cdp.waitFor(
      'Page.loadEventFired',
      (_, sessionId) => sessionId === this.sessionId,
      timeoutMs,
    );
    // Handled now, so a failed navigation does not also leave an unhandled rejection behind.
    loaded.catch(() => undefined);
    const reply = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (reply.errorText) throw new Error(`navigating to ${url}: ${reply.errorText}`);
    await loaded;
  }

  async close(): Promise<void> {
    await this.cdp.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
  }
}

/**
 * The switches Playwright adds to every Chromium it launches (so to every e2e test) that change
 * timing: without them a tab that is not in front, such as the bench's extension pages, has its
 * timers throttled to one a second, and the previous page may be kept in the back-forward cache.
 */
export const PLAYWRIGHT_TIMING_SWITCHES = [
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-back-forward-cache',
  '--disable-ipc-flooding-protection',
  '--disable-hang-monitor',
  '--disable-field-trial-config',
  '--disable-breakpad',
  '--disable-client-side-phishing-detection',
  '--disable-component-extensions-with-background-pages',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
];

export interface LaunchOptions {
  userDataDir: string;
  /** Chromium's flags besides the DevTools pipe, the profile and headless mode. */
  args: readonly string[];
}

/** Headless Chromium with a DevTools pipe. */
export class BareChromium {
  private readonly targetsById = new Map<string, TargetInfo>();
  private stderrTail = '';

  private constructor(
    readonly process: ChildProcess,
    readonly cdp: CdpConnection,
    readonly userDataDir: string,
  ) {
    process.stderr?.setEncoding('utf8');
    process.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    const update = (params: Record<string, unknown>) => {
      const info = params.targetInfo as TargetInfo;
      this.targetsById.set(info.targetId, info);
    };
    cdp.on('Target.targetCreated', update);
    cdp.on('Target.targetInfoChanged', update);
    cdp.on('Target.targetDestroyed', (params) => {
      this.targetsById.delete(params.targetId as string);
    });
  }

  static async launch(options: LaunchOptions): Promise<BareChromium> {
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--remote-debugging-pipe',
        `--user-data-dir=${options.userDataDir}`,
        ...PLAYWRIGHT_TIMING_SWITCHES,
        ...options.args,
        'about:blank',
      ],
      // fd 3: Chromium reads commands; fd 4: it writes replies and events.
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const input = child.stdio[3] as NodeJS.WritableStream;
    const output = child.stdio[4] as NodeJS.ReadableStream;
    const browser = new BareChromium(child, new CdpConnection(input, output), options.userDataDir);
    try {
      await browser.cdp.send('Target.setDiscoverTargets', { discover: true });
      return browser;
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(
        `Chromium did not answer on its DevTools pipe: ${String(error)}\n${browser.stderrTail}`,
      );
    }
  }

  /** Targets as last reported (discovery events keep the list current). */
  targets(): TargetInfo[] {
    return [...this.targetsById.values()];
  }

  /** Waits for a target for which `accept` holds. */
  async waitForTarget(accept: (t: TargetInfo) => boolean, timeoutMs: number): Promise<TargetInfo> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.targets().find(accept);
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no matching target in ${timeoutMs} ms`);
      await delay(10);
    }
  }

  async attach(targetId: string): Promise<CdpSession> {
    const { sessionId } = await this.cdp.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    return new CdpSession(this.cdp, sessionId, targetId);
  }

  /** Opens a new tab on `url`, attached, with Page events enabled. */
  async newPage(url = 'about:blank'): Promise<CdpPage> {
    const { targetId } = await this.cdp.send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await this.cdp.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    const page = new CdpPage(this.cdp, sessionId, targetId);
    await page.send('Page.enable');
    return page;
  }

  /** Browser.close, then SIGKILL if the process is still there after CLOSE_TIMEOUT_MS. */
  async close(): Promise<void> {
    const child = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await this.cdp.send('Browser.close', {}, undefined, 5000).catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The extension's service worker, driven from the browser's own session: listing and stopping it
 * never wakes it, and its CDP sessions are attached only while in use (an attached DevTools
 * session keeps a worker from stopping when idle).
 */
export class WorkerControl {
  constructor(
    private readonly browser: BareChromium,
    readonly extensionId: string,
  ) {}

  async targets(): Promise<string[]> {
    const { targetInfos } = await this.browser.cdp.send<{ targetInfos: TargetInfo[] }>(
      'Target.getTargets',
    );
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

  /** Stops needing the ServiceWorker.stopAllWorkers fallback (see stop()). */
  fallbackStops = 0;

  /**
   * Target.closeTarget on the worker, then waits until its target is gone; falls back once to
   * ServiceWorker.stopAllWorkers (what DevTools' "Stop" does) from `page` if the target outlives
   * closeTarget by 3 s, as the Playwright bench had to. Returns how long the stop took.
   */
  async stop(page: CdpSession): Promise<number> {
    const t0 = performance.now();
    for (const targetId of await this.targets()) {
      await this.browser.cdp.send('Target.closeTarget', { targetId });
    }
    let fellBack = false;
    while (await this.isRunning()) {
      const waited = performance.now() - t0;
      if (waited > 15_000) throw new Error('the service worker did not stop in 15 s');
      if (!fellBack && waited > 3_000) {
        fellBack = true;
        this.fallbackStops++;
        await page.send('ServiceWorker.enable');
        await page.send('ServiceWorker.stopAllWorkers');
        await page.send('ServiceWorker.disable');
      }
      await delay(10);
    }
    return performance.now() - t0;
  }

  /** Attaches to the running worker for the duration of `run`. */
  async inWorker<T>(run: (send: WorkerSend, session: CdpSession) => Promise<T>): Promise<T> {
    const [targetId] = await this.targets();
    if (!targetId) throw new Error('no running service worker to attach to');
    const session = await this.browser.attach(targetId);
    try {
      return await run(session.sender, session);
    } finally {
      await session.detach();
    }
  }
}

/** Waits for the extension's worker to appear and returns the extension's id. */
export async function extensionIdOf(browser: BareChromium, timeoutMs: number): Promise<string> {
  const worker = await browser.waitForTarget(
    (t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'),
    timeoutMs,
  );
  return new URL(worker.url).host;
}
