/**
 * The DoH lookups of a tab's hosts (lib/tabs/lookup-scheduler.ts runs them): which host is looked
 * up when, where an answer is stored, the hosts a full queue refused asked again as it drains, the
 * bounded lookups of hosts beyond the limit, and a loading page's lookups held until its load event.
 */
import type { CompiledWatchlist } from '../../watchlist/match';
import type { LookupScheduler } from '../lookup-scheduler';
import type { DohState } from '../types';
import { lookupOutcome } from '../host-rules';
import { judgeHost, keptEvidence, LOOKUP_LOST } from './judge';
import {
  ADMIT_BELOW_BYTES,
  ANSWER_RESERVE_BYTES,
  HOST_GROWTH_BYTES,
  MAX_LOOKUPS_BEYOND_LIMIT,
  MAX_OVER_LIMIT_WATCHED,
  MAX_QUEUED_LOOKUPS_PER_TAB,
  WATCHED_ADMIT_BELOW_BYTES,
} from './limits';
import {
  appendHost,
  committedBytes,
  replaceHost,
  uncountOverflow,
  type Loaded,
  type PageHostsRecord,
  type StoredHost,
} from './record';
import type { PageHostsDeps } from './deps';

/** What the lookups share with the tab's host list (lib/tabs/page-hosts/index.ts). */
export interface LookupContext {
  deps: PageHostsDeps;
  scheduler: LookupScheduler<DohState>;
  /** Runs `work` in the tab's turn, after its earlier updates. */
  enqueue(tabId: number, work: () => Promise<void>): Promise<void>;
  load(tabId: number): Promise<Loaded | undefined>;
  persist(tabId: number): void;
  /** Tabs closed lately: their late updates queue no lookup. */
  closedTabs: ReadonlySet<number>;
  /** Lookups asked for and not yet stored or dropped. */
  outstanding: Set<Promise<void>>;
  /** Bumped when what a lookup depends on changes (resolver, privacy mode, allowlist). */
  generation(): number;
  matcher(): CompiledWatchlist;
  lookupHoldMs: number;
}

