/**
 * The DNS cache contract. The extension backs it with `storage.session` (a service worker may be
 * stopped at any time, so an in-memory map alone would be lost); the CLI and tests use the memory
 * cache below. Entries are plain JSON so any storage area can hold them.
 */
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
  return `dns:v${CACHE_ENTRY_VERSION}:${resolverUrl}|${name}`;
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
  return key.startsWith('dns:');
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
