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
import type { DnsError, ResolveResult } from './dns';
import { canonicalIp, createProxyDetector, type ConnectionSeen, type ProxyFact } from './proxy';
import {
  BADGE_NEUTRAL_COLOR,
  badgeFor,
  buildVerdict,
  isOnWatchedNetwork,
  ENGLISH_BADGE_WORDS,
  NOT_CONNECTED_PROBLEM,
  type BadgeWords,
  type Verdict,
} from './verdict';
import { isAllowlisted, type Settings } from './settings';
import type { LookupResult } from './prefix-table';
import { createConnectionMemory, type RememberedConnection } from './tabs/connection-memory';
import { hostnameOf, initialDoh, isWebUrl, literalAddress } from './tabs/host-rules';
import { compileWatchlist } from './watchlist/match';
import { TAB_KEY_PREFIX } from './storage/session-keys';
import type {
  Badge,
  BrowserOnlyReason,
  DohState,
  SessionArea,
  TabRecord,
  TabReport,
} from './tabs/types';

// The types live in lib/tabs/types.ts (no import circle with lib/tabs); re-exported for importers.
export type { Badge, BrowserOnlyReason, DohState, SessionArea, TabRecord, TabReport };

/** What a report knows of the browser's connection to its site. */
type ConnectionKnown = Pick<
  TabReport,
  'browserAddress' | 'proxy' | 'rememberedConnection' | 'noConnection'
>;

/** The most addresses one report keeps (see `boundAddresses`); a DNS answer can hold thousands. */
export const REPORT_MAX_ADDRESSES = 64;

export interface TabMonitorDeps {
  session: SessionArea;
  setBadge(tabId: number, badge: Badge): Promise<void>;
  /** The prefix table; may still be loading when the first events arrive. */
  table: Promise<{ lookup(text: string): LookupResult }>;
  getSettings(): Settings;
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  now(): number;
  log(message: string, error?: unknown): void;
  /** The tooltip's words in the user's language; absent: English. */
  badgeWords?: BadgeWords;
  /** Lets the page's other hosts change the site's badge (lib/tabs/badge.ts); absent: as it is. */
  decorateBadge?(report: TabReport, badge: Badge): Promise<Badge>;
}

const tabKey = (tabId: number) => `${TAB_KEY_PREFIX}${tabId}`;

