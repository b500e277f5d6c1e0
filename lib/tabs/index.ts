/**
 * The one door to per-tab state (issue 22): the worker hands it the browser's tab, navigation and
 * request events as the browser reports them, and asks it for a tab's report and hosts. Behind it:
 * - the site's report and badge (lib/tabs/site-report);
 * - the page's other hosts (lib/tabs/page-hosts.ts), each judged by the address the browser
 *   connected to (lib/tabs/host-witness.ts), or looked up where that says nothing;
 * - which page a request belongs to: when it started (request-starts.ts), which document made it
 *   (request-documents.ts), a site's service worker requests (worker-requests.ts), a navigation's
 *   redirect hops (navigation-hops.ts), which redirects are whose (redirects.ts).
 * The placement maps are memory only and fed synchronously, in the order the browser reports
 * events; everything that needs settings or the table waits for `settingsReady` first. Nothing here
 * touches a browser global: the worker passes the browser's parts in `deps`.
 */
import type { ResolveResult } from '../dns';
import { proxyFromProxyInfo } from '../proxy';
import type { Settings } from '../settings';
import { createTabMonitor, type TabMonitor } from './site-report';
import type { BadgeWords, PrefixLookup } from '../verdict';
import { ENGLISH_PAGE_BADGE_WORDS, pageBadge, type PageBadgeWords } from './badge';
import { hostnameOf } from './host-rules';
import { createHostWitness } from './host-witness';
import { createNavigationHops } from './navigation-hops';
import { createPageHosts, type PageHosts, type ThirdPartySummary } from './page-hosts';
import { redirectKind, type RedirectDetails } from './redirects';
import { createRequestDocuments, type RequestOrigin } from './request-documents';
import { createRequestStarts, type RequestEvent } from './request-starts';
import type { Badge, SessionArea, TabReport } from './types';
import {
  createTabOrigins,
  isPageWorkerRequest,
  requesterOrigin,
  type RequestMaker,
} from './worker-requests';

export interface TabsDeps {
  session: SessionArea;
  /** The settings as stored at start; later ones come through `settingsChanged`. */
  settingsReady: Promise<Settings>;
  /** The prefix table; may still be loading when the first events arrive. */
  table: Promise<PrefixLookup>;
  /** A DoH lookup with the resolver of `settings` (one client per resolver: lib/dns). */
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  /** Shows `badge` on the tab; only the `changed` parts when given (see site-report). */
  setBadge(tabId: number, badge: Badge, changed?: ReadonlySet<keyof Badge>): Promise<void>;
  /** Every open tab, for a site's service worker requests (one query per worker start). */
  listTabs(): Promise<{ id?: number; url?: string }[]>;
  /** A redirect of the extension's own requests (the routing data download checks each hop). */
  onOwnRedirect(from: string, to: string): void;
  /**
   * Told each time a tab's badge is decided: the site's report and the page's flagged third-party
   * hosts (null: none listed). Acting on a flag (warn/block) and the history listen here; it must
   * return quickly and not throw (the badge does not wait for what it starts).
   */
  onJudged?(report: TabReport, hosts: ThirdPartySummary | null): void;
  /** The last word on a tab's badge, after its third parties' (absent: as it is). */
  decorateBadge?(report: TabReport, badge: Badge): Promise<Badge>;
  badgeWords?: BadgeWords;
  pageBadgeWords?: PageBadgeWords;
  now(): number;
  log(message: string, error?: unknown): void;
}

/** The fields of webNavigation events the door reads. */
export interface NavigationEvent {
  tabId: number;
  frameId: number;
  url: string;
  timeStamp: number;
  documentId?: string;
}

/** The fields of webRequest events the door reads (both browsers have these, some only one). */
export interface WebRequestEvent extends RequestEvent, RequestOrigin, RequestMaker {
  url: string;
  type: string;
  ip?: string;
  proxyInfo?: unknown;
  redirectUrl?: string;
}

interface PageRequest {
  url: string;
  ip?: string;
  proxyInfo?: unknown;
  startedAt: number;
}

