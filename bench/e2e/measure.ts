// One timed navigation: page load → badge, measured inside an extension page on one clock.
//
// Method: the extension page (the packaged manifest.json, which runs none of our code) takes t0 from
// performance.now(), starts the navigation with chrome.tabs.update(tabId, { url }) (a
// browser-initiated navigation, like typing into the address bar and like Playwright's page.goto,
// which is Page.navigate), and polls chrome.action.getBadgeText({ tabId }) every POLL_MS until it
// reads the expected text. Start and end are on the same clock, with no CDP round trip inside the
// interval. The same page also listens to webNavigation.onCommitted (extension pages receive it
// too, without waking the worker), which marks the earliest moment a per-tab badge can stick.
// The badge was set after the last poll that missed was issued and before the poll that
// hit returned: the reported latency is that upper bound, and the bracket width is the resolution.
import type { ChromeApi } from './browser';

/** Runs a function inside an extension page (bench/e2e/cdp.ts's CdpSession). */
export interface Evaluator {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/** Sends one message to the worker from the extension page `page`; resolves with its reply. */
export function sendFrom<T>(page: Evaluator, message: object): Promise<T> {
  return page.evaluate(async (m) => {
    const { chrome } = globalThis as unknown as {
      chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
    };
    return (await chrome.runtime.sendMessage(m)) as T;
  }, message);
}

export interface NavigationSample {
  /** t0 → return of the first poll that read the expected text (upper bound), ms. */
  latencyMs: number;
  /** Width of the interval in which the badge changed (the resolution of this sample), ms. */
  bracketMs: number;
  /** Badge reads made. */
  polls: number;
  /** Median time between the starts of two polls, ms. */
  pollGapMs: number;
  /** Median duration of one getBadgeText call, ms. */
  readMs: number;
  /** t0 and the hit as epoch ms (performance.timeOrigin + now) of the extension page's clock. */
  t0Epoch: number;
  hitEpoch: number;
  /** webNavigation.onCommitted for the main frame as the extension page saw it, epoch ms. */
  committedEpoch?: number;
}

export type NavigationResult =
  { ok: true; sample: NavigationSample } | { ok: false; error: string };

export interface NavigateOptions {
  tabId: number;
  url: string;
  /** The badge text that ends the measurement. */
  expect: string;
  pollMs: number;
  timeoutMs: number;
}

/** Navigates `tabId` to `url` from the extension page `apiPage` and times the badge (see top). */
export async function timeNavigation(
  apiPage: Evaluator,
  options: NavigateOptions,
): Promise<NavigationResult> {
  return apiPage.evaluate(async ({ tabId, url, expect, pollMs, timeoutMs }) => {
    const { chrome } = globalThis as unknown as { chrome: ChromeApi };
    const read = () => chrome.action.getBadgeText({ tabId });
    const before = await read();
    // A badge that already reads `expect` would end the measurement before the navigation did.
    if (before === expect) {
      return { ok: false as const, error: `badge already read ${JSON.stringify(before)}` };
    }
    const issues: number[] = [];
    const reads: number[] = [];
    let committed: number | undefined;
    const onCommitted = (details: { tabId: number; frameId: number; url: string }) => {
      if (details.tabId === tabId && details.frameId === 0 && details.url === url) {
        committed ??= performance.now();
      }
    };
    chrome.webNavigation.onCommitted.addListener(onCommitted);
    const t0 = performance.now();
    // Polled concurrently: tabs.update resolves on its own schedule, not at commit.
    const navigation = chrome.tabs.update(tabId, { url }).then(
      () => '',
      (error: unknown) => String(error),
    );
    let lastMiss = t0;
    for (;;) {
      const issued = performance.now();
      issues.push(issued);
      const text = await read();
      const returned = performance.now();
      reads.push(returned - issued);
      if (text === expect) {
        chrome.webNavigation.onCommitted.removeListener(onCommitted);
        const navError = await navigation;
        if (navError) return { ok: false as const, error: `tabs.update failed: ${navError}` };
        const gaps = issues.slice(1).map((t, i) => t - issues[i]!);
        gaps.sort((a, b) => a - b);
        reads.sort((a, b) => a - b);
        return {
          ok: true as const,
          sample: {
            latencyMs: returned - t0,
            bracketMs: returned - lastMiss,
            polls: issues.length,
            pollGapMs: gaps.length ? gaps[gaps.length >> 1]! : 0,
            readMs: reads[reads.length >> 1]!,
            t0Epoch: performance.timeOrigin + t0,
            hitEpoch: performance.timeOrigin + returned,
            committedEpoch:
              committed === undefined ? undefined : performance.timeOrigin + committed,
          },
        };
      }
      if (returned - t0 > timeoutMs) {
        chrome.webNavigation.onCommitted.removeListener(onCommitted);
        return {
          ok: false as const,
          error: `badge read ${JSON.stringify(text)}, not ${JSON.stringify(expect)}, after ${timeoutMs} ms`,
        };
      }
      lastMiss = issued;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }, options);
}

/**
 * Navigates `tabId` to a neutral page and waits until its badge is empty, so that the next timed
 * navigation starts from a badge that cannot already read the expected text.
 */
export async function resetTab(
  apiPage: Evaluator,
  tabId: number,
  url: string,
  timeoutMs: number,
): Promise<void> {
  const error = await apiPage.evaluate(
    async ({ tabId, url, timeoutMs }) => {
      const { chrome } = globalThis as unknown as { chrome: ChromeApi };
      await chrome.tabs.update(tabId, { url });
      const deadline = performance.now() + timeoutMs;
      // The badge alone is not enough: it may be empty before the neutral page has committed.
      for (;;) {
        const [text, tab] = await Promise.all([
          chrome.action.getBadgeText({ tabId }),
          chrome.tabs.get(tabId),
        ]);
        if (text === '' && tab.url === url && tab.status === 'complete') return '';
        if (performance.now() > deadline) {
          return `badge ${JSON.stringify(text)}, tab at ${tab.url ?? '?'} (${tab.status ?? '?'})`;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    { tabId, url, timeoutMs },
  );
  if (error) {
    // Which hosts the extension holds for the page: a badge that will not clear names them.
    const view = await sendFrom<{ hosts?: { hostname: string }[] } | null>(apiPage, {
      type: 'get-page-hosts',
      tabId,
    }).catch((e: unknown) => String(e));
    const hosts =
      typeof view === 'object' && view?.hosts ? view.hosts.map((h) => h.hostname) : view;
    throw new Error(
      `resetting tab ${tabId} to ${url}: ${error}, page hosts ${JSON.stringify(hosts)}`,
    );
  }
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
