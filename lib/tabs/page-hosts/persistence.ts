/**
 * Where tab host lists live: a write-through copy in memory (the truth while this worker lives;
 * the popup reads it) and `hosts:<id>` in storage.session, for a worker the browser stops and
 * restarts. Writes are coalesced (WRITE_DELAY_MS, WRITE_MAX_WAITS in limits.ts): at most one in
 * flight per tab, the latest state always written last.
 */
import { HOSTS_KEY_PREFIX } from '../../storage/session-keys';
import type { SessionArea } from '../types';
import { WRITE_MAX_WAITS } from './limits';
import { hostsKey, isBeyondLimit, isRecord, type Loaded, type PageHostsRecord } from './record';

export interface HostListsOptions {
  session: SessionArea;
  writeDelayMs: number;
  log(message: string, error?: unknown): void;
}

export function createHostLists(options: HostListsOptions) {
  const { session, writeDelayMs, log } = options;
  const loaded = new Map<number, Loaded>();
  const dirty = new Set<number>();
  /** Changes per tab while a write is pending: a write waits for them to pause (persist). */
  const changeCounts = new Map<number, number>();
  const flushing = new Map<number, Promise<void>>();
  /** Ends the wait of a tab's pending write early (see `hurry`). */
  const hurries = new Map<number, () => void>();

  /** Keeps `record` as the tab's list in memory, with its index and running counts. */
  function remember(record: PageHostsRecord): Loaded {
    const entry: Loaded = {
      record,
      index: new Map(record.hosts.map((h, i) => [h.hostname, i])),
      bytes: JSON.stringify(record).length,
      pending: record.hosts.filter((h) => h.doh.state === 'pending').length,
      beyondLimit: record.hosts.filter(isBeyondLimit).length,
      revision: 0,
    };
    loaded.set(record.tabId, entry);
    return entry;
  }

  return {
    remember,

    /** The tab's list if it is in memory. */
    peek(tabId: number): Loaded | undefined {
      return loaded.get(tabId);
    },

    /** The tab's list: memory first, else the store (a restarted worker); undefined if none. */
    async load(tabId: number): Promise<Loaded | undefined> {
      const cached = loaded.get(tabId);
      if (cached) return cached;
      const stored = (await session.get(hostsKey(tabId)))[hostsKey(tabId)];
      if (!isRecord(stored)) return undefined;
      return remember(stored);
    },

    /**
     * The tab's list changed: written once its changes pause for writeDelayMs, and at most every
     * writeDelayMs × WRITE_MAX_WAITS while they keep coming (a page loading).
     */
    persist(tabId: number): void {
      dirty.add(tabId);
      changeCounts.set(tabId, (changeCounts.get(tabId) ?? 0) + 1);
      if (flushing.has(tabId)) return;
      const run = (async () => {
        do {
          for (let waits = 1; ; waits++) {
            const seen = changeCounts.get(tabId);
            const hurried = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), writeDelayMs);
              hurries.set(tabId, () => {
                clearTimeout(timer);
                resolve(true);
              });
            });
            hurries.delete(tabId);
            if (hurried || changeCounts.get(tabId) === seen || waits >= WRITE_MAX_WAITS) break;
          }
          dirty.delete(tabId);
          const entry = loaded.get(tabId);
          if (!entry) continue;
          try {
            await session.set({ [hostsKey(tabId)]: entry.record });
          } catch (error) {
            log(`tab ${tabId}: host list not stored`, error);
          }
        } while (dirty.has(tabId));
        changeCounts.delete(tabId);
      })();
      flushing.set(tabId, run);
      void run.then(() => flushing.delete(tabId));
    },

    /**
     * Writes the tab's pending changes now rather than when they pause: someone is looking at the
     * list (the popup), and what they saw must survive the worker.
     */
    hurry(tabId: number): void {
      hurries.get(tabId)?.();
    },

    /** Forgets the tab's list, in memory and in the store (after any write under way). */
    async drop(tabId: number): Promise<void> {
      loaded.delete(tabId);
      dirty.delete(tabId);
      await flushing.get(tabId);
      await session.remove(hostsKey(tabId));
    },

    /** Every stored list (a restarted worker's), and the tabs with a list in memory. */
    async allStored(): Promise<PageHostsRecord[]> {
      const everything = await session.get(null);
      return Object.entries(everything)
        .filter(([key, value]) => key.startsWith(HOSTS_KEY_PREFIX) && isRecord(value))
        .map(([, value]) => value as PageHostsRecord);
    },
    loadedTabs(): number[] {
      return [...loaded.keys()];
    },

    /** Writes under way (for `idle`). */
    writing(): Promise<void>[] {
      return [...flushing.values()];
    },
  };
}

export type HostLists = ReturnType<typeof createHostLists>;