/** Creates the door; every method returns at once and never throws (failures are logged). */
export function createTabs(deps: TabsDeps) {
  const { log } = deps;
  let settings: Settings | undefined;
  const currentSettings = () => settings!;
  // Both read the settings as they are built: they are built once the settings are in.
  let pageHosts!: PageHosts;
  let monitor!: TabMonitor;
  // Settings first, then the work a stopped worker left unfinished; every event waits for this.
  const ready = deps.settingsReady.then(async (initial) => {
    settings = initial;
    pageHosts = createPageHosts({
      session: deps.session,
      table: deps.table,
      getSettings: currentSettings,
      resolve: deps.resolve,
      pageOf: async (tabId) => {
        const report = await monitor.getReport(tabId);
        return report?.committed ? { url: report.url } : null;
      },
      onChange: (tabId) => void monitor.refreshBadge(tabId),
      now: deps.now,
      log,
    });
    monitor = createTabMonitor({
      session: deps.session,
      setBadge: deps.setBadge,
      table: deps.table,
      getSettings: currentSettings,
      resolve: deps.resolve,
      now: deps.now,
      log,
      ...(deps.badgeWords ? { badgeWords: deps.badgeWords } : {}),
      decorateBadge: async (report, badge) => {
        const summary = await pageHosts.summary(report.tabId);
        try {
          deps.onJudged?.(report, summary);
        } catch (error) {
          log(`tab ${report.tabId}: acting on its verdict failed`, error);
        }
        const withHosts = pageBadge(
          badge,
          report,
          summary,
          currentSettings().countThirdPartyHosts,
          deps.pageBadgeWords ?? ENGLISH_PAGE_BADGE_WORDS,
        );
        return deps.decorateBadge ? deps.decorateBadge(report, withHosts) : withHosts;
      },
    });
    await monitor.resumePending();
    await pageHosts.resumePending();
  });
  /** Event work under way, for `idle`. */
  const working = new Set<Promise<void>>();
  const whenReady = (work: () => Promise<void>) => {
    const done = ready.then(work).catch((error: unknown) => log('event handling failed', error));
    working.add(done);
    void done.then(() => working.delete(done));
  };

  // Which tab and top-level document a request is of (the browser's documentId), and the requests
  // whose tab the browser could not yet say, until their document commits.
  const requestDocuments = createRequestDocuments<PageRequest>({
    now: () => Date.now(),
    onGivenUp: (request, why) =>
      log(
        `a request to ${hostnameOf(request.url) ?? 'a host'} is not listed: its page is unknown (${why})`,
      ),
  });
  // Requests of a site's service or shared worker name no tab, only their origin: they are listed
  // under the tabs showing a page of that origin. One tab query per worker start, on the first
  // such request; every commit since keeps the map current.
  const tabOrigins = createTabOrigins({ listTabs: deps.listTabs });
  const navigationHops = createNavigationHops();
  const requestStarts = createRequestStarts();
  /**
   * The connected address as a witness for a page's other host: a proxy's address (Firefox's
   * proxyInfo, or the tab's own page's proxy) is set aside unless it is on a watched network, where
   * it flags the host it carried.
   */
  const hostWitness = createHostWitness({
    table: deps.table,
    getSettings: currentSettings,
    pageProxyOf: async (tabId) => (await monitor.getReport(tabId))?.verdict.proxy?.address,
  });

  const seeRequest = (request: PageRequest, tabId: number, topDocument: string | undefined) => {
    whenReady(async () => {
      const witness = await hostWitness(tabId, request);
      await pageHosts.requestSeen(
        tabId,
        request.url,
        witness?.ip,
        request.startedAt,
        topDocument,
        witness?.proxied,
      );
    });
  };

  /** A request of a page (not its main frame) got a response, failed or was redirected. */
  const requestOfPage = (details: WebRequestEvent, startedAt: number) => {
    if (details.type === 'main_frame') return;
    const request: PageRequest = {
      url: details.url,
      ip: details.ip,
      proxyInfo: details.proxyInfo,
      startedAt,
    };
    const placement = requestDocuments.place(details, request);
    if (placement.kind === 'tab') seeRequest(request, placement.tabId, placement.topDocument);
    else if (placement.kind === 'ignored' && placement.why === 'not a tab') {
      const origin = isPageWorkerRequest(details) ? requesterOrigin(details) : undefined;
      if (origin === undefined) return;
      void tabOrigins
        .tabsOf(origin)
        .then((tabIds) => {
          for (const tabId of tabIds) seeRequest(request, tabId, undefined);
        })
        .catch((error: unknown) => log('a service worker request could not be placed', error));
    }
  };

  return {
    /** webNavigation.onBeforeNavigate. */
    beforeNavigate(details: NavigationEvent): void {
      if (details.frameId !== 0) return;
      navigationHops.navigationStarted(details.tabId, details.timeStamp);
      whenReady(() => monitor.navigationStarted(details.tabId, details.url));
      whenReady(() => pageHosts.navigationStarted(details.tabId, details.timeStamp));
    },

    /** webNavigation.onCommitted: any frame's commit places the requests that waited for it. */
    committed(details: NavigationEvent): void {
      const { tabId, documentId } = details;
      const released = requestDocuments.committed(tabId, details.frameId, documentId);
      if (details.frameId === 0) {
        tabOrigins.committed(tabId, details.url);
        whenReady(() =>
          pageHosts.navigationCommitted(tabId, details.url, details.timeStamp, documentId),
        );
        whenReady(() => monitor.navigationCommitted(tabId, details.url));
        // The hops that led here are this page's requests (made before its document existed).
        for (const hop of navigationHops.committed(tabId, details.timeStamp, documentId)) {
          const request = { url: hop.url, ip: hop.ip, proxyInfo: hop.proxyInfo };
          seeRequest({ ...request, startedAt: details.timeStamp }, tabId, documentId);
        }
      }
      for (const { item, tabId: placed, topDocument } of released) {
        seeRequest(item, placed, topDocument);
      }
    },

    /** webNavigation.onCompleted: the page's load event; its hosts' lookups may start. */
    completed(details: NavigationEvent): void {
      if (details.frameId !== 0) return;
      whenReady(() => monitor.pageLoaded(details.tabId, details.url));
      whenReady(async () => pageHosts.pageLoaded(details.tabId));
    },

    /** webNavigation.onErrorOccurred: a navigation that never commits ends here, if anywhere. */
    navigationFailed(details: NavigationEvent): void {
      if (details.frameId !== 0) return;
      navigationHops.dropped(details.tabId);
      whenReady(() => monitor.navigationFailed(details.tabId, details.url));
    },

    /**
     * webRequest.onBeforeRequest, every request: when it started, so a response reported after
     * the next page began still dates from before it. The extension's own requests (tabId -1, made
     * by its origin) are no page's and are left out.
     */
    requestStarted(details: WebRequestEvent): void {
      const unplaced = details.documentLifecycle === '';
      const ofPage = details.tabId >= 0 || unplaced || isPageWorkerRequest(details);
      if (ofPage && details.type !== 'main_frame') requestStarts.started(details);
    },

    /** webRequest.onResponseStarted, every request. */
    responseStarted(details: WebRequestEvent): void {
      if (details.type === 'main_frame') {
        if (details.tabId < 0) return;
        // Firefox names the proxy a request went through; Chromium has no such field.
        const proxy = proxyFromProxyInfo(details.proxyInfo, details.ip);
        whenReady(() => monitor.responseStarted(details.tabId, details.url, details.ip, proxy));
        // A prerendered page is not (yet) the tab's page: its main frame starts no new host list.
        if (details.documentLifecycle !== 'prerender') {
          whenReady(() => pageHosts.mainFrameResponseStarted(details.tabId, details.timeStamp));
        }
        return;
      }
      requestOfPage(details, requestStarts.responded(details));
    },

    /** webRequest.onErrorOccurred, every request. */
    requestFailed(details: WebRequestEvent): void {
      requestOfPage(details, requestStarts.failed(details));
    },

    /**
     * webRequest.onBeforeRedirect: the extension's own hops go to `onOwnRedirect`; a page's hop
     * lists the host that answered with the redirect (a carrier host sending a clean one on was
     * still contacted), with the hop's own address; a navigation's hops wait for its commit.
     */
    redirected(details: WebRequestEvent): void {
      const kind = redirectKind(details as RedirectDetails);
      if (kind === 'own') deps.onOwnRedirect(details.url, details.redirectUrl ?? '');
      else if (kind === 'request') requestOfPage(details, requestStarts.responded(details));
      else if (kind === 'navigation') {
        const hop = {
          url: details.url,
          ip: details.ip,
          proxyInfo: details.proxyInfo,
          at: details.timeStamp,
        };
        // Reported after the commit it led to (Firefox): that page's request, listed now.
        const late = navigationHops.redirected(details.tabId, hop);
        if (late) {
          const request = {
            url: hop.url,
            ip: hop.ip,
            proxyInfo: hop.proxyInfo,
            startedAt: late.at,
          };
          seeRequest(request, details.tabId, late.documentId);
        }
      }
    },

    /** tabs.onRemoved. */
    tabRemoved(tabId: number): void {
      tabOrigins.removed(tabId);
      navigationHops.dropped(tabId);
      whenReady(() => monitor.tabRemoved(tabId));
      whenReady(() => pageHosts.tabRemoved(tabId));
    },

    /** Sets the tab's badge again (something besides its reports changed what it shows). */
    async refreshBadge(tabId: number): Promise<void> {
      await ready;
      await monitor.refreshBadge(tabId);
    },

    /** The report the popup shows for the tab (see lib/tabs/site-report). */
    async getReport(tabId: number) {
      await ready;
      return monitor.getReport(tabId);
    },

    /** The tab's judged hosts for the popup. */
    async getPageHosts(tabId: number) {
      await ready;
      return pageHosts.getPageHosts(tabId);
    },

    /** New settings: every open tab is judged again with them. */
    async settingsChanged(next: Settings): Promise<void> {
      await ready;
      settings = next;
      await monitor.settingsChanged();
      await pageHosts.settingsChanged();
    },

    /** Resolves once settings are in and the unfinished work of a stopped worker is resumed. */
    ready,

    /** Resolves when every event handed in so far has been handled and written (tests). */
    async idle(): Promise<void> {
      await ready;
      while (working.size > 0) {
        await Promise.all([...working]);
      }
      await pageHosts.idle();
    },
  };
}

export type Tabs = ReturnType<typeof createTabs>;
