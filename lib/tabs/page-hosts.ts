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
 */
import type { DnsError, ResolveResult } from '../dns';
import { isAllowlisted, type Settings } from '../settings';
import type { DohState, SessionArea } from '../tab-monitor';
import { buildVerdict, type PrefixLookup, type Verdict } from '../verdict';
import { hostnameOf, initialDoh, isWebUrl, literalAddress } from './host-rules';
import { createLookupScheduler } from './lookup-scheduler';
import { compileWatchlist, type CompiledWatchlist } from '../watchlist/match';

/**
 * Hosts kept and looked up per tab. Further distinct hosts are not looked up: those whose connected
 * address is on a watched network are still kept (up to MAX_OVER_LIMIT_WATCHED), the rest counted
 * (up to MAX_OVERFLOW_TRACKED).
 */
export const MAX_HOSTS_PER_TAB = 500;
/** Hosts beyond MAX_HOSTS_PER_TAB kept because the browser connected to a watched address. */
export const MAX_OVER_LIMIT_WATCHED = 100;
/**
 * Hosts beyond MAX_HOSTS_PER_TAB whose connection says nothing (none seen: a cached or failed
 * request; or a local address: a proxy, a hosts-file override) that are still looked up, per page,
 * so that a page cannot hide a watched host behind fillers and a local proxy. Those that flag are
 * kept (within MAX_OVER_LIMIT_WATCHED); the rest stay only counted.
 */
export const MAX_LOOKUPS_BEYOND_LIMIT = 200;
/** Closed tab ids remembered, so that their late updates queue no lookup. */
const MAX_CLOSED_TABS_REMEMBERED = 1024;
/** DoH lookups for third-party hosts in flight at once, over all tabs; the rest wait in a queue. */
export const MAX_LOOKUPS_IN_FLIGHT = 6;
/**
 * Lookups one tab may have waiting. A heavy news page asks for 100–200 third-party names in its
 * first seconds; 256 covers that with room, while a page asking for thousands cannot build a backlog
 * that keeps the scheduler (and the resolver) busy long after it is gone: at 6 at once and ~100 ms
 * a lookup, 256 drain in about 4 s. It is also about as many lookups as the byte budget can hold
 * answers for (ADMIT_BELOW_BYTES / ANSWER_RESERVE_BYTES ≈ 340). A host refused by a full queue is
 * judged by its connected address alone ('queue-full') until the queue has room again.
 */
export const MAX_QUEUED_LOOKUPS_PER_TAB = 256;
/**
 * The most a tab's stored record may take (its JSON length, which is what Chromium counts against
 * the 10 MB storage.session quota). A host is kept only if the record still fits once everything
 * already promised has arrived (see committedBytes): each host counted with all that is stored for
 * it (addresses and alias chain included), ANSWER_RESERVE_BYTES for each answer still awaited,
 * HOST_GROWTH_BYTES for each host's later requests, and room for every overflow hash still to come.
 * Hosts within the limit are kept while that stays below ADMIT_BELOW_BYTES; the OVER_LIMIT_ROOM_BYTES
 * above it are for the over-limit watched hosts. A typical host (name, two addresses) takes ~200
 * bytes, so 500 hosts take ~100 KiB and the byte budget only bites for unusual pages.
 */
export const PAGE_HOSTS_BUDGET_BYTES = 512 * 1024;
/**
 * What a kept host may still add: the browser's address (58 bytes for a full IPv6), two more
 * documents (Chromium's documentId is 32 hex digits: 70), a request time (23), request-count digits.
 */
const HOST_GROWTH_BYTES = 160;
/** One overflow hash in JSON: a 32-bit number and its comma. */
const OVERFLOW_HASH_BYTES = 11;
/** Record fields set after its hosts: navigation and response times, the request counter. */
const RECORD_GROWTH_BYTES = 2 * 1024;
/** MAX_OVER_LIMIT_WATCHED hosts of a 253-character name, an address, counters and growth (~640 bytes). */
const OVER_LIMIT_ROOM_BYTES = 64 * 1024;
const WATCHED_ADMIT_BELOW_BYTES = PAGE_HOSTS_BUDGET_BYTES - RECORD_GROWTH_BYTES;
const ADMIT_BELOW_BYTES = WATCHED_ADMIT_BELOW_BYTES - OVER_LIMIT_ROOM_BYTES;
/** A lookup error's message is cut to this many characters (it may quote the server). */
const MAX_ERROR_MESSAGE = 300;
/** DoH addresses kept per host; beyond that the flagged ones are kept first, the rest counted. */
export const MAX_ADDRESSES_PER_HOST = 16;
/**
 * CNAME targets kept per host, and the most their JSON may take: real chains are 1–4 names of
 * ~30–60 characters (CDNs), while a resolver may send 16 hops of 253 characters (4 KiB a host, the
 * 1,857 KiB record of issue 23). The verdict rests on the addresses; the chain is only shown. The
 * first names are kept, so what is kept still reads as a chain from the host; the rest are counted.
 */
