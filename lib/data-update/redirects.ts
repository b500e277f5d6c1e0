import { dataAddressProblem } from './source-url';

/** The part of `fetch` the download needs (the worker's, Node's, or a test's fake). */
export type FetchLike = (
  url: string,
  init: {
    headers: Record<string, string>;
    signal: AbortSignal;
    cache?: RequestCache;
    redirect?: RequestRedirect;
  },
) => Promise<Response>;

/**
 * A release file's address answers with a redirect to the host that stores it (GitHub sends
 * `releases/download/…` to its asset host). At most this many hops are followed.
 */
export const MAX_REDIRECTS = 5;

/**
 * How redirects are followed. 'manual' (Node, the CLI): each hop is read and checked against the
 * setting's URL rule before it is requested. 'browser': a web page or extension worker cannot read
 * a redirect's Location (`redirect: 'manual'` gives an opaque answer, Fetch §4.4), so the browser
 * follows the hops itself (at most 20) and the address that finally answered is checked.
 */
export type RedirectMode = 'manual' | 'browser';

/**
 * Where the platform can report the redirects of the extension's own requests as they happen
 * (Chromium's webRequest.onBeforeRedirect shows the worker's fetches, tabId -1), the worker passes
 * this: `onHop` hears every redirect the browser reports, from one address to another, until the
 * returned function is called. The download checks each hop against the rule and stops on the
 * first bad one, as the manual mode does, instead of only checking where the chain ended.
 */
export type RedirectWatch = (onHop: (from: string, to: string) => void) => () => void;

export type FollowResult =
  | {
      ok: true;
      response: Response;
      /** The address that answered with the file, after any redirects. */
      finalUrl: string;
    }
  | { ok: false; reason: string };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** An address as a message shows it: no query (a signed asset URL's is long and says nothing). */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function cancel(response: Response): void {
  void response.body?.cancel().catch(() => undefined);
}

/**
 * Fetches `url`, following redirects under the routing data rule: every hop must be https (or
 * http on this computer), a hop seen before is a redirect loop, and more than MAX_REDIRECTS hops
 * are refused. Never resolves with a response from an address the rule refuses. Throws only what
 * `fetch` itself throws (the network failed, the signal aborted).
 */
export async function fetchFollowingRedirects(
  fetch: FetchLike,
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal; cache?: RequestCache },
  mode: RedirectMode,
  watch?: RedirectWatch,
): Promise<FollowResult> {
  if (mode === 'browser') return followInBrowser(fetch, url, init, watch);
  const seen = new Set<string>([url]);
  let current = url;
  for (let hops = 0; ; hops++) {
    const response = await fetch(current, { ...init, redirect: 'manual' });
    // A platform that hides redirects (a browser) even when asked for them: let it follow.
    if (response.type === 'opaqueredirect') return followInBrowser(fetch, current, init, watch);
    if (!REDIRECT_STATUSES.has(response.status)) return { ok: true, response, finalUrl: current };
    cancel(response);
    const location = response.headers.get('location');
    let next: URL;
    try {
      if (!location) throw new Error('no Location');
      next = new URL(location, current);
    } catch {
      return {
        ok: false,
        reason: `the server answered with a redirect (HTTP ${response.status}) but no usable address to go to`,
      };
    }
    const refused = hopProblem(next, seen);
    if (refused) return { ok: false, reason: refused };
    seen.add(next.href);
    current = next.href;
  }
}

/**
 * Why a redirect to `next` is not followed, or undefined when it may be: the setting's URL rule,
 * an address already visited (a loop), or one hop more than MAX_REDIRECTS (`seen` holds the
 * first address and every hop so far).
 */
function hopProblem(next: URL, seen: ReadonlySet<string>): string | undefined {
  const problem = dataAddressProblem(next);
  if (problem) {
    return `the server redirected to ${shown(next)}, which an update never follows (${problem})`;
  }
  if (seen.has(next.href))
    return `the server's redirects go round in a loop (back to ${shown(next)})`;
  if (seen.size > MAX_REDIRECTS) {
    return `the server redirected more than ${MAX_REDIRECTS} times, so the update stopped following`;
  }
  return undefined;
}

async function followInBrowser(
  fetch: FetchLike,
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal; cache?: RequestCache },
  watch?: RedirectWatch,
): Promise<FollowResult> {
  // Each hop the browser reports is checked as it happens; a bad one stops this request at once.
  const seen = new Set<string>([url]);
  const local = new AbortController();
  const onOuterAbort = () => local.abort();
  init.signal.addEventListener('abort', onOuterAbort, { once: true });
  let refused: string | undefined;
  const unwatch = watch?.((from, to) => {
    if (refused || !seen.has(from) || seen.has(to)) {
      // Not this request's chain, or a hop back into it (a loop): only the latter concerns us.
      if (!refused && seen.has(from) && seen.has(to)) refused = hopProblem(new URL(to), seen);
      if (refused) local.abort();
      return;
    }
    let next: URL;
    try {
      next = new URL(to);
    } catch {
      return;
    }
    refused = hopProblem(next, seen);
    if (refused) local.abort();
    else seen.add(next.href);
  });
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: local.signal, redirect: 'follow' });
  } catch (error) {
    if (refused) return { ok: false, reason: refused };
    if (init.signal.aborted) throw error;
    // The browser says only that the fetch failed. One request that does not follow tells
    // whether the address redirects at all: if it does, the redirects are what failed.
    const probe = await fetch(url, { ...init, redirect: 'manual' }).catch(() => undefined);
    if (probe) cancel(probe);
    if (probe?.type === 'opaqueredirect' || (probe && REDIRECT_STATUSES.has(probe.status))) {
      return {
        ok: false,
        reason:
          'the server redirected, and the redirects did not lead to the file: a redirect loop, too many redirects, or an address the browser refused',
      };
    }
    throw error;
  } finally {
    unwatch?.();
    init.signal.removeEventListener('abort', onOuterAbort);
  }
  if (refused) {
    cancel(response);
    return { ok: false, reason: refused };
  }
  const finalUrl = response.url || url;
  let parsed: URL;
  try {
    parsed = new URL(finalUrl);
  } catch {
    cancel(response);
    return { ok: false, reason: `the file came from an unreadable address` };
  }
  const problem = dataAddressProblem(parsed);
  if (problem) {
    cancel(response);
    return {
      ok: false,
      reason: `the server redirected to ${shown(parsed)}, which an update never follows (${problem})`,
    };
  }
  return { ok: true, response, finalUrl };
}
