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
 *   a new host's DoH lookup is queued (unless privacy mode is on, the name is private or local, an
 *   IP literal or allowlisted);
 * - a lookup answers → the host's evidence is stored and `onChange` tells the badge to look again;
 * - the tab closes → the list goes.
 * Lookups are shared: one in flight per host name however many requests and tabs want it, and at
 * most `maxLookupsInFlight` at once. Once answered, the DoH client's own TTL cache (also in the session
 * store) answers the next tab that asks, so a host is resolved at most once per TTL.
 * Verdicts are not stored, only the evidence: they are rebuilt with buildVerdict when read, so a
 * changed watchlist applies at once and the record stays small.
 * Module-level state is a cache of the stored records plus the queues of in-flight work.
 */
import type { DnsError, ResolveResult } from '../dns';
import { isAllowlisted, type Settings } from '../settings';
import type { DohState, SessionArea } from '../tab-monitor';
import { buildVerdict, type PrefixLookup, type Verdict } from '../verdict';
import { hostnameOf, initialDoh, isWebUrl, literalAddress } from './host-rules';
import { compileWatchlist, type CompiledWatchlist } from '../watchlist/match';

/** Hosts kept per tab; further distinct hosts are counted (up to MAX_OVERFLOW_TRACKED), not kept. */
export const MAX_HOSTS_PER_TAB = 500;
/** DoH lookups for third-party hosts in flight at once, over all tabs; the rest wait in a queue. */
export const MAX_LOOKUPS_IN_FLIGHT = 6;
/**
 * The most a tab's stored record may take (its JSON length, which is what Chromium counts against
 * the 10 MB storage.session quota). New hosts stop being kept at ADMIT_BELOW_BYTES, leaving room
 * for the answers of hosts already kept. A typical host (name, two addresses) takes ~200 bytes,
 * so 500 hosts take ~100 KiB and the byte budget only bites for unusual pages.
 */
export const PAGE_HOSTS_BUDGET_BYTES = 512 * 1024;
const ADMIT_BELOW_BYTES = PAGE_HOSTS_BUDGET_BYTES - 64 * 1024;
/** DoH addresses kept per host; beyond that the flagged ones are kept first, the rest counted. */
export const MAX_ADDRESSES_PER_HOST = 16;
/** Room held for the answer of a host still being looked up: 16 full-length IPv6 addresses. */
const ANSWER_RESERVE_BYTES = MAX_ADDRESSES_PER_HOST * 42;
/** Distinct overflow hosts remembered (as 32-bit hashes) so that each is counted once. */
export const MAX_OVERFLOW_TRACKED = 2000;

/**
 * How long changes gather before a tab's record is written. A worker stopped inside this window
 * loses at most these last few request counts: the browser does not stop a worker that is handling
 * events, and a judged answer lost this way is still in the DoH cache.
 */
export const WRITE_DELAY_MS = 50;

export const HOSTS_KEY_PREFIX = 'hosts:';
const RECORD_VERSION = 1;
const hostsKey = (tabId: number) => `${HOSTS_KEY_PREFIX}${tabId}`;
/** Earlier top-level documents a record remembers, and documents a host remembers. */
const MAX_PAST_DOCUMENTS = 4;
const MAX_HOST_DOCUMENTS = 3;

/**
 * Whether `host` was requested by the page whose document is `documentId` (when known) and whose
 * requests began at `fromAt`: by its document where the browser named one, else by time. A host
 * only old documents requested is the old page's however late their requests started.
 */
function requestedSince(host: StoredHost, fromAt: number, documentId: string | undefined): boolean {
  if (documentId !== undefined && host.documents?.includes(documentId)) return true;
  if (host.lastAt !== undefined) return host.lastAt >= fromAt;
  // Only documented requests, but this commit named no document: keep it rather than hide it.
  return host.documents !== undefined && documentId === undefined;
}

/** One third-party host as stored: its evidence, not its verdict. */
export interface StoredHost {
  hostname: string;
  /** Requests of the page to this host (responses and failures). */
  requests: number;
  /** The first address the browser connected to for this host: the second witness. */
  browserAddress?: string;
  doh: DohState;
  /** DoH addresses beyond MAX_ADDRESSES_PER_HOST that were not kept. */
  omittedAddresses?: number;
  /** The record's request counter at this host's latest request. */
  lastSeq: number;
  /**
   * When this host's latest request started (the browser's time, see requestSeen), when known: of
   * its requests whose top-level document is not known (subframes, Firefox, a restarted worker).
   */
  lastAt?: number;
  /** The top-level documents whose requests reached this host (where the browser names them), most recent last. */
  documents?: string[];
}

