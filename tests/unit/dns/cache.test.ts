import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  CACHE_ENTRY_VERSION,
  createMemoryDnsCache,
  createStorageDnsCache,
  isCacheEntry,
  staleDnsCacheKeys,
  type CacheEntry,
} from '../../../lib/dns/cache';

const entry: CacheEntry = {
  version: CACHE_ENTRY_VERSION,
  storedAt: 1,
  expiresAt: 2,
  result: { ok: true, addresses: [{ ip: '192.0.2.1', type: 'A', ttl: 5 }], cnameChain: [] },
};

describe('isCacheEntry', () => {
  it('accepts entries of this version and rejects old or damaged ones', () => {
    expect(isCacheEntry(entry)).toBe(true);
    expect(isCacheEntry(JSON.parse(JSON.stringify(entry)))).toBe(true);
    expect(isCacheEntry({ ...entry, version: CACHE_ENTRY_VERSION - 1 })).toBe(false);
    expect(isCacheEntry({ ...entry, expiresAt: '2' })).toBe(false);
    expect(
      isCacheEntry({ ...entry, result: { ok: true, addresses: [{ ip: 1 }], cnameChain: [] } }),
    ).toBe(false);
    expect(isCacheEntry({ ...entry, result: { ok: false, error: { kind: 'nxdomain' } } })).toBe(
      false,
    );
    expect(
      isCacheEntry({ ...entry, result: { ok: false, error: { kind: 'nxdomain', message: 'm' } } }),
    ).toBe(true);
    expect(isCacheEntry(null)).toBe(false);
    expect(isCacheEntry('x')).toBe(false);
  });
});

describe('createMemoryDnsCache', () => {
  it('stores, overwrites and evicts the oldest entry beyond its limit', async () => {
    const cache = createMemoryDnsCache(2);
    await cache.set('a', entry);
    await cache.set('b', entry);
    await cache.set('a', { ...entry, expiresAt: 9 });
    await cache.set('c', entry);
    expect(cache.size()).toBe(2);
    expect(await cache.get('b')).toBeUndefined();
    expect((await cache.get('a'))?.expiresAt).toBe(9);
    expect(await cache.get('c')).toEqual(entry);
  });

  it('keys differ per resolver and per name', () => {
    const keys = new Set([
      cacheKey('https://a.example/q', 'x.com'),
      cacheKey('https://b.example/q', 'x.com'),
      cacheKey('https://a.example/q', 'y.com'),
    ]);
    expect(keys.size).toBe(3);
  });
});

describe('pruning the stored cache', () => {
  const entry = (storedAt: number, expiresAt: number): CacheEntry => ({
    version: CACHE_ENTRY_VERSION,
    storedAt,
    expiresAt,
    result: { ok: true, addresses: [{ ip: '192.0.2.1', type: 'A', ttl: 60 }], cnameChain: [] },
  });

  it('drops expired and unreadable entries, keeps live ones and everything that is not DNS', () => {
    const stale = staleDnsCacheKeys(
      {
        'dns:v1:a': entry(0, 500),
        'dns:v1:b': entry(0, 2_000),
        'dns:v0:old': { version: 0 },
        'tab:3': { anything: true },
        settings: {},
      },
      1_000,
    );
    expect(stale.sort()).toEqual(['dns:v0:old', 'dns:v1:a']);
  });

  it('keeps only the newest entries beyond the limit', () => {
    const contents = Object.fromEntries(
      [5, 1, 4, 2, 3].map((t) => [`dns:v1:${t}`, entry(t, 10_000)]),
    );
    expect(staleDnsCacheKeys(contents, 0, 3).sort()).toEqual(['dns:v1:1', 'dns:v1:2']);
  });
});

