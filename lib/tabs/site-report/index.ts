/**
 * One verdict per tab, kept in a session store so a worker that the browser stops and restarts
 * loses nothing.
 *
 * Lifecycle of a tab's record (key `tab:<id>` in the session store, `{ shown, pending }`):
 * - navigation starts → a fresh `pending` report for the new hostname; the DoH lookup starts (unless
 *   the site is allowlisted, an IP literal, or privacy mode is on). The `shown` report, of the page
 *   still in the tab, stays as it is: many navigations never commit (HTTP 204, a download, a cancel);
 * - the main-frame response starts → the address the browser connected to joins the pending report,
 *   unless it is a proxy's (lib/proxy: Firefox says so, or the repeated-address pattern finds it),
 *   and is remembered for the site (lib/tabs/connection-memory.ts, one hour). A response with no
 *   address (the page came from the browser's cache) takes the remembered connection instead, or,
 *   with none, says the page could not be checked from the cache ('from-cache'): never clean;
 * - a report started with no connection yet (navigation start, or a commit with no response seen:
 *   a back/forward cache restore) starts from the remembered connection, if any, until its own;
 * - the navigation commits → the pending report becomes `shown` and from then on every change is
 *   shown on the badge (the browser wipes a per-tab badge at commit, so earlier writes would be lost);
 * - the navigation fails or is cancelled (onErrorOccurred), or the next one starts → the pending
 *   report goes, and the shown one keeps its badge;
 * - the tab closes → the record goes.
 * A report whose DoH lookup was in flight when the worker died is resumed by `resumePending`.
 *
 * Memory holds a write-through copy of each record, so a store that refuses a write (the session
 * quota is about 10 MB, shared with the DNS cache) never stops the badge: it is set from memory,
 * the report says `notSaved`, and the popup says so. Budget: a report keeps at most
 * REPORT_MAX_ADDRESSES addresses (a few hundred bytes each, so under about 25 KB; a typical report is
 * 1–2 KB), and the DNS cache its own limits (lib/dns/cache.ts), which together leave room for
 * hundreds of the largest reports.
 */
import { canonicalIp, createProxyDetector, type ProxyFact } from '../../proxy';
import { BADGE_NEUTRAL_COLOR, ENGLISH_BADGE_WORDS } from '../../verdict';
import { compileWatchlist } from '../../watchlist/match';
import { createConnectionMemory } from '../connection-memory';
import { hostnameOf, initialDoh, isWebUrl } from '../host-rules';
import type { Badge, TabReport } from '../types';
import {
  connectionKnown,
  hasConnection,
  hasOwnConnection,
  rememberedKnown,
  reportedProxy,
  withConnection,
  type ConnectionKnown,
} from './connection';
import { lookupOutcome } from '../host-rules';
import { changedParts, evaluateReport, siteBadge } from './evaluate';
import type { TabMonitorDeps } from './deps';
import { createReportStore } from './persistence';

export type { TabMonitorDeps } from './deps';
export { boundAddresses, REPORT_MAX_ADDRESSES } from './record';
export type {
  Badge,
  BrowserOnlyReason,
  DohState,
  SessionArea,
  TabRecord,
  TabReport,
} from '../types';