export const MAX_ALIASES_PER_HOST = 8;
export const MAX_ALIAS_BYTES_PER_HOST = 512;
/**
 * Room held for the answer of a host still being looked up: 16 full-length IPv6 addresses, the
 * alias chain, and the fields an answer adds (state, counts of what was cut).
 */
const ANSWER_RESERVE_BYTES = MAX_ADDRESSES_PER_HOST * 42 + MAX_ALIAS_BYTES_PER_HOST + 128;
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

/**
 * Why a kept host was not looked up: it came after the list was full and was kept because the
 * browser connected to a watched address, or its tab already had MAX_QUEUED_LOOKUPS_PER_TAB waiting.
 */
export type NotLookedUpReason = 'over-limit' | 'queue-full';

/** A third-party host's DoH evidence: the site's states, or not looked up for want of room. */
export type HostDoh = DohState | { state: 'skipped'; why: NotLookedUpReason };

/** One third-party host as stored: its evidence, not its verdict. */
export interface StoredHost {
  hostname: string;
  /** Kept beyond MAX_HOSTS_PER_TAB because it flagged (by its connection or a lookup beyond the limit). */
  beyondLimit?: true;
  /** Requests of the page to this host (responses and failures). */
  requests: number;
  /** The first address the browser connected to for this host: the second witness. */
  browserAddress?: string;
  doh: HostDoh;
  /** DoH addresses beyond MAX_ADDRESSES_PER_HOST that were not kept. */
  omittedAddresses?: number;
  /** CNAME targets beyond MAX_ALIASES_PER_HOST (or MAX_ALIAS_BYTES_PER_HOST) that were not kept. */
  omittedAliases?: number;
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
  /** Distinct hosts seen after the list was full and not kept (at least this many). */
  overflowHosts: number;
  /** Lookups started for hosts beyond the limit (at most MAX_LOOKUPS_BEYOND_LIMIT). */
  lookupsBeyondLimit?: number;
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
  /** Not looked up: the verdict rests on the address the browser connected to. */
  notLookedUp?: NotLookedUpReason;
}

/** The popup's view of a tab's hosts: flagged first, then unchecked, checking, the rest. */
export interface PageHostsView {
  tabId: number;
  pageUrl: string;
  siteHostname: string;
  hosts: PageHostView[];
  flagged: number;
  checking: number;
  /** Hosts after the list was full, neither looked up nor kept. */
  overflowHosts: number;
  /** Hosts after the list was full, not looked up, kept because their connected address is watched. */
  overLimitWatched: number;
  /** Hosts not looked up yet because too many of the tab's were waiting ('queue-full'). */
  queueFull: number;
  maxHosts: number;
}

/** What the badge needs to know about the third-party hosts of a tab's page. */
export interface ThirdPartySummary {
  siteHostname: string;
  total: number;
  checking: number;
  /** Flagged hosts in order of first request, each with its matched groups. */
  flagged: { hostname: string; groups: { id: string; name: string; code: string }[] }[];
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
  /** For tests; default MAX_LOOKUPS_IN_FLIGHT, MAX_QUEUED_LOOKUPS_PER_TAB, MAX_HOSTS_PER_TAB and WRITE_DELAY_MS. */
  maxLookupsInFlight?: number;
  maxQueuedLookupsPerTab?: number;
  maxHostsPerTab?: number;
  writeDelayMs?: number;
}

interface Loaded {
  record: PageHostsRecord;
  /** Hosts beyond the limit whose lookup a full queue refused, to ask again (memory only). */
  refusedBeyondLimit?: StoredHost[];
  /**
   * Hosts within the limit that arrived while the room held for awaited answers filled the budget:
   * counted as overflow for now, listed and looked up as answers come in (memory only).
   */
  awaitingRoom?: Map<string, StoredHost>;
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
  /** Orders pages for the scheduler (newest first within a tab); memory only, like the queues. */
  const pageOrders = new WeakMap<PageHostsRecord, number>();
  let pageOrderCounter = 0;
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

