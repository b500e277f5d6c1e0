import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  CACHE_ENTRY_VERSION,
  createMemoryDnsCache,
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
