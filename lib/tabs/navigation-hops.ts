/**
 * The redirect hops of a tab's top-level navigation (a URL shortener, a tracking redirect), kept
 * until the navigation commits, then listed on the page it commits: the page the hops led to.
 *
 * A hop is a request of its own (webRequest.onBeforeRedirect, whose `ip` is the address the hop's
 * host answered from), but it cannot join the host list when it happens: the list still belongs to
 * the page being left, and the next page's list keeps only hosts requested since its main-frame
 * response started (lib/tabs/page-hosts.ts), which comes after every hop. So the hops wait here and
 * join at the commit, as requests of the committed document.
 *
 * The browser's two event streams are not ordered with each other: Firefox may report a hop
 * (webRequest) after the commit it led to (webNavigation), though the hop is dated before it. Such
 * a late hop, dated between the committed navigation's start and its commit, is handed back at once
 * as a request of the committed page.
 *
 * A new navigation in the tab drops the hops of one that did not commit (a download, an HTTP 204,
 * a cancel), as does its failure or the tab closing. Memory only: a worker stopped between a hop and
 * the commit forgets the hop (the final page is still judged).
 */

/** Hops kept per navigation: Chromium and Firefox both stop a chain after 20 redirects. */
export const MAX_HOPS_PER_NAVIGATION = 20;
/** Tabs with a navigation between a hop and its commit, at most (the oldest dropped). */
export const MAX_TABS_WITH_HOPS = 100;

/** One redirect: the URL that answered with it, where it connected, and when (browser time). */
export interface NavigationHop {
  url: string;
  ip?: string;
  proxyInfo?: unknown;
  at: number;
}

/** The commit a tab's last top-level navigation reached: when, which document, since when. */
export interface NavigationCommit {
  at: number;
  documentId?: string;
  /** When that navigation started (or the commit before it), when known: older hops are not its. */
  from?: number;
}

interface TabHops {
  waiting: NavigationHop[];
  /** When the tab's latest top-level navigation started, as far as the worker has heard. */
  startedAt?: number;
  lastCommit?: NavigationCommit;
}

/** Creates the store; `maxHops` and `maxTabs` are for tests. */
export function createNavigationHops(
  maxHops: number = MAX_HOPS_PER_NAVIGATION,
  maxTabs: number = MAX_TABS_WITH_HOPS,
) {
  const tabs = new Map<number, TabHops>();

  /** The tab's entry, made the newest (the oldest tab is dropped past `maxTabs`). */
  function touch(tabId: number): TabHops {
    const entry = tabs.get(tabId) ?? { waiting: [] };
    tabs.delete(tabId);
    tabs.set(tabId, entry);
    if (tabs.size > maxTabs) {
      const oldest = tabs.keys().next();
      if (!oldest.done) tabs.delete(oldest.value);
    }
    return entry;
  }

  return {
    /**
     * The tab's top-level navigation was redirected away from `hop.url`. Returns the commit the hop
     * belongs to when that commit has already been reported (list the hop on that page now);
     * otherwise keeps the hop for the commit to come.
     */
    redirected(tabId: number, hop: NavigationHop): NavigationCommit | undefined {
      const entry = touch(tabId);
      const commit = entry.lastCommit;
      if (commit && hop.at <= commit.at && (commit.from === undefined || hop.at >= commit.from)) {
        return commit;
      }
      if (entry.waiting.length < maxHops) entry.waiting.push(hop);
      return undefined;
    },

    /**
     * A top-level navigation of the tab started at `at`: hops from before it were of one that never
     * committed. Those from after it are its own, even if this start reached the worker late.
     */
    navigationStarted(tabId: number, at: number): void {
      const entry = touch(tabId);
      entry.startedAt = at;
      entry.waiting = entry.waiting.filter((hop) => hop.at >= at);
    },

    /** The tab's top-level navigation committed (at `at`): its hops, to list on the committed page. */
    committed(tabId: number, at: number, documentId?: string): NavigationHop[] {
      const entry = touch(tabId);
      const list = entry.waiting;
      const started = entry.startedAt !== undefined && entry.startedAt <= at;
      const from = started ? entry.startedAt : entry.lastCommit?.at;
      entry.lastCommit = {
        at,
        ...(documentId !== undefined ? { documentId } : {}),
        ...(from !== undefined ? { from } : {}),
      };
      entry.waiting = [];
      return list;
    },

    /** The navigation failed, or the tab closed: its hops lead nowhere. */
    dropped(tabId: number): void {
      tabs.delete(tabId);
    },

    /** Tabs with hops waiting (for tests: the bound). */
    size(): number {
      let waiting = 0;
      for (const entry of tabs.values()) if (entry.waiting.length > 0) waiting += 1;
      return waiting;
    },

    /** Tabs remembered at all (for tests: the bound). */
    tabs(): number {
      return tabs.size;
    },
  };
}

export type NavigationHops = ReturnType<typeof createNavigationHops>;
