/**
 * What the e2e suite needs from a browser with the built extension loaded, whichever browser it is.
 * Chromium is driven by Playwright, Firefox by puppeteer-core over WebDriver BiDi (Playwright drives
 * only its own patched Firefox, which cannot be downloaded here). Specs see only these interfaces, so
 * one spec runs in both browsers.
 */

export type BrowserKind = 'chromium' | 'firefox';

/** `prefers-color-scheme` as pages see it; `null` is the browser's own (light, headless). */
export type ColorScheme = 'light' | 'dark' | null;

/**
 * A page reduced to what both drivers offer with the same meaning: run a function in the page, press
 * a real key, close. Functions given to `evaluate` are serialised: they must not use outer variables.
 */
export interface DriverPage {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /**
   * Evaluates a JavaScript expression through the driver (awaiting a promise result). The driver's
   * evaluation is privileged: an extension page's CSP, which forbids eval in the page itself, does
   * not apply.
   */
  evaluateExpression(expression: string): Promise<unknown>;
  /** A real key press (`Enter`, `Tab`, `Space`…) delivered to the focused element. */
  pressKey(key: string): Promise<void>;
  /** Reloads and waits until the document is complete again. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** The background's global object, as tests see it. */
export type BackgroundScope = Record<string, unknown> & { carrierflagReady?: Promise<void> };

/** `(fn)(first, arg)` as an expression, for `evaluateExpression`. */
export function callExpression(fn: (...args: never[]) => unknown, first: string, arg: unknown) {
  return `(${fn.toString()})(${first}, ${JSON.stringify(arg ?? null)})`;
}

/** A browser tab showing a web page, as a user would drive it. */
export interface SiteTab {
  /** The tab's id in the extension APIs (`tabs`, `action`). */
  readonly id: number;
  /** Navigates this tab and waits for the page to load. */
  goto(url: string): Promise<void>;
  /**
   * Starts navigating this tab to `url` and waits for nothing (the navigation may end on another
   * page, an extension's: wait on `url()` for that).
   */
  startNavigation(url: string): Promise<void>;
  /** The page this tab shows now, to read and click in (an extension page the tab was sent to). */
  driver(): DriverPage;
  /** Clicks the first link (`<a>`) whose text is `text`, in the page, and waits for nothing. */
  clickLink(text: string): Promise<void>;
  title(): Promise<string>;
  /** The URL the tab shows now. */
  url(): Promise<string>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  extensionPath: string;
  /** base64 SHA-256 of the DoH server certificate's SPKI (Chromium trusts it by this). */
  dohSpkiHash: string;
  /** Firefox only: the event page's idle timeout in ms (the browser's default is 30 s). */
  backgroundIdleTimeoutMs?: number;
  /** Send every web request through this HTTP forward proxy (loopback stays direct). */
  proxy?: { host: string; port: number };
  /** The browser's UI language as a locales/ name (`de`, `zh_CN`); absent: the browser's default. */
  locale?: string;
  /**
   * Where each made-up site's name leads, instead of every `*.test` name to 127.0.0.1: the
   * screenshots give each site an address of its own in a network namespace, so the browser's
   * connection is to the site's real (routed) address, not loopback. Chromium: host-resolver-rules;
   * Firefox: the system's resolver (the namespace's /etc/hosts) instead of forceResolve.
   */
  siteAddresses?: Readonly<Record<string, string>>;
  /**
   * Chromium only: an executable that starts the browser with the arguments it is given (e.g. inside
   * a network namespace); absent: Debian's Chromium itself.
   */
  executablePath?: string;
  /** Chromium only: more command-line flags, after the usual ones. */
  extraArgs?: readonly string[];
}

/** One running browser with the extension installed, in a profile of its own. */
export interface ExtensionSession {
  readonly kind: BrowserKind;
  /** `chrome-extension://<id>/` or `moz-extension://<uuid>/`. */
  readonly extensionBase: string;
  /** ms from the start of the launch until the extension's background reported ready. */
  readonly launchMs: number;
  /**
   * The first-run page the extension opened in a tab when it was installed at launch (its URL, and
   * ms from the start of the launch until the tab showed it), or null if none showed within
   * FIRST_RUN_WAIT_MS (first-run.ts). The launch waits for it, so it is open before the first test (whose
   * closeOtherTabs closes it) and never appears in the middle of one.
   */
  readonly firstRunPage: { url: string; afterMs: number } | null;
  /**
   * An extension page that runs none of our code (the packaged manifest.json), for calling the
   * extension APIs (badge, tabs, storage) without going through, or waking, the background.
   */
  readonly api: DriverPage;
  /** Opens a new tab at `url` and waits for the page to load. */
  openTab(url: string): Promise<SiteTab>;
  /** Opens one of the extension's pages (`popup.html?tab=3`) in a tab; resolves once it is complete. */
  openExtensionPage(pathAndQuery: string): Promise<DriverPage>;
  /** Closes every tab except the api page. */
  closeOtherTabs(): Promise<void>;
  /**
   * Makes every page, open now or later, see `prefers-color-scheme` as `scheme` (`null`: the
   * browser's own). Chromium emulates it per page; Firefox sets its content colour-scheme pref.
   */
  emulateColorScheme(scheme: ColorScheme): Promise<void>;
  /**
   * Accepts the browser's own prompt for a `permissions.request` the extension made, once it shows,
   * as the user's "Allow" does. Firefox only (Chromium rejects).
   */
  acceptPermissionPrompt(): Promise<void>;
  /** Waits until the background has finished start-up (`carrierflagReady`); wakes it if needed. */
  waitForBackgroundReady(): Promise<void>;
  /**
   * Runs `fn(scope, arg)` with `scope` the background's global object (wakes a stopped background).
   * `arg` must survive JSON.
   */
  evaluateInBackground<A, R>(
    fn: (scope: BackgroundScope, arg: A) => R | Promise<R>,
    arg: A,
  ): Promise<R>;
  /** Whether the background (service worker / event page) is running now, without waking it. */
  isBackgroundRunning(): Promise<boolean>;
  /**
   * Makes the background stop as the browser does when idle and resolves once it has: Chromium's
   * worker is terminated through CDP; Firefox's event page is left to its idle timeout (launch with
   * `backgroundIdleTimeoutMs`), which is what the browser itself does.
   */
  stopBackground(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Stops the background now, whatever it is doing, and resolves once it has: Chromium's worker is
   * terminated through CDP; Firefox's event page through the same chrome-side call as
   * about:debugging's "Terminate background script" (its idle timeout would wait for idleness).
   * Resolves once the instance that was running is gone: an event may already have started a new one.
   */
  terminateBackground(options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}
