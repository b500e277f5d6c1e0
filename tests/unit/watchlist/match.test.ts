import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../lib/ip/parse';
import type { IpAddress } from '../../../lib/ip/types';
import { setGroupEnabled } from '../../../lib/watchlist/edit';
import { compileWatchlist, matchAddress } from '../../../lib/watchlist/match';
import type { Watchlist } from '../../../lib/watchlist/model';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { sampleWatchlist } from './fixtures';

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.address;
}

function ids(
  address: string,
  asn: number | null,
  watchlist: Watchlist = sampleWatchlist(),
): string[] {
  return matchAddress(ip(address), asn, watchlist).map((m) => `${m.groupId}:${m.reason.kind}`);
}

/**
 * Adds a prefix as stored settings may hold it, without addPrefix's refusal of documentation and
 * catch-all ranges: the matcher must still handle whatever storage holds.
 */
function addPrefix(
  watchlist: Watchlist,
  groupId: string,
  prefix: string,
): { ok: true; watchlist: Watchlist } | { ok: false; reason: string } {
  return {
    ok: true,
    watchlist: {
      groups: watchlist.groups.map((g) =>
        g.id === groupId ? { ...g, prefixes: [...g.prefixes, prefix] } : g,
      ),
    },
  };
}

describe('matchAddress', () => {
  it('matches by origin ASN, whatever the address', () => {
    expect(matchAddress(ip('202.96.128.86'), 4134, sampleWatchlist())).toMatchObject([
      {
        groupId: 'china-telecom',
        groupName: 'China Telecom',
        code: 'CT',
        reason: { kind: 'asn', asn: 4134 },
      },
    ]);
    expect(ids('2400:da00::1', 4134)).toEqual(['china-telecom:asn']);
    expect(ids('202.96.128.86', 4809)).toEqual([]);
    expect(ids('202.96.128.86', null)).toEqual([]);
  });

  it("carries the listed ASN's confidence and note into the match, and none for a prefix", () => {
    const watchlist = DEFAULT_WATCHLIST;
    const telecom = watchlist.groups.find((g) => g.asns.some((a) => a.asn === 4134))!;
    const entry = telecom.asns.find((a) => a.asn === 4134)!;
    expect(entry.confidence).toBe('high');
    const [byAsn] = matchAddress(ip('1.48.0.1'), 4134, watchlist);
    expect(byAsn).toMatchObject({ confidence: 'high', note: entry.note });
    const low = watchlist.groups.flatMap((g) => g.asns).find((a) => a.confidence === 'low')!;
    expect(matchAddress(ip('1.48.0.1'), low.asn, watchlist)[0]?.confidence).toBe('low');
    const withPrefix = addPrefix(watchlist, telecom.id, '192.0.2.0/24');
    const [byPrefix] = matchAddress(
      ip('192.0.2.9'),
      null,
      withPrefix.ok ? withPrefix.watchlist : watchlist,
    );
    expect(byPrefix?.reason.kind).toBe('prefix');
    expect(byPrefix).not.toHaveProperty('confidence');
  });

  it('matches IPv4 prefixes at their edges only', () => {
    expect(matchAddress(ip('198.51.100.0'), null, sampleWatchlist())[0]?.reason).toEqual({
      kind: 'prefix',
      prefix: '198.51.100.0/24',
    });
    expect(ids('198.51.100.255', 64)).toEqual(['custom-lab:prefix']);
    expect(ids('198.51.101.0', null)).toEqual([]);
    expect(ids('198.51.99.255', null)).toEqual([]);
  });

  it('matches IPv6 prefixes, including across word boundaries', () => {
    expect(ids('2001:db8:aa::', null)).toEqual(['custom-lab:prefix']);
    expect(ids('2001:db8:aa:ffff:ffff:ffff:ffff:ffff', null)).toEqual(['custom-lab:prefix']);
    expect(ids('2001:db8:ab::', null)).toEqual([]);
    expect(ids('2001:db9:aa::', null)).toEqual([]);
    const odd = addPrefix(sampleWatchlist(), 'china-telecom', '2001:db8:0:8000::/49');
    if (!odd.ok) throw new Error(odd.reason);
    expect(ids('2001:db8:0:8000::1', null, odd.watchlist)).toEqual(['china-telecom:prefix']);
    expect(ids('2001:db8:0:7fff::1', null, odd.watchlist)).toEqual([]);
    const wide = addPrefix(sampleWatchlist(), 'china-telecom', '2400::/12');
    if (!wide.ok) throw new Error(wide.reason);
    expect(ids('240f:ffff::1', null, wide.watchlist)).toEqual(['china-telecom:prefix']);
    expect(ids('2410::1', null, wide.watchlist)).toEqual([]);
  });

  it('never matches an IPv4 prefix to an IPv6 address or the reverse', () => {
    const all = addPrefix(sampleWatchlist(), 'china-telecom', '0.0.0.0/0');
    if (!all.ok) throw new Error(all.reason);
    expect(ids('8.8.8.8', null, all.watchlist)).toEqual(['china-telecom:prefix']);
    expect(ids('2001:4860::8888', null, all.watchlist)).toEqual([]);
    // An IPv4-mapped IPv6 address is the IPv4 address (parseIp maps it), so it does match.
    expect(ids('::ffff:8.8.8.8', null, all.watchlist)).toEqual(['china-telecom:prefix']);
  });

  it('ignores disabled groups, and a re-enabled group matches again', () => {
    expect(ids('192.0.2.1', 15169)).toEqual([]);
    const on = setGroupEnabled(sampleWatchlist(), 'off', true);
    if (!on.ok) throw new Error(on.reason);
    expect(ids('192.0.2.1', null, on.watchlist)).toEqual(['off:prefix']);
    expect(ids('8.8.8.8', 15169, on.watchlist)).toEqual(['off:asn']);
  });

  it('reports every matching group once, preferring the ASN reason then the longest prefix', () => {
    let w = sampleWatchlist();
    for (const p of ['198.51.100.0/25', '198.0.0.0/8']) {
      const r = addPrefix(w, 'china-telecom', p);
      if (!r.ok) throw new Error(r.reason);
      w = r.watchlist;
    }
    expect(matchAddress(ip('198.51.100.1'), 13335, w).map((m) => [m.groupId, m.reason])).toEqual([
      ['china-telecom', { kind: 'prefix', prefix: '198.51.100.0/25' }],
      ['custom-lab', { kind: 'asn', asn: 13335 }],
    ]);
    expect(matchAddress(ip('198.51.100.200'), 4134, w).map((m) => [m.groupId, m.reason])).toEqual([
      ['china-telecom', { kind: 'asn', asn: 4134 }],
      ['custom-lab', { kind: 'prefix', prefix: '198.51.100.0/24' }],
    ]);
  });
});