  /**
   * What the record takes once everything already promised has arrived: every awaited answer,
   * every kept host's growth, every overflow hash still to be counted.
   */
  function pendingAnswerBytes(entry: Loaded): number {
    return (
      entry.record.hosts.filter((h) => h.doh.state === 'pending').length * ANSWER_RESERVE_BYTES
    );
  }

  function committedBytes(entry: Loaded): number {
    const { hosts, overflowHashes } = entry.record;
    return (
      entry.bytes +
      pendingAnswerBytes(entry) +
      hosts.length * HOST_GROWTH_BYTES +
      Math.max(0, MAX_OVERFLOW_TRACKED - overflowHashes.length) * OVERFLOW_HASH_BYTES
    );
  }

  function replaceHost(entry: Loaded, position: number, host: StoredHost): void {
    const before = entry.record.hosts[position];
    entry.bytes += JSON.stringify(host).length - (before ? JSON.stringify(before).length : 0);
    entry.record.hosts[position] = host;
  }

  function pageOrder(record: PageHostsRecord): number {
    let order = pageOrders.get(record);
    if (order === undefined) {
      pageOrderCounter += 1;
      order = pageOrderCounter;
      pageOrders.set(record, order);
    }
    return order;
  }

  const lookupKey = (hostname: string) => `${generation}|${hostname}`;

  /**
   * The tab's list changed page (or lost hosts): its queued lookups for hosts it no longer awaits
   * are dropped, the rest now count as the current page's.
   */
  function forgetUnawaited(entry: Loaded): void {
    const awaited = new Set(
      entry.record.hosts.filter((h) => h.doh.state === 'pending').map((h) => lookupKey(h.hostname)),
    );
    scheduler.forget(entry.record.tabId, (key) => awaited.has(key), pageOrder(entry.record));
  }

  /** Looks `hostname` up and stores the answer wherever the tab's list still awaits it. */
  function lookup(entry: Loaded, hostname: string): void {
    const { tabId } = entry.record;
    if (closedTabs.has(tabId)) return;
    const started = generation;
    const done: Promise<void> = scheduler
      .want(tabId, pageOrder(entry.record), lookupKey(hostname), () => resolveSafely(hostname))
      .then((outcome) => {
        // The page or tab is gone, or settings changed (a newer lookup is queued): nothing to store.
        if (!outcome.ran && outcome.why === 'forgotten') return;
        return enqueue(tabId, async () => {
          const current = await load(tabId);
          if (!current) return;
          const position = current.index.get(hostname);
          const host = position === undefined ? undefined : current.record.hosts[position];
          if (position === undefined || !host || host.doh.state !== 'pending') return;
          if (started !== generation) return;
          const evidence: Pick<StoredHost, 'doh' | 'omittedAddresses' | 'omittedAliases'> =
            outcome.ran
              ? await keptEvidence(hostname, outcome.value)
              : outcome.why === 'queue-full'
                ? { doh: { state: 'skipped', why: 'queue-full' } }
                : { doh: { state: 'failed', error: LOOKUP_LOST } };
          replaceHost(current, position, { ...host, ...evidence });
          if (outcome.ran) retryRefused(current);
          persist(tabId);
          deps.onChange(tabId);
        });
      })
      .finally(() => outstanding.delete(done));
    outstanding.add(done);
  }

