/**
 * Every host a page talks to: the third-party hosts of a tab's current page, each judged the way the
 * site's own host is (its DoH answer plus the address the browser connected to), bounded in number
 * and size, and kept in the session store so a worker the browser stops and restarts loses nothing.
 *
 * Lifecycle of a tab's host list (key `hosts:<id>` in the session store):
 * - the main-frame response of a navigation starts → the list marks where the next page begins;
 * - that navigation commits → the list keeps only the hosts requested since the mark (the new
 *   page's first scripts can be reported before the commit is) and is the new page's; with no
 *   mark, it starts empty. A navigation that never commits (a download, a 204) leaves the list
 *   alone, and same-document navigations do not commit, so a single-page app keeps its list;
 * - a request of the tab (not its main frame) gets a response or fails → its host joins the list,
 *   unless it is the site's own host, or the browser names its top-level document and that is one
 *   of the tab's earlier pages (by document, not time: an old page's timers run until the commit);
 *   a new host's DoH lookup is queued unless the browser's connection to it already says where its
 *   data went (a public address with a row in the routing data, not a proxy's: judge.ts), privacy
 *   mode is on, or the name is private or local, an IP literal or allowlisted; the lookups of a
 *   loading page wait for its load event (at most LOOKUP_HOLD_MS: lookups.ts);
 * - a lookup answers → the host's evidence is stored and `onChange` tells the badge to look again;
 * - the tab closes → the list goes.
 * Lookups are shared: one in flight per host name however many requests and tabs want it, and at
 * most `maxLookupsInFlight` at once, the tabs taking turns (lib/tabs/lookup-scheduler.ts): a page
 * that floods the queue delays another tab's lookups by about one lookup, and the queued lookups of
 * a closed tab or a replaced page never run. Once answered, the DoH client's own TTL cache (also in
 * the session store) answers the next tab that asks, so a host is resolved at most once per TTL.
 * Beyond MAX_HOSTS_PER_TAB a new host is kept (doh skipped, 'over-limit') only when the address the
 * browser connected to is on a watched network; where that address says nothing (none, or a local
 * one) it is looked up, a bounded number per page, and kept if the answer flags it; else counted.
 * Verdicts are not stored, only the evidence: they are rebuilt with buildVerdict when read, so a
 * changed watchlist applies at once and the record stays small.
 * Module-level state is a cache of the stored records plus the queues of in-flight work.
 * Beside this file: limits.ts (every bound), record.ts (the stored shape and its pure rules),
 * judge.ts (one host's evidence and verdict), lookups.ts (when and how hosts are looked up).
 */

import { compileWatchlist } from '../../watchlist/match';
import { hostnameOf, initialDoh, isWebUrl } from '../host-rules';
import { createLookupScheduler } from '../lookup-scheduler';
import type { DohState } from '../types';
import { admitHost } from './admission';
import type { PageHostsDeps } from './deps';
import { hostDoh, lookupScope, witnessOf } from './judge';
import {
  LOOKUP_HOLD_MS,
  MAX_CLOSED_TABS_REMEMBERED,
  MAX_HOSTS_PER_TAB,
  MAX_LOOKUPS_IN_FLIGHT,
  MAX_QUEUED_LOOKUPS_PER_TAB,
  WRITE_DELAY_MS,
} from './limits';
import { createHostLookups } from './lookups';
import { createHostLists } from './persistence';
import {
  isRequestUrl,
  nextPage,
  RECORD_VERSION,
  replaceHost,
  requestedSince,
  withDocument,
  type PageHostsRecord,
  type PageHostsView,
  type StoredHost,
  type ThirdPartySummary,
} from './record';
import { createHostViews } from './views';

export type { PageHostsDeps } from './deps';
export { judgeHost } from './judge';
export * from './limits';
export type {
  HostDoh,
  NotLookedUpReason,
  PageHostsRecord,
  PageHostsView,
  PageHostView,
  StoredHost,
  ThirdPartySummary,
} from './record';