describe('createStorageDnsCache: bounded while the worker runs', () => {
  const live = (storedAt: number): CacheEntry => ({
    version: CACHE_ENTRY_VERSION,
    storedAt,
    expiresAt: 1e12,
    result: { ok: true, addresses: [{ ip: '192.0.2.1', type: 'A', ttl: 60 }], cnameChain: [] },
  });

  /** A storage area counting whole-area reads; `capacity` bytes (key + JSON) make set() throw. */
  function area(capacity = Infinity) {
    const data = new Map<string, unknown>();
    let fullReads = 0;
    const used = () => [...data].reduce((n, [k, v]) => n + k.length + JSON.stringify(v).length, 0);
    return {
      data,
      fullReads: () => fullReads,
      async get(key: string | null) {
        if (key === null) {
          fullReads++;
          return Object.fromEntries(data);
        }
        return data.has(key) ? { [key]: data.get(key) } : {};
      },
      async set(items: Record<string, unknown>) {
        const before = new Map(data);
        for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
        if (used() > capacity) {
          data.clear();
          for (const [k, v] of before) data.set(k, v);
          throw new Error('Resource::kQuotaBytes quota exceeded');
        }
      },
      async remove(keys: string[]) {
        for (const k of keys) data.delete(k);
      },
    };
  }
  const dnsKeys = (a: ReturnType<typeof area>) =>
    [...a.data.keys()].filter((k) => k.startsWith('dns:')).sort();

  it('keeps at most maxEntries, oldest out first, reading the whole area only once', async () => {
    const a = area();
    const cache = createStorageDnsCache(a, { now: () => 0, maxEntries: 3 });
    for (let i = 1; i <= 6; i++) await cache.set(`dns:v1:${i}`, live(i));
    expect(dnsKeys(a)).toEqual(['dns:v1:4', 'dns:v1:5', 'dns:v1:6']);
    expect(a.fullReads()).toBe(1);
    expect(await cache.get('dns:v1:6')).toEqual(live(6));
  });

  it('keeps the approximate bytes under maxBytes', async () => {
    const a = area();
    const size = `dns:v1:1`.length + JSON.stringify(live(1)).length;
    const cache = createStorageDnsCache(a, { now: () => 0, maxBytes: size * 2.5 });
    for (let i = 1; i <= 5; i++) await cache.set(`dns:v1:${i}`, live(i));
    expect(dnsKeys(a)).toEqual(['dns:v1:4', 'dns:v1:5']);
    expect(cache.stats().bytes).toBeLessThanOrEqual(size * 2.5);
  });

  it('prunes what an earlier worker left: expired entries, and the oldest beyond the limit', async () => {
    const a = area();
    // Entries are stored as the session-record store's versioned records, `{ v, data }`.
    a.data.set('dns:v1:expired', { v: 1, data: { ...live(9), expiresAt: 5 } });
    for (const t of [3, 1, 2]) a.data.set(`dns:v1:${t}`, { v: 1, data: live(t) });
    // One an older build stored bare is pruned too.
    a.data.set('dns:v1:0', live(10));
    a.data.set('tab:1', { shown: {} });
    const cache = createStorageDnsCache(a, { now: () => 10, maxEntries: 2 });
    await cache.prune();
    expect(dnsKeys(a)).toEqual(['dns:v1:2', 'dns:v1:3']);
    expect(a.data.has('tab:1')).toBe(true);
    await cache.set('dns:v1:4', live(4));
    expect(dnsKeys(a)).toEqual(['dns:v1:3', 'dns:v1:4']);
  });

  it('frees half of itself when the shared area is full, and never rejects', async () => {
    const a = area(2_000);
    const cache = createStorageDnsCache(a, { now: () => 0 });
    for (let i = 1; i <= 10; i++) await cache.set(`dns:v1:${i}`, live(i));
    a.data.set(
      'tab:1',
      'x'.repeat(
        2_000 - [...a.data].reduce((n, [k, v]) => n + k.length + JSON.stringify(v).length, 0) - 20,
      ),
    );
    await expect(cache.set('dns:v1:11', live(11))).resolves.toBeUndefined();
    expect(cache.full).toBe(false);
    expect(a.data.has('dns:v1:11')).toBe(true);
    expect(a.data.has('dns:v1:1')).toBe(false);
    expect(a.data.has('tab:1')).toBe(true);
    // Nothing left to free: the write is dropped, quietly.
    a.data.set('tab:2', 'y'.repeat(2_000));
    await expect(cache.set('dns:v1:12', live(12))).resolves.toBeUndefined();
    expect(a.data.has('dns:v1:12')).toBe(false);
    // Logged and flagged, never thrown.
    expect(cache.full).toBe(true);
  });
});