  /**
   * A lookup of the tab finished, so its queue has room again: hosts a full queue refused are
   * queued again, as many as fit, while the record can still hold their answers. The record is the
   * backlog (bounded by the host limit and the byte budget); the scheduler's queue stays capped.
   */
  function retryRefused(entry: Loaded): void {
    const { tabId } = entry.record;
    const before = entry.bytes;
    const cap = deps.maxQueuedLookupsPerTab ?? MAX_QUEUED_LOOKUPS_PER_TAB;
    entry.record.hosts.forEach((host, position) => {
      if (host.doh.state !== 'skipped' || host.doh.why !== 'queue-full') return;
      if (scheduler.queued(tabId) >= cap) return;
      if (committedBytes(entry) + ANSWER_RESERVE_BYTES >= ADMIT_BELOW_BYTES) return;
      replaceHost(entry, position, { ...host, doh: { state: 'pending' } });
      lookup(entry, host.hostname);
    });
    for (const [hostname, host] of entry.awaitingRoom ?? []) {
      if (scheduler.queued(tabId) >= cap) break;
      const size = JSON.stringify(host).length + 1;
      if (
        committedBytes(entry) + size + HOST_GROWTH_BYTES + ANSWER_RESERVE_BYTES >=
        ADMIT_BELOW_BYTES
      ) {
        break;
      }
      entry.awaitingRoom!.delete(hostname);
      entry.bytes -= uncountOverflow(entry.record, hostname);
      entry.index.set(hostname, entry.record.hosts.length);
      entry.record.hosts.push(host);
      entry.bytes += size;
      lookup(entry, hostname);
    }
    const refused = entry.refusedBeyondLimit;
    while (refused && refused.length > 0 && scheduler.queued(tabId) < cap) {
      startLookupBeyondLimit(entry, refused.shift()!);
    }
    if (entry.bytes !== before) {
      persist(tabId);
      deps.onChange(tabId);
    }
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

  /**
   * Caps what is kept of an answer: the addresses (those that decide the verdict first: flagged,
   * then with no row, so nothing flagged or unknown is lost) and the alias chain
   * (MAX_ALIASES_PER_HOST names, MAX_ALIAS_BYTES_PER_HOST of JSON).
   */
  async function keptEvidence(
    hostname: string,
    doh: DohState,
  ): Promise<Pick<StoredHost, 'doh' | 'omittedAddresses' | 'omittedAliases'>> {
    if (doh.state === 'failed' && doh.error.message.length > MAX_ERROR_MESSAGE) {
      return {
        doh: {
          ...doh,
          error: { ...doh.error, message: doh.error.message.slice(0, MAX_ERROR_MESSAGE) },
        },
      };
    }
    if (doh.state !== 'done') return { doh };
    const aliases = keptAliases(doh.cnameChain);
    const omittedAliases = doh.cnameChain.length - aliases.length;
    const cut = omittedAliases > 0 ? { omittedAliases } : {};
    if (doh.addresses.length <= MAX_ADDRESSES_PER_HOST) {
      return { doh: { ...doh, cnameChain: aliases }, ...cut };
    }
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
      doh: { ...doh, addresses: ranked.slice(0, MAX_ADDRESSES_PER_HOST), cnameChain: aliases },
      omittedAddresses: ranked.length - MAX_ADDRESSES_PER_HOST,
      ...cut,
    };
  }

  /** Whether the browser's connection to `ip` alone flags `hostname` (allowlist included). */
  async function connectionStatus(hostname: string, ip: string): Promise<Verdict['status']> {
    const verdict = buildVerdict(
      {
        hostname,
        allowlisted: isAllowlisted(hostname, deps.getSettings().allowlist),
        browserAddress: ip,
      },
      await deps.table,
      matcher,
    );
    return verdict.status;
  }

  /**
   * Looks up a host beyond the limit whose connection said nothing (called once per host and page:
   * when it is first counted), at most MAX_LOOKUPS_BEYOND_LIMIT per page; keeps it (beyondLimit)
   * if the answer flags it.
   */
  function lookupBeyondLimit(entry: Loaded, host: StoredHost): void {
    const { record } = entry;
    if (closedTabs.has(record.tabId)) return;
    if ((record.lookupsBeyondLimit ?? 0) >= MAX_LOOKUPS_BEYOND_LIMIT) return;
    record.lookupsBeyondLimit = (record.lookupsBeyondLimit ?? 0) + 1;
    startLookupBeyondLimit(entry, host);
  }