/** A tab's third-party hosts for its current page, as stored under `hosts:<tabId>`. */
export interface PageHostsRecord {
  version: typeof RECORD_VERSION;
  tabId: number;
  /** Distinguishes pages. */
  pageId: string;
  pageUrl: string;
  /** The page's own host: its requests are the site's, judged by the tab report, not listed here. */
  siteHostname: string;
  /** In order of first request. */
  hosts: StoredHost[];
  /** Distinct hosts seen after the list was full (at least this many). */
  overflowHosts: number;
  overflowHashes: number[];
  /** Counts the requests seen, so hosts can be told apart by when they were last requested. */
  seq: number;
  /** `seq` when the latest main-frame response started: the next page's requests come after it. */
  nextPageFrom?: number;
  /*
   * The browser's event times (ms), which order events however late each reaches the worker: the
   * worker may see a page's first scripts, and even its commit, before its main-frame response.
   */
  /** The latest top-level navigation's start, not yet committed. */
  navigationStartedAt?: number;
  /** The latest main-frame response's start, not yet committed. */
  nextPageFromAt?: number;
  /** This page's commit. */
  committedAt?: number;
  /** This page's main-frame response (or, until that is seen, its navigation's start): earlier requests are another page's. */
  pageFromAt?: number;
  /** This page's document (the browser's documentId): its requests are this page's whenever they started. */
  documentId?: string;
  /** The tab's earlier top-level documents, most recent first: their requests are never this page's. */
  pastDocuments?: string[];
}

/** One host as the popup shows it. */
export interface PageHostView {
  hostname: string;
  requests: number;
  /** The DoH answer is still awaited. */
  checking: boolean;
  verdict: Verdict;
  omittedAddresses?: number;
}

/** The popup's view of a tab's hosts: flagged first, then unchecked, checking, the rest. */
export interface PageHostsView {
  tabId: number;
  pageUrl: string;
  siteHostname: string;
  hosts: PageHostView[];
  flagged: number;
  checking: number;
  overflowHosts: number;
  maxHosts: number;
}

/** What the badge needs to know about the third-party hosts of a tab's page. */
export interface ThirdPartySummary {
  siteHostname: string;
  total: number;
  checking: number;
  /** Flagged hosts in order of first request, each with its matched groups. */
  flagged: { hostname: string; groups: { name: string; code: string }[] }[];
}

export interface PageHostsDeps {
  session: SessionArea;
  table: Promise<PrefixLookup>;
  getSettings(): Settings;
  resolve(hostname: string, settings: Settings): Promise<ResolveResult>;
  /** The committed page of a tab, when this module has no record of it (e.g. installed mid-page). */
  pageOf(tabId: number): Promise<{ url: string } | null>;
  /** The tab's hosts or their evidence changed: the badge may need showing again. */
  onChange(tabId: number): void;
  now(): number;
  log(message: string, error?: unknown): void;
  /** For tests; default MAX_LOOKUPS_IN_FLIGHT, MAX_HOSTS_PER_TAB and WRITE_DELAY_MS. */
  maxLookupsInFlight?: number;
  maxHostsPerTab?: number;
  writeDelayMs?: number;
}

interface Loaded {
  record: PageHostsRecord;
  /** hostname → position in record.hosts */
  index: Map<string, number>;
  /** Running JSON size of the record, checked against the byte budget. */
  bytes: number;
}

