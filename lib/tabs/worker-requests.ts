/**
 * Requests that belong to no tab (`tabId` -1) but to a page all the same: those of a site's service
 * worker or shared worker (a fetch of its own, or the page's image passed through `fetch(event.request)`).
 * The browser names no tab for them, only who made them: Chromium the origin (`initiator`),
 * Firefox the URL of the document or worker script (`documentUrl`, `originUrl`). Such a request is
 * listed under every tab whose committed page has that origin, the pages the worker serves.
 *
 * The extension's own requests (the DoH lookups, the routing data downloads) come with tabId -1 too,
 * made by the extension's origin: they are never a page's. Nor is a request that names no maker at
 * all (the browser's own: safe browsing, component updates).
 *
 * Which tab shows which origin is kept here, memory only, a cache: filled by each top-level commit
 * and, once per worker start (a restarted worker has seen no commit), by one query of the open tabs.
 */

/** Tabs a worker request is listed under at most: a request costs one host list update per tab. */
export const MAX_TABS_PER_WORKER_REQUEST = 8;
/** Tabs whose page origin is remembered, at most (most recently committed kept). */
export const MAX_TAB_ORIGINS = 1000;

/** Who made a request, as each browser says it. */
export interface RequestMaker {
  /** Chromium: the origin that made the request (`"null"` for an opaque one). */
  initiator?: string;
  /** Firefox: the document the request is of, when there is one. */
  documentUrl?: string;
  /** Firefox: the document or worker script that made the request. */
  originUrl?: string;
}

/** The origin (`scheme://host[:port]`) that made the request, when the browser names one. */
export function requesterOrigin(maker: RequestMaker): string | undefined {
  for (const url of [maker.initiator, maker.documentUrl, maker.originUrl]) {
    if (url === undefined || url === '' || url === 'null') continue;
    const origin = originOf(url);
    if (origin !== undefined) return origin;
  }
  return undefined;
}

/** Whether the origin is a browser extension's (ours or another's): never a web page. */
export function isExtensionOrigin(origin: string): boolean {
  return /^(chrome|moz|safari-web)-extension:/.test(origin);
}

/**
 * Whether a tab-less request is a web page's (its service or shared worker's): made by a web
 * origin. False for the extension's own requests and for those that name no maker.
 */
export function isPageWorkerRequest(maker: RequestMaker): boolean {
  const origin = requesterOrigin(maker);
  return origin !== undefined && /^https?:/.test(origin);
}

/** `scheme://host[:port]` of an http(s) URL, else the URL's own origin where it has one. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
    // Extension URLs have an opaque origin in some URL parsers; scheme and host name them anyway.
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** An open tab and the URL it shows, as a tab query answers it (the URL only where we may read it). */
export interface OpenTab {
  id?: number;
  url?: string;
}

export interface TabOriginsOptions {
  /** The open tabs, asked once per worker start, before the first lookup. */
  listTabs(): Promise<OpenTab[]>;
  /** For tests. */
  maxTabs?: number;
  maxPerRequest?: number;
}

/** Which tabs show a page of which origin (see the top of this file). */
export function createTabOrigins(options: TabOriginsOptions) {
  const maxTabs = options.maxTabs ?? MAX_TAB_ORIGINS;
  const maxPerRequest = options.maxPerRequest ?? MAX_TABS_PER_WORKER_REQUEST;
  /** tabId → origin of its committed page; insertion order is commit order. */
  const origins = new Map<number, string>();
  /** Tabs committed or closed since start: the one-time query's answer is older than these. */
  const touched = new Set<number>();
  let filled: Promise<void> | undefined;
  let queried = false;

  /** Before the query has answered: the query's word on this tab is older than what we know. */
  function touch(tabId: number): void {
    if (queried) return;
    touched.add(tabId);
    if (touched.size > maxTabs) {
      const oldest = touched.values().next();
      if (!oldest.done) touched.delete(oldest.value);
    }
  }

  function set(tabId: number, origin: string | undefined): void {
    origins.delete(tabId);
    if (origin === undefined) return;
    origins.set(tabId, origin);
    if (origins.size > maxTabs) {
      const oldest = origins.keys().next();
      if (!oldest.done) origins.delete(oldest.value);
    }
  }

  function fill(): Promise<void> {
    filled ??= options.listTabs().then(
      (tabs) => {
        for (const tab of tabs) {
          if (tab.id === undefined || tab.url === undefined || touched.has(tab.id)) continue;
          set(tab.id, webOrigin(tab.url));
        }
        queried = true;
        touched.clear();
      },
      // Without the query only the pages committed since start are known: still correct for those.
      () => {
        queried = true;
        touched.clear();
      },
    );
    return filled;
  }

  return {
    /** A tab's top-level navigation committed `url`. */
    committed(tabId: number, url: string): void {
      touch(tabId);
      set(tabId, webOrigin(url));
    },

    /** The tab closed. */
    removed(tabId: number): void {
      touch(tabId);
      origins.delete(tabId);
    },

    /** The tabs showing a page of `origin`, most recently committed first, at most maxPerRequest. */
    async tabsOf(origin: string): Promise<number[]> {
      await fill();
      const tabs: number[] = [];
      for (const [tabId, tabOrigin] of [...origins].reverse()) {
        if (tabOrigin !== origin) continue;
        tabs.push(tabId);
        if (tabs.length >= maxPerRequest) break;
      }
      return tabs;
    },
  };
}

export type TabOrigins = ReturnType<typeof createTabOrigins>;

function webOrigin(url: string): string | undefined {
  return /^https?:/.test(url) ? originOf(url) : undefined;
}
