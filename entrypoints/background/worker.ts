import type { Browser, Runtime } from 'webextension-polyfill';
import { isStale } from '../../lib/data-update/dates';
import { createDataUpdateService, type LastUpdateAttempt } from '../../lib/data-update/service';
import { createDohClient, createStorageDnsCache, testResolver } from '../../lib/dns';
import { isMessage, isOwnPage, type EngineStatus, type Message } from '../../lib/messages';
import { createWebTableCodec } from '../../lib/prefix-table/web-codec';
import {
  migrateSettings,
  resolverUrlOf,
  validateSettings,
  type Settings,
} from '../../lib/settings';
import { proxyFromProxyInfo } from '../../lib/proxy';
import { openDatabase } from '../../lib/storage/database';
import { importTable, loadTable, type LoadedTable } from '../../lib/table-loader';
import { DEFAULT_WATCHLIST } from '../../lib/watchlist/defaults';
import type { PrefixLookup } from '../../lib/verdict';
import { createTabMonitor, type TabMonitor } from '../../lib/tab-monitor';
import { pageBadge } from '../../lib/tabs/badge';
import { createPageHosts, type PageHosts } from '../../lib/tabs/page-hosts';
import { hostnameOf } from '../../lib/tabs/host-rules';
import { createHostWitness } from '../../lib/tabs/host-witness';
import { createRequestDocuments, type RequestOrigin } from '../../lib/tabs/request-documents';
import { createRequestStarts } from '../../lib/tabs/request-starts';
import { createNavigationHops } from '../../lib/tabs/navigation-hops';
import { redirectKind, type RedirectDetails } from '../../lib/tabs/redirects';
import {
  createTabOrigins,
  isPageWorkerRequest,
  requesterOrigin,
  type RequestMaker,
} from '../../lib/tabs/worker-requests';
import { BADGE_WORDS, PAGE_BADGE_WORDS } from './badge-words';
import { startHostAccess } from './host-access';

const SETTINGS_KEY = 'settings';
/** storage.local: how the last routing data update ended (shown after a worker restart too). */
const LAST_UPDATE_KEY = 'data-update-last';
/** The weekly routing data check (README, "What leaves your machine"). */
const UPDATE_ALARM = 'routing-data-update';
const WEEK_MINUTES = 7 * 24 * 60;
/**
 * The first scheduled check, after the schedule is set up (install, or the switch turned on): an
 * hour, so a fresh install with months-old bundled data is brought up to date the same day, but
 * not in the burst of work a browser start or an install already is.
 */
const FIRST_CHECK_MINUTES = 60;
/**
 * When the data in use is already stale at start (a fresh install bundles months-old data, or the
 * browser was closed for weeks) or the sources just changed, one check a minute after start (or
 * the change) instead of an hour; not again within STALE_RETRY_MS of the last attempt at the same
 * sources, so a worker woken every few seconds never hammers them.
 */
const SOON_ALARM = 'routing-data-check-soon';
const SOON_MINUTES = 1;
const STALE_RETRY_MS = 6 * 60 * 60 * 1000;
/** The bundled table's id, read from its header at build time (wxt.config.ts); '' if unknown. */
declare const __CARRIERFLAG_TABLE_ID__: string;
const BUNDLED_TABLE_ID = __CARRIERFLAG_TABLE_ID__;