  function startLookupBeyondLimit(entry: Loaded, host: StoredHost): void {
    const { tabId, pageId } = entry.record;
    const { hostname } = host;
    if (closedTabs.has(tabId)) return;
    const started = generation;
    const done: Promise<void> = scheduler
      .want(tabId, pageOrder(entry.record), lookupKey(hostname), () => resolveSafely(hostname))
      .then((outcome) => {
        if (!outcome.ran && outcome.why === 'queue-full') {
          // The page's own hosts fill the queue: asked again as its lookups finish.
          return enqueue(tabId, async () => {
            const current = await load(tabId);
            if (current?.record.pageId === pageId) (current.refusedBeyondLimit ??= []).push(host);
          });
        }
        if (!outcome.ran) return;
        return enqueue(tabId, async () => {
          const current = await load(tabId);
          if (!current || current.record.pageId !== pageId || started !== generation) return;
          retryRefused(current);
          if (current.index.has(hostname)) return;
          const kept: StoredHost = {
            ...host,
            ...(await keptEvidence(hostname, outcome.value)),
            beyondLimit: true,
          };
          const view = judgeHost(kept, await deps.table, matcher, deps.getSettings());
          if (view.verdict.status !== 'flagged') return;
          const list = current.record;
          const size = JSON.stringify(kept).length + 1;
          if (list.hosts.filter(isBeyondLimit).length >= MAX_OVER_LIMIT_WATCHED) return;
          if (committedBytes(current) + size + HOST_GROWTH_BYTES >= WATCHED_ADMIT_BELOW_BYTES) {
            return;
          }
          current.bytes -= uncountOverflow(list, hostname);
          current.index.set(hostname, list.hosts.length);
          list.hosts.push(kept);
          current.bytes += size;
          persist(tabId);
          deps.onChange(tabId);
        });
      })
      .finally(() => outstanding.delete(done));
    outstanding.add(done);
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
          scheduler.forget(tabId);
          loaded.delete(tabId);
          dirty.delete(tabId);
          await flushing.get(tabId);
          await deps.session.remove(hostsKey(tabId));
        } else {
          forgetUnawaited(remember(nextPage(await load(tabId), tabId, url, at, documentId)));
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
            forgetUnawaited(remember(record));
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
        const host: StoredHost = {
          hostname,
          requests: 1,
          ...(ip ? { browserAddress: ip } : {}),
          doh: initialDoh(hostname, deps.getSettings()),
          lastSeq: record.seq,
          ...lastAt,
          ...(topDocument !== undefined ? { documents: [topDocument] } : {}),
        };
        const awaiting = entry.awaitingRoom;
        if (awaiting?.has(hostname)) return;
        const size = JSON.stringify(host).length + 1 + HOST_GROWTH_BYTES;
        const overLimit = record.hosts.filter(isBeyondLimit).length;
        const committed = committedBytes(entry) + size;
        const withinCount = record.hosts.length - overLimit + (awaiting?.size ?? 0) < maxHosts;
        const answerRoom = host.doh.state === 'pending' ? ANSWER_RESERVE_BYTES : 0;
        const admitted = withinCount && committed + answerRoom < ADMIT_BELOW_BYTES;
        // What the browser's own connection says of a host not admitted (none seen: undefined).
        const connection =
          !admitted && ip !== undefined ? await connectionStatus(hostname, ip) : undefined;
        if (
          withinCount &&
          !admitted &&
          connection !== 'flagged' &&
          host.doh.state === 'pending' &&
          committed - pendingAnswerBytes(entry) < ADMIT_BELOW_BYTES
        ) {
          // Only the room held for answers still awaited is short: the host waits for it, counted.
          (entry.awaitingRoom ??= new Map()).set(hostname, host);
          entry.bytes += countOverflow(record, hostname);
          persist(tabId);
          return;
        }
        if (!admitted) {
          // Kept only when the browser's own connection already flags it; where the connection
          // says nothing, looked up (a bounded number per page) and kept if the answer flags.
          const room = overLimit < MAX_OVER_LIMIT_WATCHED && committed < WATCHED_ADMIT_BELOW_BYTES;
          if (!room || connection !== 'flagged') {
            const firstSeen = countOverflow(record, hostname);
            entry.bytes += firstSeen;
            if (firstSeen > 0 && room && connection !== 'clean' && host.doh.state === 'pending') {
              lookupBeyondLimit(entry, host);
            }
            persist(tabId);
            return;
          }
          entry.bytes -= uncountOverflow(record, hostname);
          host.doh = { state: 'skipped', why: 'over-limit' };
          host.beyondLimit = true;
        }
        entry.index.set(hostname, record.hosts.length);
        record.hosts.push(host);
        entry.bytes += JSON.stringify(host).length + 1;
        persist(tabId);
        if (host.doh.state === 'pending') lookup(entry, hostname);
        deps.onChange(tabId);
      });
    },

    /** The tab closed: forget its hosts. */
    tabRemoved(tabId: number): Promise<void> {
      // At once, not in turn: lookups the tab queued must not start while earlier updates finish,
      // and those earlier updates must not queue new ones.
      scheduler.forget(tabId);
      closedTabs.add(tabId);
      if (closedTabs.size > MAX_CLOSED_TABS_REMEMBERED) {
        closedTabs.delete(closedTabs.values().next().value!);
      }
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
        overLimitWatched: hosts.filter((h) => h.notLookedUp === 'over-limit').length,
        queueFull: hosts.filter((h) => h.notLookedUp === 'queue-full').length,
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
            groups: h.verdict.groups.map((g) => ({ id: g.id, name: g.name, code: g.code })),
          })),
      };
    },

    /**
     * After a worker restart: load every stored list and redo the lookups that were in flight or
     * refused by a full queue.
     */
    async resumePending(): Promise<void> {
      for (const record of await allStored()) {
        await enqueue(record.tabId, async () => {
          const entry = loaded.get(record.tabId) ?? remember(record);
          for (const host of entry.record.hosts) {
            if (host.doh.state === 'pending') {
              lookup(entry, host.hostname);
            }
          }
          // Hosts a full queue refused before the restart, while the new queue has room.
          retryRefused(entry);
          persist(record.tabId);
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
          // The lookups of the old settings are of no use any more.
          scheduler.forget(tabId, () => false);
          entry.record.hosts.forEach((host, position) => {
            // A host over the limit stays unlooked-up: looking it up now would lift the limit.
            const overLimit = host.doh.state === 'skipped' && host.doh.why === 'over-limit';
            const initial = initialDoh(host.hostname, settings);
            const doh = overLimit && initial.state === 'pending' ? host.doh : initial;
            const { omittedAddresses: _omitted, omittedAliases: _cut, ...rest } = host;
            void _omitted;
            void _cut;
            replaceHost(entry, position, { ...rest, doh });
            if (doh.state === 'pending') lookup(entry, host.hostname);
          });
          persist(tabId);
          deps.onChange(tabId);
        });
      }
    },

    /** Resolves when every queued update and write has finished (tests, and orderly shutdown). */
    async idle(): Promise<void> {
      for (;;) {
        const pending = [...queues.values(), ...flushing.values(), ...outstanding];
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    },
  };

  /** Counts a host not kept, once; returns the bytes this added to the record. */
  function countOverflow(record: PageHostsRecord, hostname: string): number {
    const hash = fnv1a(hostname);
    if (record.overflowHashes.includes(hash)) return 0;
    if (record.overflowHashes.length >= MAX_OVERFLOW_TRACKED) return 0;
    record.overflowHashes.push(hash);
    record.overflowHosts += 1;
    return String(hash).length + 1;
  }

  /** A counted host is kept after all (a later request connected to a watched address). */
  function uncountOverflow(record: PageHostsRecord, hostname: string): number {
    const at = record.overflowHashes.indexOf(fnv1a(hostname));
    if (at < 0) return 0;
    const [hash] = record.overflowHashes.splice(at, 1);
    record.overflowHosts -= 1;
    return String(hash).length + 1;
  }
}