export function createHostLookups(ctx: LookupContext) {
  const { deps, scheduler, lookupHoldMs } = ctx;
  /** Orders pages for the scheduler (newest first within a tab); memory only, like the queues. */
  const pageOrders = new WeakMap<PageHostsRecord, number>();
  let pageOrderCounter = 0;
  /** The timers that end a loading page's hold on its lookups, by tab. */
  const holds = new Map<number, ReturnType<typeof setTimeout>>();

  function pageOrder(record: PageHostsRecord): number {
    let order = pageOrders.get(record);
    if (order === undefined) {
      pageOrderCounter += 1;
      order = pageOrderCounter;
      pageOrders.set(record, order);
    }
    return order;
  }

  const lookupKey = (hostname: string) => `${ctx.generation()}|${hostname}`;

  /** The tab's page is loading: its lookups wait for its load event, at most lookupHoldMs. */
  function holdLookups(tabId: number): void {
    releaseLookups(tabId);
    if (lookupHoldMs <= 0) return;
    scheduler.hold(tabId);
    holds.set(
      tabId,
      setTimeout(() => releaseLookups(tabId), lookupHoldMs),
    );
  }

  function releaseLookups(tabId: number): void {
    clearTimeout(holds.get(tabId));
    holds.delete(tabId);
    scheduler.release(tabId);
  }

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
    if (ctx.closedTabs.has(tabId)) return;
    const started = ctx.generation();
    const done: Promise<void> = scheduler
      .want(tabId, pageOrder(entry.record), lookupKey(hostname), () =>
        lookupOutcome(() => deps.resolve(hostname, deps.getSettings()), hostname, deps.log),
      )
      .then((outcome) => {
        // The page or tab is gone, or settings changed (a newer lookup is queued): nothing to store.
        if (!outcome.ran && outcome.why === 'forgotten') return;
        return ctx.enqueue(tabId, async () => {
          const current = await ctx.load(tabId);
          if (!current) return;
          const position = current.index.get(hostname);
          const host = position === undefined ? undefined : current.record.hosts[position];
          if (position === undefined || !host || host.doh.state !== 'pending') return;
          if (started !== ctx.generation()) return;
          const evidence: Pick<StoredHost, 'doh' | 'omittedAddresses' | 'omittedAliases'> =
            outcome.ran
              ? keptEvidence(hostname, outcome.value, await deps.table, ctx.matcher())
              : outcome.why === 'queue-full'
                ? { doh: { state: 'skipped', why: 'queue-full' } }
                : { doh: { state: 'failed', error: LOOKUP_LOST } };
          replaceHost(current, position, { ...host, ...evidence });
          if (outcome.ran) retryRefused(current);
          ctx.persist(tabId);
          deps.onChange(tabId);
        });
      })
      .finally(() => ctx.outstanding.delete(done));
    ctx.outstanding.add(done);
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
      appendHost(entry, host, size);
      lookup(entry, hostname);
    }
    const refused = entry.refusedBeyondLimit;
    while (refused && refused.length > 0 && scheduler.queued(tabId) < cap) {
      startLookupBeyondLimit(entry, refused.shift()!);
    }
    if (entry.bytes !== before) {
      ctx.persist(tabId);
      deps.onChange(tabId);
    }
  }

  /**
   * Looks up a host beyond the limit whose connection said nothing (called once per host and page:
   * when it is first counted), at most MAX_LOOKUPS_BEYOND_LIMIT per page; keeps it (beyondLimit)
   * if the answer flags it.
   */
  function lookupBeyondLimit(entry: Loaded, host: StoredHost): void {
    const { record } = entry;
    if (ctx.closedTabs.has(record.tabId)) return;
    if ((record.lookupsBeyondLimit ?? 0) >= MAX_LOOKUPS_BEYOND_LIMIT) return;
    record.lookupsBeyondLimit = (record.lookupsBeyondLimit ?? 0) + 1;
    startLookupBeyondLimit(entry, host);
  }

  function startLookupBeyondLimit(entry: Loaded, host: StoredHost): void {
    const { tabId, pageId } = entry.record;
    const { hostname } = host;
    if (ctx.closedTabs.has(tabId)) return;
    const started = ctx.generation();
    const done: Promise<void> = scheduler
      .want(tabId, pageOrder(entry.record), lookupKey(hostname), () =>
        lookupOutcome(() => deps.resolve(hostname, deps.getSettings()), hostname, deps.log),
      )
      .then((outcome) => {
        if (!outcome.ran && outcome.why === 'queue-full') {
          // The page's own hosts fill the queue: asked again as its lookups finish.
          return ctx.enqueue(tabId, async () => {
            const current = await ctx.load(tabId);
            if (current?.record.pageId === pageId) (current.refusedBeyondLimit ??= []).push(host);
          });
        }
        if (!outcome.ran) return;
        return ctx.enqueue(tabId, async () => {
          const current = await ctx.load(tabId);
          if (!current || current.record.pageId !== pageId || started !== ctx.generation()) return;
          retryRefused(current);
          if (current.index.has(hostname)) return;
          const kept: StoredHost = {
            ...host,
            ...keptEvidence(hostname, outcome.value, await deps.table, ctx.matcher()),
            beyondLimit: true,
          };
          const view = judgeHost(kept, await deps.table, ctx.matcher(), deps.getSettings());
          if (view.verdict.status !== 'flagged') return;
          const list = current.record;
          const size = JSON.stringify(kept).length + 1;
          if (current.beyondLimit >= MAX_OVER_LIMIT_WATCHED) return;
          if (committedBytes(current) + size + HOST_GROWTH_BYTES >= WATCHED_ADMIT_BELOW_BYTES) {
            return;
          }
          current.bytes -= uncountOverflow(list, hostname);
          appendHost(current, kept, size);
          ctx.persist(tabId);
          deps.onChange(tabId);
        });
      })
      .finally(() => ctx.outstanding.delete(done));
    ctx.outstanding.add(done);
  }

  return {
    lookup,
    lookupBeyondLimit,
    retryRefused,
    forgetUnawaited,
    holdLookups,
    releaseLookups,
  };
}

export type HostLookups = ReturnType<typeof createHostLookups>;