/** Registers every listener synchronously, then starts up; returns the readiness promise. */
export function startWorker(browser: Browser): Promise<void> {
  const log = (message: string, error?: unknown) =>
    console.warn(`[CarrierFlag] ${message}`, error ?? '');
  const problems: string[] = [];
  let settings: Settings | undefined;
  let loaded: LoadedTable | undefined;
  let monitor: TabMonitor | undefined;
  let pageHosts: PageHosts | undefined;

  // The DoH client's own keys are already namespaced ('dns:…'), so they share storage.session with
  // the tab reports; the cache bounds itself (count and bytes) so it can never fill the area.
  const dnsCache = createStorageDnsCache(browser.storage.session, { now: Date.now, log });
  // Access to sites (Firefox may withhold it): while missing, every badge says so (host-access.ts).
  const hostAccess = startHostAccess(browser, {
    refreshBadge: (tabId) => ready.then(() => monitor!.refreshBadge(tabId)),
    log,
  });

  // Two start-up paths in parallel: settings (enough to send a DoH query) and the prefix table
  // (needed only to judge the answer). A navigation that woke the worker does not wait for the table.
  const settingsReady = (async () => {
    const stored = await browser.storage.local.get(SETTINGS_KEY).catch((error: unknown) => {
      problems.push(`Settings could not be read: ${String(error)}`);
      return {} as Record<string, unknown>;
    });
    const migrated = migrateSettings(stored[SETTINGS_KEY]);
    settings = migrated.settings;
    if (migrated.problem) problems.push(migrated.problem);
    if (migrated.changed) await browser.storage.local.set({ [SETTINGS_KEY]: settings });
  })();

  const tableReady: Promise<PrefixLookup> = loadTable({
    bundledTableId: BUNDLED_TABLE_ID,
    fetchBundled: async () => {
      const response = await fetch(browser.runtime.getURL('/prefix-table.bin'));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    openDatabase: () => openDatabase(indexedDB),
    codec: createWebTableCodec(),
    now: Date.now,
  }).then(
    (result) => {
      loaded = result;
      problems.push(...result.problems);
      // Lookups go through `loaded`, so a routing data update switches every user of the table
      // at once, between two lookups (never during one).
      return { lookup: (text: string) => loaded!.table.lookup(text) };
    },
    (error: unknown) => {
      problems.push(`No prefix table could be loaded: ${String(error)}. Sites cannot be checked.`);
      return { lookup: () => ({ kind: 'invalid', reason: 'no prefix table loaded' }) };
    },
  );

  // Routing data updates (lib/data-update): downloaded, read and guarded in lib/, stored here
  // exactly as the bundled import is (one transaction writes the table and switches 'active').
  let lastKeepAlive = 0;
  /** Listeners for the redirects of the worker's own requests (the routing data downloads). */
  const ownRedirects = new Set<(from: string, to: string) => void>();
  const updater = createDataUpdateService({
    fetch: (url, init) => fetch(url, init),
    codec: createWebTableCodec(),
    now: Date.now,
    sources: () => settings!.dataUpdate.sources,
    // A worker cannot read a redirect's Location: the browser follows, and each hop it reports
    // (webRequest.onBeforeRedirect, below) is checked as it happens, the final address in any case.
    redirects: 'browser',
    watchRedirects: (onHop) => {
      ownRedirects.add(onHop);
      return () => ownRedirects.delete(onHop);
    },
    current: async () => {
      await tableReady;
      return loaded
        ? { table: loaded.table, ...(loaded.download ? { download: loaded.download } : {}) }
        : null;
    },
    switchTo: async (table, download) => {
      const db = await openDatabase(indexedDB);
      try {
        await importTable(db, table, Date.now(), download);
      } finally {
        db.close();
      }
      loaded = { table, origin: 'indexeddb', problems: loaded?.problems ?? [], download };
    },
    loadLast: async () =>
      ((await browser.storage.local.get(LAST_UPDATE_KEY))[LAST_UPDATE_KEY] as
        LastUpdateAttempt | undefined) ?? null,
    saveLast: (attempt) => browser.storage.local.set({ [LAST_UPDATE_KEY]: attempt }),
    carrierGroups: DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
    automatic: () => settings!.dataUpdate.automatic,
    // Between slices of the download and the build's phases: tab events and messages get their
    // turn. An extension API call now and then resets Chromium's 30 s idle timer, which a fetch
    // alone does not (an alarm-started update has no open message port to keep the worker up).
    yieldToEvents: () => {
      if (Date.now() - lastKeepAlive > 10_000) {
        lastKeepAlive = Date.now();
        void browser.runtime.getPlatformInfo().catch(() => undefined);
      }
      return new Promise((done) => setTimeout(done, 0));
    },
    log,
  });

  /** The weekly alarm exists exactly when automatic updates are on; an existing one keeps its time. */
  async function scheduleUpdates(automatic: boolean): Promise<void> {
    if (!automatic) {
      await browser.alarms.clear(UPDATE_ALARM);
      await browser.alarms.clear(SOON_ALARM);
      return;
    }
    const status = await updater.status();
    const now = Date.now();
    const stale = status.table?.publishedAt != null && isStale(status.table.publishedAt, now);
    const due =
      status.pendingCheck || status.last === null || now - status.last.at > STALE_RETRY_MS;
    if (stale && due && !status.running && !(await browser.alarms.get(SOON_ALARM))) {
      browser.alarms.create(SOON_ALARM, { delayInMinutes: SOON_MINUTES });
    }
    if (await browser.alarms.get(UPDATE_ALARM)) return;
    browser.alarms.create(UPDATE_ALARM, {
      delayInMinutes: FIRST_CHECK_MINUTES,
      periodInMinutes: WEEK_MINUTES,
    });
  }

  const resolve = (hostname: string, current: Settings) =>
    createDohClient({
      fetch: (input, init) => fetch(input, init),
      resolverUrl: resolverUrlOf(current.resolver),
      cache: dnsCache,
    }).resolve(hostname);

  const ready = settingsReady.then(async () => {
    pageHosts = createPageHosts({
      session: browser.storage.session as never,
      table: tableReady,
      getSettings: () => settings!,
      resolve,
      pageOf: async (tabId) => {
        const report = await monitor!.getReport(tabId);
        return report?.committed ? { url: report.url } : null;
      },
      onChange: (tabId) => void monitor!.refreshBadge(tabId),
      now: Date.now,
      log,
    });
    monitor = createTabMonitor({
      session: browser.storage.session as never,
      setBadge: async (tabId, badge) => {
        // Colour and title first, the text last: three separate calls, and a badge whose text
        // already reads "CT" must never be seen on the previous (grey) colour or tooltip.
        try {
          await browser.action.setBadgeBackgroundColor({ tabId, color: badge.color });
          await browser.action.setTitle({ tabId, title: badge.title });
          await browser.action.setBadgeText({ tabId, text: badge.text });
        } catch (error) {
          log(`badge for tab ${tabId} not set`, error);
        }
      },
      table: tableReady,
      getSettings: () => settings!,
      resolve,
      now: Date.now,
      log,
      badgeWords: BADGE_WORDS,
      decorateBadge: async (report, badge) =>
        hostAccess.decorate(
          report,
          pageBadge(
            badge,
            report,
            await pageHosts!.summary(report.tabId),
            settings!.countThirdPartyHosts,
            PAGE_BADGE_WORDS,
          ),
        ),
    });
    await monitor.resumePending();
    await pageHosts.resumePending();
    // Off the critical path: deciding whether old data needs a check soon waits for the table,
    // and tab events and messages (which await `ready`) must not.
    void scheduleUpdates(settings!.dataUpdate.automatic).catch((error: unknown) =>
      log('the update schedule could not be set', error),
    );
    // Housekeeping, off the critical path: storage.session is small and outlives the worker.
    void dnsCache.prune();
  });

  // Listeners: registered synchronously so events that woke the worker are not missed.
  const whenReady = (work: (m: TabMonitor) => Promise<void>) => {
    ready.then(() => work(monitor!)).catch((error: unknown) => log('event handling failed', error));
  };

  const whenHostsReady = (work: (h: PageHosts) => Promise<void>) => {
    ready
      .then(() => work(pageHosts!))
      .catch((error: unknown) => log('event handling failed', error));
  };

  interface PageRequest {
    url: string;
    ip?: string;
    proxyInfo?: unknown;
    startedAt: number;
  }
  // Which tab and top-level document a request is of (the browser's documentId), and the requests
  // whose tab the browser could not yet say, until their document commits.
  const requestDocuments = createRequestDocuments<PageRequest>({
    now: () => Date.now(),
    onGivenUp: (request, why) =>
      log(
        `a request to ${hostnameOf(request.url) ?? 'a host'} is not listed: its page is unknown (${why})`,
      ),
  });
  const seeRequest = (request: PageRequest, tabId: number, topDocument: string | undefined) => {
    whenHostsReady(async (h) =>
      h.requestSeen(
        tabId,
        request.url,
        await hostWitness(tabId, request),
        request.startedAt,
        topDocument,
      ),
    );
  };
  // Requests of a site's service or shared worker name no tab, only their origin: they are listed
  // under the tabs showing a page of that origin (lib/tabs/worker-requests.ts). One tab query per
  // worker start, on the first such request; every commit since keeps the map current.
  const tabOrigins = createTabOrigins({
    listTabs: async () =>
      (await browser.tabs.query({})).map((tab) => ({ id: tab.id, url: tab.url })),
  });
  // A top-level navigation's redirect hops, listed on the page it commits (lib/tabs/navigation-hops.ts).
  const navigationHops = createNavigationHops();
  // Host lists are told the browser's own times (details.timeStamp; for a request, its start):
  // events of different kinds can reach the worker out of order, a page's first scripts before its
  // main-frame response.
  browser.webNavigation.onBeforeNavigate.addListener((details) => {
    if (details.frameId !== 0) return;
    navigationHops.navigationStarted(details.tabId, details.timeStamp);
    whenReady((m) => m.navigationStarted(details.tabId, details.url));
    whenHostsReady((h) => h.navigationStarted(details.tabId, details.timeStamp));
  });
  browser.webNavigation.onCommitted.addListener((details) => {
    const { documentId } = details as { documentId?: string };
    // Any frame's commit places the requests that waited for their document (request-documents.ts).
    const released = requestDocuments.committed(details.tabId, details.frameId, documentId);
    if (details.frameId === 0) {
      tabOrigins.committed(details.tabId, details.url);
      whenHostsReady((h) =>
        h.navigationCommitted(details.tabId, details.url, details.timeStamp, documentId),
      );
      whenReady((m) => m.navigationCommitted(details.tabId, details.url));
      // The hops that led here are this page's requests (made before its document existed).
      for (const hop of navigationHops.committed(details.tabId)) {
        const request = { url: hop.url, ip: hop.ip, proxyInfo: hop.proxyInfo };
        seeRequest({ ...request, startedAt: details.timeStamp }, details.tabId, documentId);
      }
    }
    for (const { item, tabId, topDocument } of released) seeRequest(item, tabId, topDocument);
  });
  browser.webNavigation.onCompleted.addListener((details) => {
    if (details.frameId === 0) whenReady((m) => m.pageLoaded(details.tabId, details.url));
  });
  // A navigation that never commits (HTTP 204, a download, a cancel) ends here, if anywhere.
  browser.webNavigation.onErrorOccurred.addListener((details) => {
    if (details.frameId !== 0) return;
    navigationHops.dropped(details.tabId);
    whenReady((m) => m.navigationFailed(details.tabId, details.url));
  });
  browser.webRequest.onResponseStarted.addListener(
    (details) => {
      if (details.tabId >= 0) {
        // Firefox names the proxy a request went through; Chromium has no such field.
        const { proxyInfo } = details as { proxyInfo?: unknown };
        const proxy = proxyFromProxyInfo(proxyInfo, details.ip);
        whenReady((m) => m.responseStarted(details.tabId, details.url, details.ip, proxy));
        // A prerendered page is not (yet) the tab's page: its main frame starts no new host list.
        const lifecycle = (details as { documentLifecycle?: string }).documentLifecycle;
        if (lifecycle !== 'prerender') {
          whenHostsReady((h) => h.mainFrameResponseStarted(details.tabId, details.timeStamp));
        }
      }
    },
    { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] },
  );
  // Every other request of a tab: its host joins the page's host list (lib/tabs/page-hosts.ts),
  // dated by when it started (lib/tabs/request-starts.ts): the response or error of an old page's
  // request can be reported after the next page began. Not blocking, and registered synchronously:
  // the map is memory only, and a start missed while the worker was down falls back to the report.
  // The extension's own requests (tabId -1, made by its origin) are no page's and are left out.
  const requestStarts = createRequestStarts();
  browser.webRequest.onBeforeRequest.addListener(
    (details) => {
      const unplaced = (details as { documentLifecycle?: string }).documentLifecycle === '';
      const ofPage = details.tabId >= 0 || unplaced || isPageWorkerRequest(details as RequestMaker);
      if (ofPage && details.type !== 'main_frame') requestStarts.started(details);
    },
    { urls: ['<all_urls>'] },
  );
  type RequestDetails = RequestOrigin & RequestMaker & { type: string; url: string; ip?: string };
  const requestOfPage = (details: RequestDetails, startedAt: number) => {
    if (details.type === 'main_frame') return;
    const { proxyInfo } = details as { proxyInfo?: unknown };
    const request: PageRequest = { url: details.url, ip: details.ip, proxyInfo, startedAt };
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
  /**
   * The connected address as a witness for a page's other host (lib/tabs/host-witness.ts): a
   * proxy's address (Firefox's proxyInfo, or the tab's own page's proxy) is set aside unless it is
   * on a watched network, where it flags the host it carried.
   */
  const hostWitness = createHostWitness({
    table: tableReady,
    getSettings: () => settings!,
    pageProxyOf: async (tabId) => (await monitor!.getReport(tabId))?.verdict.proxy?.address,
  });
  browser.webRequest.onResponseStarted.addListener(
    (details) => requestOfPage(details, requestStarts.responded(details)),
    { urls: ['<all_urls>'] },
  );
  browser.webRequest.onErrorOccurred.addListener(
    (details) => requestOfPage(details, requestStarts.failed(details)),
    { urls: ['<all_urls>'] },
  );
  browser.tabs.onRemoved.addListener((tabId) => {
    tabOrigins.removed(tabId);
    navigationHops.dropped(tabId);
    whenReady((m) => m.tabRemoved(tabId));
    whenHostsReady((h) => h.tabRemoved(tabId));
  });

  // Redirects, sorted by lib/tabs/redirects.ts. The hops of the worker's own requests go to the
  // routing data download, which checks each. A page's hop lists the host that answered with the
  // redirect (a carrier host sending a clean one on was still contacted), with the hop's own
  // address; a navigation's hops wait for its commit.
  browser.webRequest.onBeforeRedirect.addListener(
    (details) => {
      const kind = redirectKind(details as RedirectDetails);
      if (kind === 'own') {
        for (const onHop of ownRedirects) onHop(details.url, details.redirectUrl);
      } else if (kind === 'request') {
        requestOfPage(details, requestStarts.responded(details));
      } else if (kind === 'navigation') {
        const { proxyInfo } = details as { proxyInfo?: unknown };
        navigationHops.redirected(details.tabId, {
          url: details.url,
          ip: details.ip,
          proxyInfo,
          at: details.timeStamp,
        });
      }
    },
    { urls: ['http://*/*', 'https://*/*'] },
  );

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== UPDATE_ALARM && alarm.name !== SOON_ALARM) return;
    ready
      .then(() => (settings!.dataUpdate.automatic ? updater.updateNow() : undefined))
      .catch((error: unknown) => log('scheduled update failed', error));
  });

  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    // Only our own pages may talk to the worker; anything else gets no answer at all.
    if (!isMessage(message)) return undefined;
    if (!isOwnPage(sender, browser.runtime.id, browser.runtime.getURL('/'))) return undefined;
    return ready
      .then(() => handle(message))
      .catch((error: unknown) => {
        log(`message ${message.type} failed`, error);
        throw new Error(`CarrierFlag could not handle ${message.type}: ${String(error)}`);
      });
  });

  async function handle(message: Message): Promise<unknown> {
    switch (message.type) {
      case 'get-tab-report':
        return monitor!.getReport(message.tabId);
      case 'get-page-hosts':
        return pageHosts!.getPageHosts(message.tabId);
      case 'get-status': {
        await tableReady;
        const status: EngineStatus = {
          tableMeta: loaded?.table.meta ?? null,
          tableOrigin: loaded?.origin ?? 'none',
          problems,
          dataUpdate: await updater.status(),
        };
        return status;
      }
      case 'update-data-now':
        await updater.updateNow();
        return updater.status();
      case 'get-data-update-status':
        return updater.status();
      case 'save-data-update-settings': {
        const checked = validateSettings({ ...settings!, dataUpdate: message.dataUpdate });
        if (!checked.ok) return checked;
        await browser.storage.local.set({ [SETTINGS_KEY]: checked.settings });
        settings = checked.settings;
        await scheduleUpdates(checked.settings.dataUpdate.automatic);
        return checked;
      }
      case 'get-settings':
        return { settings: settings! };
      case 'save-settings': {
        // The update settings are 'save-data-update-settings'' own: a page's older copy keeps them.
        const checked = validateSettings({ ...message.settings, dataUpdate: settings!.dataUpdate });
        if (!checked.ok) return checked;
        // One record, one write: a failed write leaves the previous settings whole.
        await browser.storage.local.set({ [SETTINGS_KEY]: checked.settings });
        settings = checked.settings;
        await monitor!.settingsChanged();
        await pageHosts!.settingsChanged();
        return checked;
      }
      case 'test-resolver':
        // The client refuses a URL validateResolverUrl would refuse, as an 'invalid-resolver' error.
        return testResolver({
          fetch: (input, init) => fetch(input, init),
          resolverUrl: typeof message.resolverUrl === 'string' ? message.resolverUrl : '',
          now: () => performance.now(),
        });
    }
  }

  // Fully started: settings, the tab monitor and the table.
  return Promise.all([ready, tableReady]).then(
    () => undefined,
    (error: unknown) => log('start-up failed', error),
  );
}