/** Creates the tracker; every method is safe to call from a listener (errors are logged, not thrown). */
export function createPageHosts(deps: PageHostsDeps) {
  const maxHosts = deps.maxHostsPerTab ?? MAX_HOSTS_PER_TAB;
  const writeDelayMs = deps.writeDelayMs ?? WRITE_DELAY_MS;
  const queues = new Map<number, Promise<void>>();
  const loaded = new Map<number, Loaded>();
  const dirty = new Set<number>();
  const flushing = new Map<number, Promise<void>>();
  const inFlight = new Map<string, Promise<DohOutcome>>();
  const limit = createLimiter(deps.maxLookupsInFlight ?? MAX_LOOKUPS_IN_FLIGHT);
  // Views are rebuilt only for hosts that changed since (stored hosts are replaced, never mutated).
  const views = new WeakMap<StoredHost, { judgedWith: number; view: PageHostView }>();
  let matcher = compileWatchlist(deps.getSettings().watchlist);
  /** Bumped by every settings change: views judged before are stale. */
  let judgedWith = 0;
  /** Bumped when what a lookup depends on changes (resolver, privacy mode, allowlist). */
  let generation = 0;
  let scope = lookupScope(deps.getSettings());
  let pageCounter = 0;

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

  async function load(tabId: number): Promise<Loaded | undefined> {
    const cached = loaded.get(tabId);
    if (cached) return cached;
    const stored = (await deps.session.get(hostsKey(tabId)))[hostsKey(tabId)];
    if (!isRecord(stored)) return undefined;
    return remember(stored);
  }

  function remember(record: PageHostsRecord): Loaded {
    const entry: Loaded = {
      record,
      index: new Map(record.hosts.map((h, i) => [h.hostname, i])),
      bytes: JSON.stringify(record).length,
    };
    loaded.set(record.tabId, entry);
    return entry;
  }

  /**
   * Coalesces writes: at most one in flight per tab, the latest state always written last, and a
   * burst of requests (a page loading) written once per WRITE_DELAY_MS rather than once per request.
   */
  function persist(tabId: number): void {
    dirty.add(tabId);
    if (flushing.has(tabId)) return;
    const run = (async () => {
      await new Promise((resolve) => setTimeout(resolve, writeDelayMs));
      while (dirty.delete(tabId)) {
        const entry = loaded.get(tabId);
        if (!entry) continue;
        try {
          await deps.session.set({ [hostsKey(tabId)]: entry.record });
        } catch (error) {
          deps.log(`tab ${tabId}: host list not stored`, error);
        }
      }
    })();
    flushing.set(tabId, run);
    void run.then(() => flushing.delete(tabId));
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

  /**
   * The new page's list: the hosts requested since its main-frame response started. With event
   * times, by time: since the response if it has been seen, else since the navigation started (the
   * response, when it arrives, narrows it). Without them, by arrival order.
   */
  function nextPage(
    previous: Loaded | undefined,
    tabId: number,
    url: string,
    at: number | undefined,
    documentId: string | undefined,
  ): PageHostsRecord {
    const record = newRecord(tabId, url);
    if (at !== undefined) record.committedAt = at;
    if (documentId !== undefined) record.documentId = documentId;
    if (!previous) return record;
    const old = previous.record;
    const past = [old.documentId, ...(old.pastDocuments ?? [])].filter(
      (d): d is string => d !== undefined && d !== documentId,
    );
    if (past.length > 0) record.pastDocuments = past.slice(0, MAX_PAST_DOCUMENTS);
    const notAfterCommit = (t: number | undefined) =>
      t !== undefined && (at === undefined || t <= at) ? t : undefined;
    const fromAt = notAfterCommit(old.nextPageFromAt) ?? notAfterCommit(old.navigationStartedAt);
    const keep = (h: StoredHost) => h.hostname !== record.siteHostname;
    record.seq = old.seq;
    if (fromAt !== undefined) {
      record.pageFromAt = fromAt;
      record.hosts = old.hosts.filter((h) => keep(h) && requestedSince(h, fromAt, documentId));
    } else if (old.nextPageFrom !== undefined) {
      const from = old.nextPageFrom;
      record.hosts = old.hosts.filter((h) => keep(h) && h.lastSeq > from);
    }
    return record;
  }

  function replaceHost(entry: Loaded, position: number, host: StoredHost): void {
    const before = entry.record.hosts[position];
    entry.bytes += JSON.stringify(host).length - (before ? JSON.stringify(before).length : 0);
    entry.record.hosts[position] = host;
  }

  /** Looks `hostname` up and stores the answer wherever the tab's list still awaits it. */
  function lookup(tabId: number, hostname: string): void {
    void sharedLookup(hostname).then((outcome) =>
      enqueue(tabId, async () => {
        const entry = await load(tabId);
        if (!entry) return;
        const position = entry.index.get(hostname);
        const host = position === undefined ? undefined : entry.record.hosts[position];
        if (position === undefined || !host || host.doh.state !== 'pending') return;
        if (outcome.generation !== generation) return; // settings changed: a newer lookup is queued
        replaceHost(entry, position, { ...host, ...(await keptEvidence(hostname, outcome.doh)) });
        persist(tabId);
        deps.onChange(tabId);
      }),
    );
  }

  /** One lookup in flight per name (per settings generation), at most `limit` at once. */
  function sharedLookup(hostname: string): Promise<DohOutcome> {
    const key = `${generation}|${hostname}`;
    const known = inFlight.get(key);
    if (known) return known;
    const started = generation;
    const promise = limit(() => resolveSafely(hostname)).then((doh) => ({
      generation: started,
      doh,
    }));
    inFlight.set(key, promise);
    void promise.then(() => inFlight.delete(key));
    return promise;
  }

  async function resolveSafely(hostname: string): Promise<DohState> {
    try {
      const result = await deps.resolve(hostname, deps.getSettings());
      return result.ok
        ? {
            state: 'done',
            addresses: result.addresses.map((a) => a.ip),
            cnameChain: [...result.cnameChain],
          }
        : { state: 'failed', error: result.error };
    } catch (error) {
      // The client promises never to throw; if it does, the host must still not look clean.
      deps.log(`resolver threw for ${hostname}`, error);
      return { state: 'failed', error: { kind: 'network', message: String(error) } as DnsError };
    }
  }

  /** Caps the addresses kept for a host, keeping those that decide its verdict (flagged, or with no row). */
  async function keptEvidence(
    hostname: string,
    doh: DohState,
  ): Promise<Pick<StoredHost, 'doh' | 'omittedAddresses'>> {
    if (doh.state !== 'done' || doh.addresses.length <= MAX_ADDRESSES_PER_HOST) return { doh };
    const verdict = buildVerdict(
      { hostname, dohAddresses: doh.addresses },
      await deps.table,
      matcher,
    );
    // Matched first, then those with no row in the table (one keeps the host from looking clean).
    const matched = (a: Verdict['addresses'][number]) => a.matches.length > 0;
    const noRow = (a: Verdict['addresses'][number]) => !matched(a) && a.lookup.kind === 'unrouted';
    const ranked = [
      ...verdict.addresses.filter(matched),
      ...verdict.addresses.filter(noRow),
      ...verdict.addresses.filter((a) => !matched(a) && !noRow(a)),
    ].map((a) => a.ip);
    return {
      doh: { ...doh, addresses: ranked.slice(0, MAX_ADDRESSES_PER_HOST) },
      omittedAddresses: ranked.length - MAX_ADDRESSES_PER_HOST,
    };
  }

  async function judgeAll(entry: Loaded): Promise<PageHostView[]> {
    const table = await deps.table;
    const settings = deps.getSettings();
    return entry.record.hosts.map((host) => {
      const memo = views.get(host);
      if (memo && memo.judgedWith === judgedWith) return memo.view;
      const view = judgeHost(host, table, matcher, settings);
      views.set(host, { judgedWith, view });
      return view;
    });
  }

  async function allStored(): Promise<PageHostsRecord[]> {
    const everything = await deps.session.get(null);
    return Object.entries(everything)
      .filter(([key, value]) => key.startsWith(HOSTS_KEY_PREFIX) && isRecord(value))
      .map(([, value]) => value as PageHostsRecord);
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
          loaded.delete(tabId);
          dirty.delete(tabId);
          await flushing.get(tabId);
          await deps.session.remove(hostsKey(tabId));
        } else {
          remember(nextPage(await load(tabId), tabId, url, at, documentId));
          persist(tabId);
        }
        deps.onChange(tabId);
      });
    },

    /** A top-level navigation in the tab started at `at`: no request before it is the next page's. */
    navigationStarted(tabId: number, at: number): Promise<void> {
      return enqueue(tabId, async () => {
        const entry = await load(tabId);
        if (!entry) return;
        entry.record.navigationStartedAt = at;
        persist(tabId);
      });
    },

    /** The main-frame response of a navigation in the tab started: the next page begins here. */
    mainFrameResponseStarted(tabId: number, at?: number): Promise<void> {
      return enqueue(tabId, async () => {
        // A new tab has no list yet: start one now, its site named at the commit.
        const entry = (await load(tabId)) ?? remember(newRecord(tabId, ''));
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
            remember(record);
            deps.onChange(tabId);
          }
          persist(tabId);
          return;
        }
        record.nextPageFrom = record.seq;
        if (at !== undefined) record.nextPageFromAt = at;
        persist(tabId);
      });
    },

    /**
     * A request of the tab (any type but the main frame) got a response or failed; `ip` is the
     * address the browser connected to, when it connected. `at` is when the request *started*
     * (lib/tabs/request-starts.ts), not when this was reported: an old page's request reported
     * after the next page began must still date from before it. `topDocument` is the top-level
     * document that made it, when the browser names it (lib/tabs/request-documents.ts).
     */
    requestSeen(
      tabId: number,
      url: string,
      ip: string | undefined,
      at?: number,
      topDocument?: string,
    ): Promise<void> {
      return enqueue(tabId, async () => {
        const hostname = hostnameOf(url);
        if (!hostname || !isRequestUrl(url)) return;
        let entry = await load(tabId);
        if (!entry) {
          const page = await deps.pageOf(tabId);
          if (!page || !isWebUrl(page.url)) return;
          entry = remember(newRecord(tabId, page.url));
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
          const witness = !known.browserAddress && ip ? { browserAddress: ip } : {};
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
          persist(tabId);
          if (witness.browserAddress) deps.onChange(tabId);
          return;
        }
        const reserved =
          record.hosts.filter((h) => h.doh.state === 'pending').length * ANSWER_RESERVE_BYTES;
        if (record.hosts.length >= maxHosts || entry.bytes + reserved >= ADMIT_BELOW_BYTES) {
          countOverflow(record, hostname);
          persist(tabId);
          return;
        }
        const host: StoredHost = {
          hostname,
          requests: 1,
          ...(ip ? { browserAddress: ip } : {}),
          doh: initialDoh(hostname, deps.getSettings()),
          lastSeq: record.seq,
          ...lastAt,
          ...(topDocument !== undefined ? { documents: [topDocument] } : {}),
        };
        entry.index.set(hostname, record.hosts.length);
        record.hosts.push(host);
        entry.bytes += JSON.stringify(host).length + 1;
        persist(tabId);
        if (host.doh.state === 'pending') lookup(tabId, hostname);
        deps.onChange(tabId);
      });
    },

    /** The tab closed: forget its hosts. */
    tabRemoved(tabId: number): Promise<void> {
      return enqueue(tabId, async () => {
        loaded.delete(tabId);
        dirty.delete(tabId);
        await flushing.get(tabId);
        await deps.session.remove(hostsKey(tabId));
      });
    },

    /** The judged hosts for the popup, or null when the tab has no page with hosts recorded. */
    async getPageHosts(tabId: number): Promise<PageHostsView | null> {
      const entry = await load(tabId);
      if (!entry) return null;
      const judged = await judgeAll(entry);
      const hosts = judged
        .map((view, order) => ({ view, order }))
        .sort((a, b) => rank(a.view) - rank(b.view) || a.order - b.order)
        .map(({ view }) => view);
      return {
        tabId,
        pageUrl: entry.record.pageUrl,
        siteHostname: entry.record.siteHostname,
        hosts,
        flagged: hosts.filter((h) => h.verdict.status === 'flagged').length,
        checking: hosts.filter((h) => h.checking).length,
        overflowHosts: entry.record.overflowHosts,
        maxHosts,
      };
    },

    /** The counts behind the badge, or null when nothing is recorded for the tab. */
    async summary(tabId: number): Promise<ThirdPartySummary | null> {
      const entry = await load(tabId);
      if (!entry) return null;
      const judged = await judgeAll(entry);
      return {
        siteHostname: entry.record.siteHostname,
        total: judged.length + entry.record.overflowHosts,
        checking: judged.filter((h) => h.checking).length,
        flagged: judged
          .filter((h) => h.verdict.status === 'flagged')
          .map((h) => ({
            hostname: h.hostname,
            groups: h.verdict.groups.map((g) => ({ name: g.name, code: g.code })),
          })),
      };
    },

    /** After a worker restart: load every stored list and redo the lookups that were in flight. */
    async resumePending(): Promise<void> {
      for (const record of await allStored()) {
        await enqueue(record.tabId, async () => {
          const entry = loaded.get(record.tabId) ?? remember(record);
          for (const host of entry.record.hosts) {
            if (host.doh.state === 'pending') {
              lookup(record.tabId, host.hostname);
            }
          }
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
      judgedWith += 1;
      const nextScope = lookupScope(settings);
      if (nextScope === scope) {
        for (const tabId of loaded.keys()) deps.onChange(tabId);
        return;
      }
      scope = nextScope;
      generation += 1;
      const tabIds = new Set([...loaded.keys(), ...(await allStored()).map((r) => r.tabId)]);
      for (const tabId of tabIds) {
        await enqueue(tabId, async () => {
          const entry = await load(tabId);
          if (!entry) return;
          entry.record.hosts.forEach((host, position) => {
            const doh = initialDoh(host.hostname, settings);
            const { omittedAddresses: _omitted, ...rest } = host;
            void _omitted;
            replaceHost(entry, position, { ...rest, doh });
            if (doh.state === 'pending') lookup(tabId, host.hostname);
          });
          persist(tabId);
          deps.onChange(tabId);
        });
      }
    },

    /** Resolves when every queued update and write has finished (tests, and orderly shutdown). */
    async idle(): Promise<void> {
      for (;;) {
        const pending = [...queues.values(), ...flushing.values(), ...inFlight.values()];
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    },
  };

  function countOverflow(record: PageHostsRecord, hostname: string): void {
    const hash = fnv1a(hostname);
    if (record.overflowHashes.includes(hash)) return;
    if (record.overflowHashes.length >= MAX_OVERFLOW_TRACKED) return;
    record.overflowHashes.push(hash);
    record.overflowHosts += 1;
  }
}

export type PageHosts = ReturnType<typeof createPageHosts>;

interface DohOutcome {
  generation: number;
  doh: DohState;
}

/**
 * Judges one host exactly as the tab monitor judges the site: allowlist, IP literal, DoH answer or
 * error, and the browser's address, through the shared buildVerdict.
 */
export function judgeHost(
  host: StoredHost,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
  settings: Settings,
): PageHostView {
  const { doh } = host;
  const browserOnly =
    doh.state === 'skipped' && (doh.why === 'privacy-mode' || doh.why === 'private-name');
  const verdict = buildVerdict(
    {
      hostname: host.hostname,
      allowlisted: isAllowlisted(host.hostname, settings.allowlist),
      literal: literalAddress(host.hostname),
      browserAddress: host.browserAddress,
      dohAddresses: doh.state === 'done' ? doh.addresses : undefined,
      dnsError:
        doh.state === 'failed'
          ? doh.error
          : browserOnly && !host.browserAddress
            ? { kind: doh.why, message: 'the browser did not connect to this host' }
            : undefined,
    },
    table,
    matcher,
  );
  return {
    hostname: host.hostname,
    requests: host.requests,
    checking: doh.state === 'pending',
    verdict,
    ...(host.omittedAddresses ? { omittedAddresses: host.omittedAddresses } : {}),
  };
}

/** Everything besides the name that decides a lookup's outcome. */
function lookupScope(settings: Settings): string {
  return JSON.stringify([settings.resolver, settings.privacyMode, settings.allowlist]);
}

function rank(view: PageHostView): number {
  if (view.verdict.status === 'flagged') return 0;
  if (view.checking) return 2;
  if (view.verdict.status === 'unchecked') return 1;
  return 3;
}

/** A concurrency limit: at most `max` calls of `work` run at once; the rest wait in order. */
export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(work: () => Promise<T>): Promise<T> {
    while (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

function isRecord(value: unknown): value is PageHostsRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { version?: unknown }).version === RECORD_VERSION &&
    Array.isArray((value as { hosts?: unknown }).hosts)
  );
}

/** `documents` with `documentId` last, at most MAX_HOST_DOCUMENTS. */
function withDocument(documents: string[] | undefined, documentId: string): string[] {
  if (documents?.[documents.length - 1] === documentId) return documents;
  const rest = (documents ?? []).filter((d) => d !== documentId);
  return [...rest, documentId].slice(-MAX_HOST_DOCUMENTS);
}

/** Web requests, WebSockets included. */
function isRequestUrl(url: string): boolean {
  return isWebUrl(url) || url.startsWith('ws://') || url.startsWith('wss://');
}

/** 32-bit FNV-1a: enough to count distinct overflow hosts without keeping their names. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
