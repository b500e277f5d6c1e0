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

/** Creates the store; `maxHops` and `maxTabs` are for tests. */
export function createNavigationHops(
  maxHops: number = MAX_HOPS_PER_NAVIGATION,
  maxTabs: number = MAX_TABS_WITH_HOPS,
) {
  const hops = new Map<number, NavigationHop[]>();

  return {
    /** The tab's top-level navigation was redirected away from `hop.url`. */
    redirected(tabId: number, hop: NavigationHop): void {
      const list = hops.get(tabId) ?? [];
      hops.delete(tabId);
      hops.set(tabId, list);
      if (list.length < maxHops) list.push(hop);
      if (hops.size > maxTabs) {
        const oldest = hops.keys().next();
        if (!oldest.done) hops.delete(oldest.value);
      }
    },

    /**
     * A top-level navigation of the tab started at `at`: hops from before it were of one that never
     * committed. Those from after it are its own, even if this start reached the worker late.
     */
    navigationStarted(tabId: number, at: number): void {
      const list = hops.get(tabId);
      if (!list) return;
      const kept = list.filter((hop) => hop.at >= at);
      if (kept.length > 0) hops.set(tabId, kept);
      else hops.delete(tabId);
    },

    /** The tab's top-level navigation committed: its hops, to list on the committed page. */
    committed(tabId: number): NavigationHop[] {
      const list = hops.get(tabId) ?? [];
      hops.delete(tabId);
      return list;
    },

    /** The navigation failed, or the tab closed: its hops lead nowhere. */
    dropped(tabId: number): void {
      hops.delete(tabId);
    },

    /** Tabs with hops waiting (for tests: the bound). */
    size(): number {
      return hops.size;
    },
  };
}

export type NavigationHops = ReturnType<typeof createNavigationHops>;