/** Creates the tracker; every method is safe to call from a listener (errors are logged, not thrown). */
export function createPageHosts(deps: PageHostsDeps) {
  const maxHosts = deps.maxHostsPerTab ?? MAX_HOSTS_PER_TAB;
  const queues = new Map<number, Promise<void>>();
  const lists = createHostLists({
    session: deps.session,
    writeDelayMs: deps.writeDelayMs ?? WRITE_DELAY_MS,
    log: deps.log,
  });
  /** Lookups asked for and not yet stored or dropped. */
  const outstanding = new Set<Promise<void>>();
  /**
   * Tabs closed lately (the browser never reuses a tab id in a session): updates the tab had
   * queued before its close still run in turn, and must not queue lookups the close forgot.
   */
  const closedTabs = new Set<number>();
  const scheduler = createLookupScheduler<DohState>({
    maxInFlight: deps.maxLookupsInFlight ?? MAX_LOOKUPS_IN_FLIGHT,
    maxQueuedPerTab: deps.maxQueuedLookupsPerTab ?? MAX_QUEUED_LOOKUPS_PER_TAB,
  });
  let matcher = compileWatchlist(deps.getSettings().watchlist);
  const views = createHostViews({
    table: deps.table,
    getSettings: deps.getSettings,
    matcher: () => matcher,
    maxHosts,
  });
  /** Bumped when what a lookup depends on changes (resolver, privacy mode, allowlist). */
  let generation = 0;
  let scope = lookupScope(deps.getSettings());
  let pageCounter = 0;
  const lookups = createHostLookups({
    deps,
    scheduler,
    enqueue,
    load: lists.load,
    persist: lists.persist,
    closedTabs,
    outstanding,
    generation: () => generation,
    matcher: () => matcher,
    lookupHoldMs: deps.lookupHoldMs ?? LOOKUP_HOLD_MS,
  });

  function enqueue(tabId: number, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(tabId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => deps.log(`tab ${tabId}: host list update failed`, error));
    queues.set(tabId, next);
    void next.then(() => {
      if (queues.get(tabId) === next) queues.delete(tabId);
    });
    return next;
  }

  function newRecord(tabId: number, url: string): PageHostsRecord {
    pageCounter += 1;
    return {
      version: RECORD_VERSION,
      tabId,
      pageId: `${deps.now().toString(36)}-${pageCounter}`,
      pageUrl: url,
      siteHostname: hostnameOf(url) ?? '',
      hosts: [],
      overflowHosts: 0,
      overflowHashes: [],
      seq: 0,
    };
  }

  return {
    /**
     * The tab's top-level navigation committed `url` (at `at`, as document `documentId` when the
     * browser names it): a new page, a new host list.
     */
    navigationCommitted(
      tabId: number,
      url: string,
      at?: number,
      documentId?: string,
    ): Promise<void> {
      return enqueue(tabId, async () => {
        if (!isWebUrl(url)) {
          scheduler.forget(tabId);
          await lists.drop(tabId);
        } else {
          lookups.forgetUnawaited(
            lists.remember(
              nextPage(await lists.load(tabId), newRecord(tabId, url), at, documentId),
            ),
          );
          lookups.holdLookups(tabId);
          lists.persist(tabId);
        }
        deps.onChange(tabId);
      });
    },

    /** The tab's page fired its load event: its hosts' lookups may start. */
    pageLoaded(tabId: number): void {
      lookups.releaseLookups(tabId);
    },

    /** A top-level navigation in the tab started at `at`: no request before it is the next page's. */
    navigationStarted(tabId: number, at: number): Promise<void> {
      return enqueue(tabId, async () => {
        const entry = await lists.load(tabId);
        if (!entry) return;
        entry.record.navigationStartedAt = at;
        lists.persist(tabId);
      });
    },

    /** The main-frame response of a navigation in the tab started: the next page begins here. */
    mainFrameResponseStarted(tabId: number, at?: number): Promise<void> {
      return enqueue(tabId, async () => {
        // A new tab has no list yet: start one now, its site named at the commit.
        const entry = (await lists.load(tabId)) ?? lists.remember(newRecord(tabId, ''));
        const record = entry.record;
        const { committedAt, pageFromAt } = record;
        if (
          at !== undefined &&
          committedAt !== undefined &&
          at <= committedAt &&
          (pageFromAt === undefined || at > pageFromAt)
        ) {
          // The committed page's own response, reported after its commit: what was requested
          // before it belongs to the page before.
          record.pageFromAt = at;
          const kept = record.hosts.filter(
            (h) =>
              (h.lastAt === undefined && h.documents === undefined) ||
              requestedSince(h, at, record.documentId),
          );
          if (kept.length !== record.hosts.length) {
            record.hosts = kept;
            lookups.forgetUnawaited(lists.remember(record));
            deps.onChange(tabId);
          }
          lists.persist(tabId);
          return;
        }
        record.nextPageFrom = record.seq;
        if (at !== undefined) record.nextPageFromAt = at;
        lists.persist(tabId);
      });
    },

    /**
     * A request of the tab (any type but the main frame) got a response or failed; `ip` is the
     * address the browser connected to, when it connected. `at` is when the request *started*
     * (lib/tabs/request-starts.ts), not when this was reported: an old page's request reported
     * after the next page began must still date from before it. `topDocument` is the top-level
     * document that made it, when the browser names it (lib/tabs/request-documents.ts).
     * `proxied`: `ip` is a proxy's (lib/tabs/host-witness.ts), so it cannot stand in for a lookup.
     */
    requestSeen(
      tabId: number,
      url: string,
      ip: string | undefined,
      at?: number,
      topDocument?: string,
      proxied = false,
    ): Promise<void> {
      return enqueue(tabId, async () => {
        const hostname = hostnameOf(url);
        if (!hostname || !isRequestUrl(url)) return;
        let entry = await lists.load(tabId);
        if (!entry) {
          const page = await deps.pageOf(tabId);
          if (!page || !isWebUrl(page.url)) return;
          entry = lists.remember(newRecord(tabId, page.url));
        }
        const record = entry.record;
        if (hostname === record.siteHostname) return;
        // An earlier page's document: its request is not this page's, however late it started.
        if (topDocument !== undefined && record.pastDocuments?.includes(topDocument)) return;
        // Reported late, but made before this page began: the previous page's request.
        const ofThisDocument = topDocument !== undefined && topDocument === record.documentId;
        if (
          !ofThisDocument &&
          at !== undefined &&
          record.pageFromAt !== undefined &&
          at < record.pageFromAt
        ) {
          return;
        }
        record.seq += 1;
        const lastAt = at === undefined || topDocument !== undefined ? {} : { lastAt: at };
        const position = entry.index.get(hostname);
        const known = position === undefined ? undefined : record.hosts[position];
        if (position !== undefined && known) {
          const witness: Pick<StoredHost, 'browserAddress' | 'viaProxy'> =
            !known.browserAddress && ip
              ? { browserAddress: ip, ...(proxied ? { viaProxy: true as const } : {}) }
              : {};
          const requests = known.requests + 1;
          const latest =
            topDocument !== undefined
              ? { documents: withDocument(known.documents, topDocument) }
              : at === undefined
                ? {}
                : { lastAt: Math.max(at, known.lastAt ?? at) };
          replaceHost(entry, position, {
            ...known,
            ...witness,
            requests,
            lastSeq: record.seq,
            ...latest,
          });
          lists.persist(tabId);
          if (witness.browserAddress) deps.onChange(tabId);
          return;
        }
        const host: StoredHost = {
          hostname,
          requests: 1,
          ...(ip ? { browserAddress: ip } : {}),
          ...(ip && proxied ? { viaProxy: true as const } : {}),
          doh: hostDoh(hostname, proxied ? undefined : ip, deps.getSettings(), await deps.table),
          lastSeq: record.seq,
          ...lastAt,
          ...(topDocument !== undefined ? { documents: [topDocument] } : {}),
        };
        await admitHost(
          {
            maxHosts,
            table: deps.table,
            settings: deps.getSettings(),
            matcher,
            lookups,
            persist: lists.persist,
            onChange: deps.onChange,
          },
          entry,
          host,
          ip,
        );
      });
    },

    /** The tab closed: forget its hosts. */
    tabRemoved(tabId: number): Promise<void> {
      // At once, not in turn: lookups the tab queued must not start while earlier updates finish,
      // and those earlier updates must not queue new ones.
      scheduler.forget(tabId);
      lookups.releaseLookups(tabId);
      closedTabs.add(tabId);
      if (closedTabs.size > MAX_CLOSED_TABS_REMEMBERED) {
        closedTabs.delete(closedTabs.values().next().value!);
      }
      return enqueue(tabId, () => lists.drop(tabId));
    },

    /** The judged hosts for the popup, or null when the tab has no page with hosts recorded. */
    async getPageHosts(tabId: number): Promise<PageHostsView | null> {
      const entry = await lists.load(tabId);
      lists.hurry(tabId);
      return entry ? views.pageHosts(entry) : null;
    },

    /** The counts behind the badge, or null when nothing is recorded for the tab. */
    async summary(tabId: number): Promise<ThirdPartySummary | null> {
      const entry = await lists.load(tabId);
      return entry ? views.summary(entry) : null;
    },

    /**
     * After a worker restart: load every stored list and redo the lookups that were in flight or
     * refused by a full queue.
     */
    async resumePending(): Promise<void> {
      for (const record of await lists.allStored()) {
        await enqueue(record.tabId, async () => {
          const entry = lists.peek(record.tabId) ?? lists.remember(record);
          for (const host of entry.record.hosts) {
            if (host.doh.state === 'pending') {
              lookups.lookup(entry, host.hostname);
            }
          }
          // Hosts a full queue refused before the restart, while the new queue has room.
          lookups.retryRefused(entry);
          lists.persist(record.tabId);
        });
      }
    },

    /**
     * Settings changed: a new watchlist applies at once; a new resolver, privacy mode or allowlist
     * by looking every host up again (the DoH cache answers what it still knows).
     */
    async settingsChanged(): Promise<void> {
      const settings = deps.getSettings();
      matcher = compileWatchlist(settings.watchlist);
      views.settingsChanged();
      const nextScope = lookupScope(settings);
      if (nextScope === scope) {
        for (const tabId of lists.loadedTabs()) deps.onChange(tabId);
        return;
      }
      scope = nextScope;
      generation += 1;
      const table = await deps.table;
      const tabIds = new Set([
        ...lists.loadedTabs(),
        ...(await lists.allStored()).map((r) => r.tabId),
      ]);
      for (const tabId of tabIds) {
        await enqueue(tabId, async () => {
          const entry = await lists.load(tabId);
          if (!entry) return;
          // The lookups of the old settings are of no use any more.
          scheduler.forget(tabId, () => false);
          entry.record.hosts.forEach((host, position) => {
            // A host over the limit stays unlooked-up: looking it up now would lift the limit.
            const overLimit = host.doh.state === 'skipped' && host.doh.why === 'over-limit';
            const doh =
              overLimit && initialDoh(host.hostname, settings).state === 'pending'
                ? host.doh
                : hostDoh(host.hostname, witnessOf(host), settings, table);
            const { omittedAddresses: _omitted, omittedAliases: _cut, ...rest } = host;
            void _omitted;
            void _cut;
            replaceHost(entry, position, { ...rest, doh });
            if (doh.state === 'pending') lookups.lookup(entry, host.hostname);
          });
          lists.persist(tabId);
          deps.onChange(tabId);
        });
      }
    },

    /** Resolves when every queued update and write has finished (tests, and orderly shutdown). */
    async idle(): Promise<void> {
      for (;;) {
        const pending = [...queues.values(), ...lists.writing(), ...outstanding];
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    },
  };
}

export type PageHosts = ReturnType<typeof createPageHosts>;