describe('compileWatchlist', () => {
  it('keeps only enabled groups and reports unparsable stored prefixes instead of throwing', () => {
    const w = sampleWatchlist();
    w.groups[1]!.prefixes.push('not a prefix');
    const compiled = compileWatchlist(w);
    expect(compiled.groups.map((g) => g.id)).toEqual(['china-telecom', 'custom-lab']);
    expect(compiled.problems).toHaveLength(1);
    expect(compiled.problems[0]).toMatch(/^Lab: /);
    expect(compiled.match(ip('198.51.100.9'), null)).toHaveLength(1);
  });

  it('matches a large list quickly', () => {
    const w = sampleWatchlist();
    w.groups[1]!.asns = Array.from({ length: 5000 }, (_, i) => ({ asn: 200000 + i }));
    w.groups[1]!.prefixes = Array.from({ length: 2000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const compiled = compileWatchlist(w);
    const address = ip('203.0.113.9');
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) compiled.match(address, 204999);
    const perMatch = (performance.now() - start) / 10_000;
    expect(compiled.match(address, 204999)).toHaveLength(1);
    expect(compiled.match(ip('10.7.207.1'), null)).toHaveLength(1);
    expect(perMatch).toBeLessThan(0.05); // ms; ASN hits never scan the prefix list
  });
});