export type PageHosts = ReturnType<typeof createPageHosts>;

/** A lookup that neither ran nor was refused (its work threw): the host must not look clean. */
const LOOKUP_LOST: DnsError = {
  kind: 'network',
  message: 'the lookup was lost',
} as DnsError;

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
  const notLookedUp =
    doh.state === 'skipped' && (doh.why === 'over-limit' || doh.why === 'queue-full')
      ? doh.why
      : undefined;
  const browserOnly =
    doh.state === 'skipped' &&
    (doh.why === 'privacy-mode' || doh.why === 'private-name' || notLookedUp !== undefined);
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
            ? {
                kind: doh.why,
                message: notLookedUp
                  ? 'not looked up (too many of the page’s hosts at once), and the browser did not connect to it'
                  : 'the browser did not connect to this host',
              }
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
    ...(notLookedUp ? { notLookedUp } : {}),
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

function isRecord(value: unknown): value is PageHostsRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { version?: unknown }).version === RECORD_VERSION &&
    Array.isArray((value as { hosts?: unknown }).hosts)
  );
}

/** The first names of an alias chain, within MAX_ALIASES_PER_HOST and MAX_ALIAS_BYTES_PER_HOST. */
function keptAliases(chain: readonly string[]): string[] {
  const kept: string[] = [];
  let bytes = 0;
  for (const name of chain.slice(0, MAX_ALIASES_PER_HOST)) {
    bytes += JSON.stringify(name).length + 1;
    if (bytes > MAX_ALIAS_BYTES_PER_HOST) break;
    kept.push(name);
  }
  return kept;
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

/** A host kept beyond MAX_HOSTS_PER_TAB (records of the previous release mark only the skipped ones). */
function isBeyondLimit(host: StoredHost): boolean {
  return (
    host.beyondLimit === true || (host.doh.state === 'skipped' && host.doh.why === 'over-limit')
  );
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