/** Creates the monitor; every method is safe to call from a listener (errors are logged, not thrown). */
export function createTabMonitor(deps: TabMonitorDeps) {
  // Serialises work per tab so two events never write one record concurrently.
  const queues = new Map<number, Promise<void>>();
  const lastBadge = new Map<number, string>();
  /** Badge refreshes queued and not yet started, by tab (see refreshBadge). */
  const refreshes = new Map<number, Promise<void>>();
  // Write-through copies of the stored records (see the lifecycle comment): the truth while this
  // worker lives, even when the store refused the last write.
  const records = new Map<number, TabRecord>();
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

  async function readRecord(tabId: number): Promise<TabRecord> {
    const cached = records.get(tabId);
    if (cached) return cached;
    let stored: unknown;
    try {
      stored = (await deps.session.get(tabKey(tabId)))[tabKey(tabId)];
    } catch (error) {
      deps.log(`tab ${tabId}: stored state unreadable`, error);
    }
    // A write may have landed while the store was read (getReport is not queued): it is newer.
    const written = records.get(tabId);
    if (written) return written;
    const record = asRecord(stored);
    records.set(tabId, record);
    return record;
  }

  /**
   * Keeps `record` in memory and tries to store it. A refused write (quota) is logged and marked
   * on the reports (`notSaved`) instead of thrown, and the stale stored copy is removed, so a
   * restarted worker finds nothing rather than an older page's verdict.
   */
  async function writeRecord(tabId: number, record: TabRecord): Promise<void> {
    const stored: TabRecord = {};
    if (record.shown) stored.shown = withoutFlag(record.shown);
    if (record.pending) stored.pending = withoutFlag(record.pending);
    let saved = true;
    try {
      if (stored.shown || stored.pending) await deps.session.set({ [tabKey(tabId)]: stored });
      else await deps.session.remove(tabKey(tabId));
    } catch (error) {
      saved = false;
      deps.log(`tab ${tabId}: state could not be saved`, error);
      await deps.session.remove(tabKey(tabId)).catch(() => undefined);
    }
    const flagged = (r: TabReport | undefined) =>
      r && (saved ? withoutFlag(r) : { ...r, notSaved: true });
    const kept: TabRecord = {};
    if (record.shown) kept.shown = flagged(record.shown);
    if (record.pending) kept.pending = flagged(record.pending);
    if (kept.shown || kept.pending) records.set(tabId, kept);
    else records.delete(tabId);
  }

  /** Waits for the table only here, so a DoH query never waits for the table to load. */
  async function evaluate(
    report: Omit<TabReport, 'verdict' | 'final' | 'updatedAt'>,
  ): Promise<TabReport> {
    const table = await deps.table;
    const settings = deps.getSettings();
    const allowlisted = isAllowlisted(report.hostname, settings.allowlist);
    const literal = literalAddress(report.hostname);
    // A remembered connection was judged when it was made; it must not count for the pattern again.
    const judged = report.rememberedConnection
      ? { proxy: report.proxy, newlyDetected: false }
      : await proxies.judge(connectionOf(report, (ip) => isOnWatchedNetwork(ip, table, matcher)));
    const proxy = judged.proxy;
    if (proxy && judged.newlyDetected) refreshReportsThrough(proxy.address, report.tabId);
    const seen = report.browserAddress !== undefined || proxy !== undefined;
    const judge = (doh: DohState) =>
      buildVerdict(
        {
          hostname: report.hostname,
          allowlisted,
          literal,
          browserAddress: report.browserAddress,
          proxy,
          dohAddresses: doh.state === 'done' ? doh.addresses : undefined,
          dnsError:
            doh.state === 'failed'
              ? doh.error
              : browserOnly(doh) && !seen
                ? report.noConnection
                  ? { kind: 'from-cache', message: NOT_CONNECTED_PROBLEM }
                  : { kind: doh.why, message: 'no connection to the site was seen yet' }
                : undefined,
          notConnected: report.noConnection === true && !seen,
        },
        table,
        matcher,
      );
    let doh = report.doh;
    let omittedAddresses = report.omittedAddresses;
    let verdict = judge(doh);
    if (doh.state === 'done' && doh.addresses.length > REPORT_MAX_ADDRESSES) {
      const kept = boundAddresses(doh.addresses, verdict);
      omittedAddresses = (omittedAddresses ?? 0) + doh.addresses.length - kept.length;
      doh = { ...doh, addresses: kept };
      verdict = judge(doh);
    }
    const waiting =
      doh.state === 'pending' || (browserOnly(doh) && !seen && report.noConnection !== true);
    const final = !waiting || verdict.status === 'flagged';
    const evaluated: TabReport = { ...report, proxy, doh, verdict, final, updatedAt: deps.now() };
    if (omittedAddresses) evaluated.omittedAddresses = omittedAddresses;
    return evaluated;
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
    const words = deps.badgeWords ?? ENGLISH_BADGE_WORDS;
    const site: Badge = report.final
      ? badgeFor(report.verdict, words)
      : { text: '', color: BADGE_NEUTRAL_COLOR, title: words.checking(report.hostname) };
    const badge = deps.decorateBadge ? await deps.decorateBadge(report, site) : site;
    const key = `${report.navigationId}|${badge.text}|${badge.color}|${badge.title}`;
    if (lastBadge.get(report.tabId) === key) return;
    await deps.setBadge(report.tabId, badge);
    lastBadge.set(report.tabId, key);
  }

  /** Runs the DoH lookup for a report and stores the outcome, unless the tab moved on meanwhile. */
  async function runLookup(tabId: number, navigationId: string, hostname: string): Promise<void> {
    let outcome: DohState;
    try {
      const result = await deps.resolve(hostname, deps.getSettings());
      outcome = result.ok
        ? {
            state: 'done',
            addresses: result.addresses.map((a) => a.ip),
            cnameChain: [...result.cnameChain],
            // Only when true, so reports of first-try answers keep their shape.
            ...(result.retried ? { retried: true } : {}),
          }
        : { state: 'failed', error: result.error };
    } catch (error) {
      // The client promises never to throw; if it does, the tab must still not look clean.
      deps.log(`resolver threw for ${hostname}`, error);
      outcome = { state: 'failed', error: { kind: 'network', message: String(error) } as DnsError };
    }
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

  /** Every tab's record: memory first, the store for tabs this worker has not touched yet. */
  async function allRecords(): Promise<TabRecord[]> {
    const everything = await deps.session.get(null);
    const byTab = new Map<number, TabRecord>();
    for (const [key, value] of Object.entries(everything)) {
      if (!key.startsWith(TAB_KEY_PREFIX)) continue;
      const record = asRecord(value);
      const tabId = (record.shown ?? record.pending)?.tabId;
      if (tabId !== undefined) byTab.set(tabId, record);
    }
    for (const [tabId, record] of records) byTab.set(tabId, record);
    return [...byTab.values()].filter((r) => r.shown ?? r.pending);
  }
}

export type TabMonitor = ReturnType<typeof createTabMonitor>;

/** Whether anything is known of the connection: an address, a proxy, or a remembered one. */
function hasConnection(known: ConnectionKnown): boolean {
  return known.browserAddress !== undefined || known.proxy !== undefined;
}

/** Whether the report has a connection of its own navigation (not a remembered one). */
function hasOwnConnection(report: ConnectionKnown): boolean {
  return hasConnection(report) && !report.rememberedConnection;
}

/** What the report knows of its connection, to carry over into a fresh report. */
function connectionKnown(report: TabReport): ConnectionKnown {
  const { browserAddress, proxy, rememberedConnection, noConnection } = report;
  return withConnection({}, { browserAddress, proxy, rememberedConnection, noConnection });
}

/** A remembered connection as what a report knows. */
function rememberedKnown(last: RememberedConnection): ConnectionKnown {
  const known: ConnectionKnown = { browserAddress: last.ip, rememberedConnection: { at: last.at } };
  if (last.proxy) known.proxy = last.proxy;
  return known;
}

/** `report` with its connection replaced by `known` (no field left set to undefined). */
function withConnection<T extends ConnectionKnown>(report: T, known: ConnectionKnown): T {
  const {
    browserAddress: _a,
    proxy: _p,
    rememberedConnection: _r,
    noConnection: _n,
    ...rest
  } = report;
  const next = { ...rest } as T;
  if (known.browserAddress !== undefined) next.browserAddress = known.browserAddress;
  if (known.proxy !== undefined) next.proxy = known.proxy;
  if (known.rememberedConnection !== undefined) {
    next.rememberedConnection = known.rememberedConnection;
  }
  if (known.noConnection) next.noConnection = true;
  return next;
}

/** The proxy the browser itself named for this report's connection (not one the pattern found). */
function reportedProxy(report: Pick<TabReport, 'proxy'>): ProxyFact | undefined {
  return report.proxy?.detectedBy === 'proxy-info' ? report.proxy : undefined;
}

/** What the proxy detector needs to know about a report's connection. */
function connectionOf(
  report: Pick<TabReport, 'hostname' | 'browserAddress' | 'proxy' | 'doh'>,
  watched: (ip: string) => boolean,
): ConnectionSeen {
  const { doh } = report;
  return {
    watched: {
      connected: report.browserAddress !== undefined && watched(report.browserAddress),
      dns: doh.state === 'done' && doh.addresses.some(watched),
    },
    host: report.hostname,
    ip: report.browserAddress,
    reported: reportedProxy(report),
    dns:
      doh.state === 'done' && doh.addresses.length > 0
        ? doh.addresses
        : doh.state === 'pending'
          ? 'not-yet'
          : doh.state === 'skipped' && doh.why !== 'privacy-mode'
            ? 'not-recorded'
            : 'unanswered',
  };
}

/** A stored value as a record; anything else (an older build's shape, damage) reads as empty. */
function asRecord(value: unknown): TabRecord {
  if (typeof value !== 'object' || value === null) return {};
  const { shown, pending } = value as TabRecord;
  const record: TabRecord = {};
  if (isReport(shown)) record.shown = shown;
  if (isReport(pending)) record.pending = pending;
  return record;
}

function isReport(value: unknown): value is TabReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TabReport).tabId === 'number' &&
    typeof (value as TabReport).navigationId === 'string'
  );
}

