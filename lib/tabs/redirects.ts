/**
 * What a redirect the browser reports (webRequest.onBeforeRedirect) is to the host lists. One
 * listener hears them all: the extension's own (its routing data downloads check each hop), a
 * page's requests, and a tab's navigation, whose hops wait for its commit (./navigation-hops.ts).
 */
import { hostnameOf } from './host-rules';
import { isPageWorkerRequest, type RequestMaker } from './worker-requests';

/** The fields of onBeforeRedirect this decides by (both browsers, `documentLifecycle` Chromium's). */
export interface RedirectDetails extends RequestMaker {
  tabId: number;
  type: string;
  url: string;
  redirectUrl: string;
  documentLifecycle?: string;
}

/**
 * - `own`: the extension's own request (no tab, not made by a web page's worker);
 * - `request`: a page's request (a tab's, or its site's service worker's): the redirecting host is
 *   listed like any host the page contacted;
 * - `navigation`: a hop of a tab's top-level navigation, listed on the page it commits;
 * - `ignored`: a redirect to the same host (an https upgrade, a trailing slash), whose next request
 *   lists the host anyway, or a prerendered page's navigation (not what the tab shows).
 */
export type RedirectKind = 'own' | 'request' | 'navigation' | 'ignored';

/** Which kind of redirect `details` is (see RedirectKind). */
export function redirectKind(details: RedirectDetails): RedirectKind {
  if (details.tabId < 0 && !isPageWorkerRequest(details)) return 'own';
  if (hostnameOf(details.url) === hostnameOf(details.redirectUrl)) return 'ignored';
  if (details.type !== 'main_frame') return 'request';
  if (details.tabId < 0 || details.documentLifecycle === 'prerender') return 'ignored';
  return 'navigation';
}
