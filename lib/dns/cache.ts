/**
 * The DNS cache contract. The extension backs it with `storage.session` (a service worker may be
 * stopped at any time, so an in-memory map alone would be lost); the CLI and tests use the memory
 * cache below. Entries are plain JSON so any storage area can hold them.
 */
import { DNS_CACHE_KEY_PREFIX } from '../storage/session-keys';
import {
  createSessionRecords,
  type AreaChanges,
  type SessionRecordArea,
} from '../storage/session-records';
import type { DnsError, ResolvedAddress } from './types';

/** Bumped when the entry shape changes, so entries written by an older build are ignored. */
export const CACHE_ENTRY_VERSION = 1;

export type CachedResult =
  | {
      readonly ok: true;
      readonly addresses: readonly ResolvedAddress[];
      readonly cnameChain: readonly string[];
    }
  | { readonly ok: false; readonly error: DnsError };

export interface CacheEntry {
  readonly version: typeof CACHE_ENTRY_VERSION;
  /** Epoch milliseconds (by the client's clock) after which the entry is stale. */
  readonly expiresAt: number;
  /** When it was stored, so TTLs can be counted down on a hit. */
  readonly storedAt: number;
  readonly result: CachedResult;
}

export interface DnsCache {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<void>;
}

/** Cache key for one name at one resolver; prefixed so it can share a storage area. */
export function cacheKey(resolverUrl: string, name: string): string {
  return `${DNS_CACHE_KEY_PREFIX}v${CACHE_ENTRY_VERSION}:${resolverUrl}|${name}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Checks that a value read back from storage is a well-formed entry of this version; storage may
 * hold entries from an older build or be tampered with, and a bad entry must read as a miss.
 */
export function isCacheEntry(value: unknown): value is CacheEntry {
  if (!isObject(value) || value.version !== CACHE_ENTRY_VERSION) return false;
  if (typeof value.expiresAt !== 'number' || typeof value.storedAt !== 'number') return false;
  const result = value.result;
  if (!isObject(result)) return false;
  if (result.ok === true) {
    return (
      Array.isArray(result.addresses) &&
      result.addresses.every(
        (a: unknown) =>
          isObject(a) &&
          typeof a.ip === 'string' &&
          (a.type === 'A' || a.type === 'AAAA') &&
          typeof a.ttl === 'number',
      ) &&
      Array.isArray(result.cnameChain) &&
      result.cnameChain.every((n: unknown) => typeof n === 'string')
    );
  }
  return (
    result.ok === false &&
    isObject(result.error) &&
    typeof result.error.kind === 'string' &&
    typeof result.error.message === 'string'
  );
}

/** An in-memory `DnsCache` with an entry limit (oldest insertion evicted first). */
export function createMemoryDnsCache(
  maxEntries = 1000,
): DnsCache & { readonly size: () => number } {
  const map = new Map<string, CacheEntry>();
  return {
    get: (key) => Promise.resolve(map.get(key)),
    set: (key, entry) => {
      map.delete(key);
      map.set(key, entry);
      while (map.size > maxEntries) {
        const oldest = map.keys().next();
        if (oldest.done) break;
        map.delete(oldest.value);
      }
      return Promise.resolve();
    },
    size: () => map.size,
  };
}

/** Every key a DNS cache may have written, of any entry version. */
export function isDnsCacheKey(key: string): boolean {
  return key.startsWith(DNS_CACHE_KEY_PREFIX);
}

/**
 * The cache keys in a storage area's contents that should go: expired or unreadable entries, then
 * the oldest stored beyond `maxEntries`. storage.session is small (10 MB in Chromium) and lives as
 * long as the browser, so the worker prunes it at start-up instead of letting it grow all day.
 */
export function staleDnsCacheKeys(
  contents: Record<string, unknown>,
  now: number,
  maxEntries = 2000,
): string[] {
  const stale: string[] = [];
  const live: { key: string; storedAt: number }[] = [];
  for (const [key, value] of Object.entries(contents)) {
    if (!isDnsCacheKey(key)) continue;
    if (!isCacheEntry(value) || value.expiresAt <= now) stale.push(key);
    else live.push({ key, storedAt: value.storedAt });
  }
  if (live.length > maxEntries) {
    live.sort((a, b) => a.storedAt - b.storedAt);
    stale.push(...live.slice(0, live.length - maxEntries).map((e) => e.key));
  }
  return stale;
}

/** The subset of a storage area (`storage.session`) the storage-backed cache needs. */
export interface CacheStorageArea {
  get(key: string | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /** The browser's areas have it: an entry removed by anyone else is forgotten in memory too. */
  onChanged?: AreaChanges;
}

/** The storage-backed cache's limits: about 1 MB, so the tab reports always keep most of the area. */
export const DNS_CACHE_MAX_ENTRIES = 2000;
export const DNS_CACHE_MAX_BYTES = 1_000_000;

/**
 * The session-record store's format version of a stored entry (`{ v, data }`). The entry's own
 * `version` (CACHE_ENTRY_VERSION, also in its key) still says what a `CacheEntry` is.
 */
const DNS_RECORD_VERSION = 1;

export interface StorageDnsCacheOptions {
  maxEntries?: number;
  /** Approximate: key plus JSON length of each stored record, as browsers count storage quota. */
  maxBytes?: number;
  now(): number;
  log?(message: string, error?: unknown): void;
}

/** Approximate stored size of one item, as Chromium counts it against the quota (key + JSON). */
function storedSize(key: string, value: unknown): number {
  return key.length + (JSON.stringify(value)?.length ?? 0);
}

/** The entry inside a stored record of this build; undefined (stale) for anything else. */
function entryOf(stored: unknown): unknown {
  return isObject(stored) && stored.v === DNS_RECORD_VERSION ? stored.data : undefined;
}

/** `area` as the session-record store reads it: one `get` of the listed keys each. */
function recordAreaOfCache(area: CacheStorageArea): SessionRecordArea {
  return {
    async get(keys) {
      if (keys === null) return area.get(null);
      const found = await Promise.all(keys.map((key) => area.get(key)));
      return Object.assign({}, ...found) as Record<string, unknown>;
    },
    set: (items) => area.set(items),
    remove: (keys) => area.remove(keys),
    ...(area.onChanged ? { onChanged: area.onChanged } : {}),
  };
}

/**
 * A `DnsCache` in a storage area shared with other data (the tab reports), bounded while the worker
 * runs: at most `maxEntries` entries and about `maxBytes`, oldest stored first out. Its entries are
 * records of the session-record store (lib/storage/session-records.ts): a hit is served from memory
 * once read or set in this worker's life, writes are coalesced, and a full area is logged and
 * flagged (`full`). An index of its own keys (read once per worker life, when it also drops expired
 * entries) makes each write cost one set and at most one remove, never a read of the whole area. A
 * write the area refuses (full) frees half of the cache and is tried once more; after that the entry
 * is not cached. Never rejects.
 */
export function createStorageDnsCache(
  area: CacheStorageArea,
  options: StorageDnsCacheOptions,
): DnsCache & {
  prune(): Promise<void>;
  readonly stats: () => { entries: number; bytes: number };
  /** Whether the area refused the last write for lack of space (logged), none succeeding since. */
  readonly full: boolean;
} {
  const maxEntries = options.maxEntries ?? DNS_CACHE_MAX_ENTRIES;
  const maxBytes = options.maxBytes ?? DNS_CACHE_MAX_BYTES;
  const log = options.log ?? (() => undefined);
  const records = createSessionRecords<CacheEntry>(recordAreaOfCache(area), {
    version: DNS_RECORD_VERSION,
    isValid: isCacheEntry,
    // Memory holds at most as many entries as the area may (misses included): bounded like it.
    maxInMemory: maxEntries,
    log,
  });
  // Key → approximate bytes, in the order stored (a Map keeps insertion order): oldest first.
  const index = new Map<string, number>();
  let bytes = 0;
  let loaded: Promise<void> | undefined;

  const forget = (key: string): void => {
    const size = index.get(key);
    if (size === undefined) return;
    bytes -= size;
    index.delete(key);
  };

  /** Takes the oldest keys out of the index and the store until both limits hold (or `extra` more are gone). */
  const evict = (extra = 0): string[] => {
    const out: string[] = [];
    for (const key of index.keys()) {
      if (index.size <= maxEntries && bytes <= maxBytes && out.length >= extra) break;
      out.push(key);
      forget(key); // deleting the current key of a Map being iterated is safe
      records.delete(key);
    }
    return out;
  };
  /** Waits for these keys' writes only: answers arriving meanwhile must not hold this one up. */
  const written = (keys: string[]) => Promise.all(keys.map((key) => records.settled(key)));

  const load = (): Promise<void> =>
    (loaded ??= (async () => {
      let contents: Record<string, unknown> = {};
      try {
        contents = await area.get(null);
      } catch (error) {
        log('DNS cache index could not be read', error);
      }
      const entries: Record<string, unknown> = {};
      for (const [key, stored] of Object.entries(contents)) {
        if (isDnsCacheKey(key)) entries[key] = entryOf(stored);
      }
      const stale = staleDnsCacheKeys(entries, options.now(), maxEntries);
      const dropped = new Set(stale);
      const live = Object.keys(entries)
        .filter((key) => !dropped.has(key))
        .map((key) => ({
          key,
          storedAt: (entries[key] as CacheEntry).storedAt,
          size: storedSize(key, contents[key]),
        }))
        .sort((a, b) => a.storedAt - b.storedAt);
      // `set` awaits this before touching the index, so the index is still empty here.
      for (const { key, size } of live) {
        index.set(key, size);
        bytes += size;
      }
      for (const key of stale) records.delete(key);
      evict();
      await records.flush();
    })());

  return {
    get: (key) => records.get(key),
    async set(key, entry) {
      await load();
      const size = storedSize(key, { v: DNS_RECORD_VERSION, data: entry });
      if (size > maxBytes) return; // one oversized answer must not flush the whole cache
      forget(key);
      index.set(key, size);
      bytes += size;
      records.set(key, entry);
      await written([key, ...evict()]);
      if (records.saved(key)) return;
      log('DNS cache write refused; freeing half of the cache');
      forget(key);
      await written(evict(Math.ceil(index.size / 2)));
      records.set(key, entry);
      await written([key]);
      if (records.saved(key)) {
        index.set(key, size);
        bytes += size;
        return;
      }
      log('DNS cache write refused again; not cached');
      records.delete(key);
      await written([key]);
    },
    prune: load,
    stats: () => ({ entries: index.size, bytes }),
    get full() {
      return records.full;
    },
  };
}