/** Creates the monitor; every method is safe to call from a listener (errors are logged, not thrown). */
export function createTabMonitor(deps: TabMonitorDeps) {
  // Serialises work per tab so two events never write one record concurrently.
  const queues = new Map<number, Promise<void>>();
  /** What each tab's badge shows now (for this navigation), so only what changed is set. */
  const lastBadge = new Map<number, Badge & { navigationId: string }>();
  /** Badge refreshes queued and not yet started, by tab (see refreshBadge). */
  const refreshes = new Map<number, Promise<void>>();
  const reports = createReportStore(deps);
  const { readRecord, writeRecord, allRecords } = reports;
  let matcher = compileWatchlist(deps.getSettings().watchlist);
  const proxies = createProxyDetector(deps);
  const connections = createConnectionMemory(deps);
  let navigationCounter = 0;

  function enqueue(tabId: number, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(tabId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => deps.log(`tab ${tabId}: update failed`, error));
    queues.set(tabId, next);
    void next.then(() => {
      if (queues.get(tabId) === next) queues.delete(tabId);
    });
    return next;
  }

  /** Waits for the table only here, so a DoH query never waits for the table to load. */
  async function evaluate(
    report: Omit<TabReport, 'verdict' | 'final' | 'updatedAt'>,
  ): Promise<TabReport> {
    const judged = await evaluateReport(report, {
      table: await deps.table,
      settings: deps.getSettings(),
      matcher,
      judgeProxy: (connection) => proxies.judge(connection),
      now: deps.now,
    });
    if (judged.newProxy) refreshReportsThrough(judged.newProxy.address, report.tabId);
    return judged.report;
  }

  /** A proxy was just recognised: every other tab that connected through it is judged again. */
  function refreshReportsThrough(proxyAddress: string, exceptTabId: number): void {
    void allRecords().then(
      (all) => {
        for (const stale of all.flatMap((r) => [r.shown, r.pending])) {
          if (!stale || stale.tabId === exceptTabId || !stale.browserAddress) continue;
          if (canonicalIp(stale.browserAddress) !== proxyAddress) continue;
          void enqueue(stale.tabId, async () => {
            const record = await readRecord(stale.tabId);
            const current = [record.shown, record.pending].find(
              (r) => r?.navigationId === stale.navigationId,
            );
            if (current) await store(await evaluate(current));
          });
        }
      },
      (error: unknown) => deps.log(`reports through proxy ${proxyAddress} not refreshed`, error),
    );
  }

  /** Replaces the report of the same navigation (shown or pending); the tab may have moved on. */
  async function store(report: TabReport): Promise<void> {
    const record = await readRecord(report.tabId);
    if (record.shown?.navigationId === report.navigationId) {
      // The badge first: what the person sees must not wait for a storage write.
      await showBadge(report);
      await writeRecord(report.tabId, { ...record, shown: report });
    } else if (record.pending?.navigationId === report.navigationId) {
      await writeRecord(report.tabId, { ...record, pending: report });
    }
  }

  async function showBadge(report: TabReport): Promise<void> {
    const site = siteBadge(report, deps.badgeWords ?? ENGLISH_BADGE_WORDS);
    const badge = deps.decorateBadge ? await deps.decorateBadge(report, site) : site;
    const last = lastBadge.get(report.tabId);
    const changed = changedParts(
      last?.navigationId === report.navigationId ? last : undefined,
      badge,
    );
    if (changed.size === 0) return;
    await deps.setBadge(report.tabId, badge, changed);
    lastBadge.set(report.tabId, { ...badge, navigationId: report.navigationId });
  }

  /** Runs the DoH lookup for a report and stores the outcome, unless the tab moved on meanwhile. */
  async function runLookup(tabId: number, navigationId: string, hostname: string): Promise<void> {
    const outcome = await lookupOutcome(
      () => deps.resolve(hostname, deps.getSettings()),
      hostname,
      deps.log,
      true,
    );
    await enqueue(tabId, async () => {
      const record = await readRecord(tabId);
      const report = [record.shown, record.pending].find((r) => r?.navigationId === navigationId);
      if (!report) return;
      await store(await evaluate({ ...report, doh: outcome, omittedAddresses: undefined }));
    });
  }

  function startReport(
    tabId: number,
    url: string,
    committed: boolean,
    known: ConnectionKnown,
  ): Omit<TabReport, 'verdict' | 'final' | 'updatedAt'> {
    const hostname = hostnameOf(url) ?? '';
    const settings = deps.getSettings();
    navigationCounter += 1;
    const report: Omit<TabReport, 'verdict' | 'final' | 'updatedAt'> = {
      tabId,
      url,
      hostname,
      navigationId: `${deps.now().toString(36)}-${navigationCounter}`,
      committed,
      doh: initialDoh(hostname, settings),
    };
    return withConnection(report, known);
  }

  /** The site's remembered connection as what a report knows, or `none` when there is none. */
  async function recalled(hostname: string, none: ConnectionKnown): Promise<ConnectionKnown> {
    const last = hostname ? await connections.recall(hostname) : undefined;
    return last ? rememberedKnown(last) : none;
  }

  /** Remembers the report's connection when it is this navigation's own. */
  async function rememberOwn(report: TabReport): Promise<void> {
    if (report.browserAddress === undefined || report.rememberedConnection) return;
    const connection = report.proxy
      ? { ip: report.browserAddress, proxy: report.proxy }
      : { ip: report.browserAddress };
    await connections.remember(report.hostname, connection);
  }

  /**
   * A fresh report for `url`: as the pending one (a navigation under way; the shown report and
   * its badge stay) or as the shown one (the tab now shows this page; any pending one is dropped).
   */
  async function begin(
    tabId: number,
    url: string,
    slot: 'shown' | 'pending',
    known: ConnectionKnown = {},
  ): Promise<TabReport> {
    let report = startReport(tabId, url, slot === 'shown', known);
    // The query goes out first; its answer is queued behind this task, so it finds the report stored.
    if (report.doh.state === 'pending') {
      void runLookup(tabId, report.navigationId, report.hostname);
    }
    // Nothing known of the connection yet: start from the site's last one, if it is remembered.
    if (!hasConnection(known) && !known.noConnection) {
      report = withConnection(report, await recalled(report.hostname, {}));
    }
    const evaluated = await evaluate(report);
    const record = await readRecord(tabId);
    if (slot === 'pending') {
      await writeRecord(tabId, { ...record, pending: evaluated });
    } else {
      await showBadge(evaluated);
      await writeRecord(tabId, { shown: evaluated });
    }
    return evaluated;
  }

  return {
    /** A top-level navigation to `url` started in `tabId`. */
    navigationStarted(tabId: number, url: string): Promise<void> {
      return enqueue(tabId, async () => {
        if (isWebUrl(url)) {
          await begin(tabId, url, 'pending');
          return;
        }
        // Not a web page: nothing to check until it commits; an older pending report is void.
        const record = await readRecord(tabId);
        if (record.pending) await writeRecord(tabId, { shown: record.shown });
      });
    },

    /**
     * The main-frame response for `url` started; `ip` is the address the browser connected to and
     * `proxy` the proxy the browser says it went through (Firefox's proxyInfo), if any. Neither
     * means nothing connected: the page came from the browser's cache (a service worker's too).
     */
    responseStarted(
      tabId: number,
      url: string,
      ip: string | undefined,
      proxy?: ProxyFact,
    ): Promise<void> {
      return enqueue(tabId, async () => {
        if (!isWebUrl(url)) return;
        const { pending, shown } = await readRecord(tabId);
        const hostname = hostnameOf(url) ?? '';
        // Firefox may deliver the main frame's response after the navigation committed: then it
        // belongs to the page now shown, which has no connection of its own yet (and needs no new
        // lookup).
        const current =
          pending && pending.hostname === hostname
            ? pending
            : !pending && shown && shown.hostname === hostname && !hasOwnConnection(shown)
              ? shown
              : undefined;
        const connectedIp = ip || undefined;
        const known: ConnectionKnown =
          connectedIp !== undefined || proxy !== undefined
            ? { browserAddress: connectedIp, proxy }
            : await recalled(hostname, { noConnection: true });
        if (!current) {
          // A redirect to another host, or a worker that missed the start: evaluate the new host.
          await rememberOwn(await begin(tabId, url, 'pending', known));
          return;
        }
        if (hasConnection(known) && !known.rememberedConnection) {
          const sameProxy = proxy?.address === reportedProxy(current)?.address;
          if (
            !current.rememberedConnection &&
            current.browserAddress === connectedIp &&
            sameProxy
          ) {
            return;
          }
        } else if (
          // No connection now: a connection of this navigation's own stays; so does the same memory.
          hasOwnConnection(current) ||
          (current.rememberedConnection?.at === known.rememberedConnection?.at &&
            current.noConnection === known.noConnection)
        ) {
          return;
        }
        const evaluated = await evaluate(withConnection(current, known));
        await store(evaluated);
        await rememberOwn(evaluated);
      });
    },

    /** The top-level navigation committed: its report becomes the shown one, on the badge. */
    navigationCommitted(tabId: number, url: string): Promise<void> {
      return enqueue(tabId, async () => {
        lastBadge.delete(tabId);
        if (!isWebUrl(url)) {
          await writeRecord(tabId, {});
          await deps.setBadge(tabId, {
            text: '',
            color: BADGE_NEUTRAL_COLOR,
            title: 'CarrierFlag',
          });
          return;
        }
        const { pending } = await readRecord(tabId);
        if (!pending || pending.hostname !== hostnameOf(url)) {
          await begin(tabId, url, 'shown');
          return;
        }
        const promoted: TabReport = { ...pending, url, committed: true };
        await showBadge(promoted);
        await writeRecord(tabId, { shown: promoted });
      });
    },

    /**
     * The top-level navigation to `url` failed or was cancelled (webNavigation.onErrorOccurred):
     * its pending report goes; the shown page's report and badge stay.
     */
    navigationFailed(tabId: number, url: string): Promise<void> {
      return enqueue(tabId, async () => {
        const record = await readRecord(tabId);
        if (!record.pending || record.pending.hostname !== hostnameOf(url)) return;
        await writeRecord(tabId, { shown: record.shown });
      });
    },

    /** The tab closed. */
    tabRemoved(tabId: number): Promise<void> {
      lastBadge.delete(tabId);
      return enqueue(tabId, () => writeRecord(tabId, {}));
    },

    /**
     * Something besides the report changed the badge (the page's other hosts): show it again. A
     * burst of changes (a page's hosts answering one by one) comes to one refresh per turn of the
     * tab's queue, not one per change.
     */
    refreshBadge(tabId: number): Promise<void> {
      const queued = refreshes.get(tabId);
      if (queued) return queued;
      const refresh = enqueue(tabId, async () => {
        refreshes.delete(tabId);
        const { shown } = await readRecord(tabId);
        if (shown) await showBadge(shown);
      });
      refreshes.set(tabId, refresh);
      return refresh;
    },

    /**
     * The tab's page finished loading (webNavigation.onCompleted): set its badge again, even if
     * unchanged. A browser may reset a tab's badge on its own navigation bookkeeping after our
     * commit handler ran (seen in Firefox on a loaded machine: a flagged page left with the
     * default badge); setting it once more at load is cheap and makes that fault short-lived.
     */
    pageLoaded(tabId: number, url: string): Promise<void> {
      return enqueue(tabId, async () => {
        const { shown } = await readRecord(tabId);
        if (!shown || shown.hostname !== hostnameOf(url)) return;
        lastBadge.delete(tabId);
        await showBadge(shown);
      });
    },

    /**
     * The report the popup shows: the page the tab shows, else the first navigation still under
     * way (a new tab); null when the tab has no web page.
     */
    async getReport(tabId: number): Promise<TabReport | null> {
      const record = await readRecord(tabId);
      return record.shown ?? record.pending ?? null;
    },

    /** After a worker restart: finish every lookup that was in flight when the old worker died. */
    async resumePending(): Promise<void> {
      for (const record of await allRecords()) {
        for (const report of [record.shown, record.pending]) {
          if (report?.doh.state === 'pending') {
            void runLookup(report.tabId, report.navigationId, report.hostname);
          }
        }
      }
    },

    /** Settings changed: re-evaluate every open tab against the new watchlist, resolver and lists. */
    async settingsChanged(): Promise<void> {
      matcher = compileWatchlist(deps.getSettings().watchlist);
      for (const { shown, pending } of await allRecords()) {
        const tabId = (shown ?? pending)!.tabId;
        await enqueue(tabId, async () => {
          const current = await readRecord(tabId);
          if (current.shown) {
            await begin(tabId, current.shown.url, 'shown', connectionKnown(current.shown));
          }
          if (current.pending) {
            await begin(tabId, current.pending.url, 'pending', connectionKnown(current.pending));
          }
        });
      }
    },
  };
}

export type TabMonitor = ReturnType<typeof createTabMonitor>;