function withoutFlag(report: TabReport): TabReport {
  if (!report.notSaved) return report;
  const { notSaved: _, ...rest } = report;
  return rest;
}

/**
 * At most REPORT_MAX_ADDRESSES of a DoH answer, chosen so the verdict cannot change: first one
 * address per matched group, then the other matched ones, then public addresses with no row in the
 * table (they keep a site "unchecked" rather than "clean"), then the other public addresses (they
 * make a site "clean" rather than "unchecked"), then the rest; kept in the answer's order.
 */
export function boundAddresses(addresses: readonly string[], verdict: Verdict): string[] {
  const evidence = new Map(verdict.addresses.map((a) => [a.ip, a]));
  const rank = (ip: string, seenGroups: Set<string>): number => {
    const e = evidence.get(ip);
    if (!e) return 5;
    const newGroup = e.matches.find((m) => !seenGroups.has(m.groupId));
    if (newGroup) {
      for (const m of e.matches) seenGroups.add(m.groupId);
      return 0;
    }
    if (e.matches.length > 0) return 1;
    if (e.lookup.kind === 'unrouted') return 2;
    return e.lookup.kind === 'routed' ? 3 : 4;
  };
  const seenGroups = new Set<string>();
  const ranked = addresses.map((ip, index) => ({ ip, index, rank: rank(ip, seenGroups) }));
  const kept = ranked
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .slice(0, REPORT_MAX_ADDRESSES)
    .sort((a, b) => a.index - b.index);
  return kept.map((k) => k.ip);
}

function browserOnly(doh: DohState): doh is { state: 'skipped'; why: BrowserOnlyReason } {
  return doh.state === 'skipped' && (doh.why === 'privacy-mode' || doh.why === 'private-name');
}
