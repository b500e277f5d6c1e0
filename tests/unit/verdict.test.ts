import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../lib/cli/main';
import {
  badgeFor,
  buildVerdict,
  BADGE_PROBABLE_COLOR,
  ENGLISH_BADGE_WORDS,
  type PrefixLookup,
  type Verdict,
  type VerdictInput,
} from '../../lib/verdict';
import { decodeTable, encodeTable, type LookupResult } from '../../lib/prefix-table';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../lib/prefix-table/node-codec';
import { compileWatchlist } from '../../lib/watchlist/match';
import { DEFAULT_WATCHLIST } from '../../lib/watchlist/defaults';
import { renderTable, toJson } from '../../lib/cli/output';
import { sampleWatchlist } from './watchlist/fixtures';

/** A tiny prefix table: exact addresses → results; anything else is unrouted. */
function fakeTable(entries: Record<string, LookupResult>): PrefixLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    lookup(text: string): LookupResult {
      calls.push(text);
      return entries[text] ?? { kind: 'unrouted' };
    },
  };
}

const routed = (asn: number, org: string) =>
  ({ kind: 'routed', asn, org, rangeStart: '', rangeEnd: '' }) as unknown as LookupResult;
const local = { kind: 'local', scope: 'private' } as LookupResult;
const invalid = { kind: 'invalid', reason: 'not an IP address' } as LookupResult;

const TABLE = fakeTable({
  '202.96.128.86': routed(4134, 'Chinanet'),
  '202.96.128.87': routed(4134, 'Chinanet'),
  '9.9.9.9': routed(19281, 'Quad9'),
  '8.8.8.8': routed(15169, 'Google LLC'),
  '8.8.4.4': routed(15169, 'Google LLC'),
  // A row for a documentation address, so a listed prefix is tested on its own (the fake's only).
  '192.0.2.1': routed(64500, 'Example'),
  '2400:da00::6666': routed(4134, 'Chinanet'),
  '192.168.1.10': local,
  '127.0.0.1': local,
  garbage: invalid,
});

const matcher = compileWatchlist(sampleWatchlist());

const englishBadge = (v: Verdict) => badgeFor(v, ENGLISH_BADGE_WORDS);

function verdict(input: Partial<VerdictInput>) {
  return buildVerdict({ hostname: 'example.com', ...input }, TABLE, matcher);
}

describe('buildVerdict', () => {
  it('flags a site whose address is in an enabled group, with the evidence', () => {
    const v = verdict({ dohAddresses: ['202.96.128.86'] });
    expect(v.status).toBe('flagged');
    expect(v.groups).toEqual([{ id: 'china-telecom', name: 'China Telecom', code: 'CT' }]);
    expect(v.addresses).toEqual([
      {
        ip: '202.96.128.86',
        origins: ['doh'],
        lookup: routed(4134, 'Chinanet'),
        matches: [
          {
            groupId: 'china-telecom',
            groupName: 'China Telecom',
            code: 'CT',
            reason: { kind: 'asn', asn: 4134 },
            confidence: 'high',
            note: expect.any(String),
          },
        ],
      },
    ]);
    expect(v.problem).toBeUndefined();
  });

  it('flags when only one of several addresses matches, and when only the browser address does', () => {
    expect(verdict({ dohAddresses: ['8.8.8.8', '202.96.128.86'] }).status).toBe('flagged');
    expect(verdict({ dohAddresses: ['8.8.8.8'], browserAddress: '202.96.128.86' }).status).toBe(
      'flagged',
    );
  });

  it('flags by prefix on an unrouted address', () => {
    const v = verdict({ dohAddresses: ['198.51.100.7'] });
    expect(v.status).toBe('flagged');
    expect(v.addresses[0]!.lookup.kind).toBe('unrouted');
    expect(v.addresses[0]!.matches[0]!.reason).toEqual({
      kind: 'prefix',
      prefix: '198.51.100.0/24',
    });
  });

  it('merges the same address from several origins into one piece of evidence', () => {
    const v = verdict({
      literal: undefined,
      dohAddresses: ['2400:DA00:0:0::6666', '8.8.8.8'],
      browserAddress: '2400:da00::6666',
    });
    expect(v.addresses.map((a) => [a.ip, a.origins])).toEqual([
      ['2400:da00::6666', ['doh', 'browser']],
      ['8.8.8.8', ['doh']],
    ]);
    expect(verdict({ dohAddresses: ['8.8.8.8', '8.8.8.8'] }).addresses).toHaveLength(1);
  });

  it('is clean when public addresses were checked and none matched', () => {
    const v = verdict({ dohAddresses: ['8.8.8.8', '9.9.9.9'] });
    expect(v.status).toBe('clean');
    expect(v.groups).toEqual([]);
  });

  it('ignores disabled groups', () => {
    // 192.0.2.0/24 and AS15169 are in the disabled group 'off'.
    expect(verdict({ dohAddresses: ['192.0.2.1', '8.8.8.8'] }).status).toBe('clean');
  });

  it('is unchecked, never clean, when DNS failed and there is no public browser address', () => {
    const dnsError = { kind: 'nxdomain', message: 'cloudflare-dns.com: no such domain' };
    expect(verdict({ dnsError })).toMatchObject({ status: 'unchecked', problem: dnsError.message });
    expect(verdict({ dnsError, browserAddress: '192.168.1.10' })).toMatchObject({
      status: 'unchecked',
      problem: dnsError.message,
    });
    // A public browser address still gets checked, and the DNS problem is kept for the popup.
    expect(verdict({ dnsError, browserAddress: '8.8.8.8' })).toMatchObject({
      status: 'clean',
      problem: dnsError.message,
    });
    expect(verdict({ dnsError, browserAddress: '202.96.128.86' }).status).toBe('flagged');
  });

  it('is unchecked when there is nothing usable to look up', () => {
    expect(verdict({})).toMatchObject({ status: 'unchecked', problem: 'no addresses were found' });
    expect(verdict({ dohAddresses: [] }).status).toBe('unchecked');
    const garbage = verdict({ dohAddresses: ['garbage'] });
    expect(garbage.status).toBe('unchecked');
    expect(garbage.problem).toMatch(/'garbage' could not be looked up: not an IP address/);
  });

  it('is local when every address is special-purpose and DNS did not fail', () => {
    expect(verdict({ browserAddress: '192.168.1.10' }).status).toBe('local');
    expect(verdict({ literal: '127.0.0.1', dohAddresses: ['192.168.1.10'] }).status).toBe('local');
    expect(verdict({ browserAddress: '192.168.1.10', dohAddresses: ['8.8.8.8'] }).status).toBe(
      'clean',
    );
  });

  it('checks IP literals directly', () => {
    const v = verdict({ hostname: '202.96.128.86', literal: '202.96.128.86' });
    expect(v.status).toBe('flagged');
    expect(v.addresses[0]!.origins).toEqual(['literal']);
  });

  it('looks nothing up for an allowlisted site', () => {
    const table = fakeTable({});
    const v = buildVerdict(
      { hostname: 'example.com', allowlisted: true, dohAddresses: ['202.96.128.86'] },
      table,
      matcher,
    );
    expect(v).toEqual({
      hostname: 'example.com',
      status: 'allowlisted',
      addresses: [],
      groups: [],
    });
    expect(table.calls).toEqual([]);
  });

  it('never throws, even when the table does', () => {
    const throwing = {
      lookup: () => {
        throw new Error('boom');
      },
    };
    const v = buildVerdict({ hostname: 'x.com', dohAddresses: ['8.8.8.8'] }, throwing, matcher);
    expect(v.status).toBe('unchecked');
    expect(v.problem).toMatch(/boom/);
  });

  it('names several matched groups in first-matched order', () => {
    const m = compileWatchlist(DEFAULT_WATCHLIST);
    const table = fakeTable({
      '1.2.3.4': routed(4837, 'CHINA UNICOM China169 Backbone'),
      '5.6.7.8': routed(9808, 'China Mobile'),
    });
    const v = buildVerdict({ hostname: 'x.com', dohAddresses: ['1.2.3.4', '5.6.7.8'] }, table, m);
    expect(v.groups.map((g) => g.code)).toEqual(['CU', 'CM']);
  });
});

describe('problemKind', () => {
  it('names what went wrong for code, beside the technical problem', () => {
    const timeout = verdict({ dnsError: { kind: 'timeout', message: 'no answer in 5 s' } });
    expect(timeout).toMatchObject({ status: 'unchecked', problemKind: 'resolver-unreachable' });
    expect(timeout.problem).toBe('no answer in 5 s');
    const http = verdict({ dnsError: { kind: 'http-status', message: 'HTTP 503' } });
    expect(http.problemKind).toBe('resolver-broken');
    expect(verdict({ dnsError: { kind: 'nxdomain', message: 'no such name' } }).problemKind).toBe(
      'no-such-name',
    );
    expect(verdict({}).problemKind).toBe('no-addresses');
    expect(verdict({ dohAddresses: ['garbage'] }).problemKind).toBe('lookup-unavailable');
    expect(verdict({ dohAddresses: ['8.8.8.8'] }).problemKind).toBeUndefined();
  });
});

describe('badgeFor', () => {
  it('writes the tooltip in the words it is given, confidence included', () => {
    const words = {
      ...ENGLISH_BADGE_WORDS,
      flagged: (host: string, groups: string) => `CarrierFlag: ${host} liegt in ${groups}`,
      confidence: (level: string) => `Sicherheit ${level}`,
    };
    expect(badgeFor(verdict({ dohAddresses: ['202.96.128.86'] }), words).title).toBe(
      'CarrierFlag: example.com liegt in China Telecom (AS4134 Chinanet, Sicherheit high, 202.96.128.86)',
    );
  });

  it('shows the group code on red, with a title naming the group, AS, org and address', () => {
    expect(englishBadge(verdict({ dohAddresses: ['202.96.128.86'] }))).toEqual({
      text: 'CT',
      color: '#d93025',
      title:
        'CarrierFlag: example.com is on China Telecom (AS4134 Chinanet, high confidence, 202.96.128.86)',
    });
  });

  it("shows '!' when several groups match and names each with its reason", () => {
    const badge = englishBadge(
      verdict({ dohAddresses: ['202.96.128.86', '198.51.100.7', '202.96.128.87'] }),
    );
    expect(badge.text).toBe('!');
    expect(badge.color).toBe('#d93025');
    expect(badge.title).toBe(
      'CarrierFlag: example.com is on China Telecom (AS4134 Chinanet, high confidence, 202.96.128.86, 202.96.128.87) and Lab (prefix 198.51.100.0/24, 198.51.100.7)',
    );
  });

  it('shortens long address lists', () => {
    const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'];
    expect(englishBadge(verdict({ dohAddresses: ips })).title).toMatch(
      /198\.51\.100\.3 and 2 more\)$/,
    );
  });

  it("shows '?' on grey when the site could not be checked, with the problem", () => {
    const badge = englishBadge(
      verdict({ dnsError: { kind: 'timeout', message: 'the resolver did not answer in 5 s' } }),
    );
    expect(badge).toEqual({
      text: '?',
      color: '#5f6368',
      title: 'CarrierFlag: example.com could not be checked: the resolver did not answer in 5 s',
    });
  });

  it('shows nothing for clean, local and allowlisted sites, but says which in the title', () => {
    const clean = englishBadge(verdict({ dohAddresses: ['8.8.8.8'] }));
    expect(clean.text).toBe('');
    expect(clean.title).toBe('CarrierFlag: example.com is not on a watched network');
    const loc = englishBadge(verdict({ browserAddress: '192.168.1.10' }));
    expect(loc.text).toBe('');
    expect(loc.title).toMatch(/local network/);
    const allow = englishBadge(verdict({ allowlisted: true }));
    expect(allow.text).toBe('');
    expect(allow.title).toMatch(/allowlist/);
  });
});

describe('verdicts from a real table survive storage', () => {
  it('keeps every lookup field through structuredClone (storage.session) and JSON', async () => {
    const file = encodeTable(
      [
        { family: 4, start: 3395321856n, end: 3395338239n, asn: 4134, org: 'Chinanet' },
        {
          family: 6,
          start: 0x24011320n << 96n,
          end: (0x24011321n << 96n) - 1n,
          asn: 9808,
          org: 'CMCC',
        },
      ],
      { source: 'test', sourceVersion: '1', builtFrom: 'fixture' },
      nodeTableEncoderCodec,
    );
    const table = await decodeTable(file, nodeTableCodec);
    const verdict = buildVerdict(
      { hostname: 'x.test', dohAddresses: ['202.96.128.86', '2401:1320::1'] },
      table,
      compileWatchlist(DEFAULT_WATCHLIST),
    );
    for (const copy of [structuredClone(verdict), JSON.parse(JSON.stringify(verdict))]) {
      expect(copy.addresses.map((a: { lookup: unknown }) => a.lookup)).toEqual([
        {
          kind: 'routed',
          asn: 4134,
          org: 'Chinanet',
          rangeStart: '202.96.128.0',
          rangeEnd: '202.96.191.255',
        },
        {
          kind: 'routed',
          asn: 9808,
          org: 'CMCC',
          rangeStart: '2401:1320::',
          rangeEnd: '2401:1320:ffff:ffff:ffff:ffff:ffff:ffff',
        },
      ]);
    }
  });
});

describe('buildVerdict behind a proxy', () => {
  const carrierProxy = { address: '202.96.128.86', detectedBy: 'repeated-address' } as const;
  const cleanProxy = { address: '9.9.9.9', detectedBy: 'proxy-info', type: 'http' } as const;

  it('a proxy on a watched network flags: the connection goes through it (changed for issue 23)', () => {
    const v = verdict({
      dohAddresses: ['8.8.4.4'],
      browserAddress: '202.96.128.86',
      proxy: carrierProxy,
    });
    expect(v.status).toBe('flagged');
    expect(v.addresses.map((a) => [a.ip, a.origins])).toEqual([
      ['8.8.4.4', ['doh']],
      ['202.96.128.86', ['browser']],
    ]);
    // Still named as the proxy, with its network for the popup.
    expect(v.proxy).toEqual({ ...carrierProxy, lookup: routed(4134, 'Chinanet') });
    expect(v.watchedConnection).toEqual({
      ip: '202.96.128.86',
      groups: ['China Telecom'],
      groupIds: ['china-telecom'],
    });
    expect(englishBadge(v).text).toBe('CT');
  });

  it('a clean proxy is set aside and names no watched connection', () => {
    const v = verdict({ dohAddresses: ['8.8.4.4'], browserAddress: '9.9.9.9', proxy: cleanProxy });
    expect(v.status).toBe('clean');
    expect(v.addresses.map((a) => a.ip)).toEqual(['8.8.4.4']);
    expect(v.watchedConnection).toBeUndefined();
  });

  it('a carrier site behind a clean proxy is still flagged, from DoH alone', () => {
    const v = verdict({
      dohAddresses: ['202.96.128.86'],
      browserAddress: '9.9.9.9',
      proxy: cleanProxy,
    });
    expect(v.status).toBe('flagged');
    expect(v.addresses.map((a) => [a.ip, a.origins])).toEqual([['202.96.128.86', ['doh']]]);
    expect(v.proxy?.lookup).toEqual(routed(19281, 'Quad9'));
    expect(v.connectedElsewhere).toBeUndefined();
  });

  it('without DoH (privacy mode) says the site could not be checked because of a clean proxy', () => {
    // A carrier proxy flags instead (above); this held for both before issue 23.
    for (const proxy of [cleanProxy]) {
      const v = verdict({ browserAddress: proxy.address, proxy });
      expect(v.status).toBe('unchecked');
      expect(v.addresses).toEqual([]);
      expect(v.problem).toBe(
        `the connection went through a proxy (${proxy.address}), so the site's own address was not seen`,
      );
      expect(englishBadge(v)).toMatchObject({ text: '?', color: '#5f6368' });
      expect(englishBadge(v).title).toMatch(
        /could not be checked: the connection went through a proxy/,
      );
    }
  });

  it('says when the connected address is not among the DoH answers, and judges both', () => {
    const v = verdict({ dohAddresses: ['9.9.9.9'], browserAddress: '202.96.128.86' });
    expect(v.status).toBe('flagged');
    expect(v.connectedElsewhere).toBe('202.96.128.86');
    expect(v.addresses.map((a) => a.ip)).toEqual(['9.9.9.9', '202.96.128.86']);
    expect(
      verdict({ dohAddresses: ['9.9.9.9'], browserAddress: '9.9.9.9' }).connectedElsewhere,
    ).toBeUndefined();
    expect(verdict({ browserAddress: '202.96.128.86' }).connectedElsewhere).toBeUndefined();
  });
});

describe('buildVerdict on IPv6 addresses that carry an IPv4 address', () => {
  // 202.96.128.86 (China Telecom) inside each form; the fake table knows only the IPv4 address, as
  // the real one knows nothing of these IPv6 addresses' owners but the relays.
  it.each([
    ['64:ff9b::ca60:8056', 'nat64'],
    ['64:ff9b:1:ca60:80:5600::', 'nat64-local'],
    ['2002:ca60:8056::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:359f:7fa9', 'teredo'],
  ] as const)('flags %s as the IPv4 address it carries (%s)', (ip, kind) => {
    const table = fakeTable({ '202.96.128.86': routed(4134, 'Chinanet') });
    const v = buildVerdict({ hostname: 'example.com', browserAddress: ip }, table, matcher);
    expect(v.status).toBe('flagged');
    expect(v.groups.map((g) => g.code)).toEqual(['CT']);
    expect(v.addresses).toEqual([
      {
        ip,
        origins: ['browser'],
        lookup: routed(4134, 'Chinanet'),
        matches: [expect.objectContaining({ groupId: 'china-telecom', confidence: 'high' })],
        embedded: { kind, ipv4: '202.96.128.86' },
      },
    ]);
    // The IPv4 inside is what was looked up; the relay's IPv6 prefix is not judged at all.
    expect(table.calls).toEqual(['202.96.128.86']);
    expect(englishBadge(v).title).toBe(
      `CarrierFlag: example.com is on China Telecom (AS4134 Chinanet, high confidence, ${ip} (202.96.128.86))`,
    );
  });

  it('is clean when the IPv4 inside is on no watched network, from DoH as from the browser', () => {
    const v = verdict({ dohAddresses: ['64:ff9b::808:808', '2002:808:808::'] });
    expect(v.status).toBe('clean');
    expect(v.addresses.map((a) => [a.ip, a.embedded, a.lookup])).toEqual([
      ['64:ff9b::808:808', { kind: 'nat64', ipv4: '8.8.8.8' }, routed(15169, 'Google LLC')],
      ['2002:808:808::', { kind: '6to4', ipv4: '8.8.8.8' }, routed(15169, 'Google LLC')],
    ]);
  });

  it('treats a private or special IPv4 inside as local, by the classification rules, never looked up', () => {
    const table = fakeTable({});
    const v = buildVerdict(
      {
        hostname: 'example.com',
        dohAddresses: [
          '64:ff9b::10.0.0.1',
          '2002:c0a8:10a::',
          '64:ff9b:1:7f00:0:100::',
          // RFC 4380's example client, 192.0.2.45, is a documentation address.
          '2001:0:4136:e378:8000:63bf:3fff:fdd2',
        ],
      },
      table,
      matcher,
    );
    expect(v.status).toBe('local');
    expect(v.addresses.map((a) => [a.ip, a.embedded?.ipv4, a.lookup])).toEqual([
      ['64:ff9b::a00:1', '10.0.0.1', { kind: 'local', scope: 'private' }],
      ['2002:c0a8:10a::', '192.168.1.10', { kind: 'local', scope: 'private' }],
      ['64:ff9b:1:7f00:0:100::', '127.0.0.1', { kind: 'local', scope: 'loopback' }],
      [
        '2001:0:4136:e378:8000:63bf:3fff:fdd2',
        '192.0.2.45',
        { kind: 'local', scope: 'documentation' },
      ],
    ]);
    expect(table.calls).toEqual([]);
  });

  it('judges an IPv4-mapped address as the IPv4 address, as before, with nothing embedded', () => {
    const v = verdict({ browserAddress: '::ffff:202.96.128.86' });
    expect(v.status).toBe('flagged');
    expect(v.addresses[0]).not.toHaveProperty('embedded');
    expect(v.addresses[0]!.ip).toBe('202.96.128.86');
  });

  it('leaves an address with no IPv4 inside as it was (no embedded field)', () => {
    const v = verdict({ dohAddresses: ['2400:da00::6666'] });
    expect(v.status).toBe('flagged');
    expect(v.addresses[0]).not.toHaveProperty('embedded');
  });

  it('keeps the embedded field through structuredClone (storage.session)', () => {
    const v = verdict({ browserAddress: '64:ff9b::ca60:8056' });
    expect(structuredClone(v)).toEqual(v);
    expect(structuredClone(v).addresses[0]!.embedded).toEqual({
      kind: 'nat64',
      ipv4: '202.96.128.86',
    });
  });
});

describe('a network on no list whose registry name names a carrier: "likely (name match)"', () => {
  // AS399001 is invented: in no built-in group and no exclusion (tests/unit/watchlist/name-match).
  const NAMED = fakeTable({
    '203.0.113.7': routed(399001, 'Guangdong Mobile'),
    '203.0.113.8': routed(399002, 'CTG Server Limited'),
    '203.0.113.9': routed(399003, 'China UnionPay Co., Ltd'),
  });
  const defaults = compileWatchlist(DEFAULT_WATCHLIST);
  const judge = (ip: string, m = defaults) =>
    buildVerdict({ hostname: 'x.example', dohAddresses: [ip] }, NAMED, m);

  it("flags it in the carrier's group at low confidence, saying it is a name match", () => {
    const v = judge('203.0.113.7');
    expect(v.status).toBe('flagged');
    expect(v.groups).toEqual([{ id: 'china-mobile', name: 'China Mobile', code: 'CM' }]);
    expect(v.addresses[0]!.matches).toEqual([
      expect.objectContaining({
        groupId: 'china-mobile',
        reason: { kind: 'name', asn: 399001 },
        confidence: 'low',
        note: expect.stringMatching(
          /^likely \(name match\): .*"Guangdong Mobile" names China Mobile/,
        ),
      }),
    ]);
    // A name match is low confidence only: the badge says "probably" (CM?, purple).
    expect(englishBadge(v)).toMatchObject({ text: 'CM?', color: BADGE_PROBABLE_COLOR });
    expect(englishBadge(v).title).toBe(
      'CarrierFlag: x.example is probably on China Mobile (AS399001 Guangdong Mobile, likely (name match), low confidence, 203.0.113.7); only low-confidence entries match',
    );
  });

  it('does not flag it while the carrier group is off, nor a lookalike ever', () => {
    const off = DEFAULT_WATCHLIST.groups.map((g) =>
      g.id === 'china-mobile' ? { ...g, enabled: false } : g,
    );
    expect(judge('203.0.113.7', compileWatchlist({ groups: off })).status).toBe('clean');
    expect(judge('203.0.113.8').status).toBe('clean');
    expect(judge('203.0.113.9').status).toBe('clean');
  });

  it('shows it in the CLI: the entry says "(name match)", the note "likely (name match)"', () => {
    const report = { target: 'x.example', verdict: judge('203.0.113.7') };
    expect(toJson(report)).toMatchObject({
      flagged: true,
      confidence: 'low',
      addresses: [
        {
          asn: 399001,
          org: 'Guangdong Mobile',
          matches: [
            {
              group: 'China Mobile',
              entry: 'AS399001 (name match)',
              confidence: 'low',
              note: expect.stringMatching(/^likely \(name match\)/),
            },
          ],
        },
      ],
    });
    const text = renderTable([report]);
    expect(text).toMatch(/Low confidence: only watchlist entries marked low confidence matched/);
    expect(text).toMatch(
      /AS399001 \(name match\) \(China Mobile, low confidence\): likely \(name match\): on no list/,
    );
  });
});

/**
 * Issue 23 §2: a public address with no row in the table ("unrouted") cannot be judged, so it is
 * never taken for clean. On the shipped table 6.0.0.1 (US Army, not announced) has no row;
 * 202.96.128.86 is Chinanet (AS4134) and 1.1.1.1 Cloudflare.
 */
describe('a public address with no row in the table is unchecked, never clean', () => {
  let shipped: PrefixLookup;
  const carriers = compileWatchlist(DEFAULT_WATCHLIST);
  beforeAll(async () => {
    const loaded = await loadTable(join(resolve(__dirname, '../..'), 'public/prefix-table.bin'));
    if (!loaded.ok) throw new Error(`public/prefix-table.bin: ${loaded.reason}`);
    shipped = loaded.table;
  });
  const judge = (input: Omit<VerdictInput, 'hostname'>) =>
    buildVerdict({ hostname: 'site.example', ...input }, shipped, carriers);

  it('alone, from DoH or from the browser: unchecked, with the reason in plain words', () => {
    expect(shipped.lookup('6.0.0.1')).toEqual({ kind: 'unrouted' });
    for (const v of [judge({ dohAddresses: ['6.0.0.1'] }), judge({ browserAddress: '6.0.0.1' })]) {
      expect(v.status).toBe('unchecked');
      expect(v.problemKind).toBe('not-in-table');
      expect(v.problem).toBe('6.0.0.1 is not in the routing data, so its network cannot be told');
      expect(englishBadge(v)).toMatchObject({
        text: '?',
        title:
          'CarrierFlag: site.example could not be checked: 6.0.0.1 is not in the routing data, so its network cannot be told',
      });
    }
  });

  it('beside a clean address: still unchecked (the browser may connect to either)', () => {
    const v = judge({ dohAddresses: ['1.1.1.1', '6.0.0.1'] });
    expect(v.status).toBe('unchecked');
    expect(v.problemKind).toBe('not-in-table');
    const connected = judge({ dohAddresses: ['1.1.1.1'], browserAddress: '6.0.0.1' });
    expect(connected.status).toBe('unchecked');
  });

  it('beside a carrier address: flagged', () => {
    const v = judge({ dohAddresses: ['6.0.0.1'], browserAddress: '202.96.128.86' });
    expect(v.status).toBe('flagged');
    expect(v.problem).toBeUndefined();
  });

  it('decides over a DNS error: the address seen is the one that could not be judged', () => {
    const v = judge({
      browserAddress: '6.0.0.1',
      dnsError: { kind: 'timeout', message: 'the resolver did not answer' },
    });
    expect(v).toMatchObject({ status: 'unchecked', problemKind: 'not-in-table' });
  });

  it('NAT64 in privacy mode: the IPv4 inside has no row, so the site is unchecked, not clean', () => {
    const v = judge({
      browserAddress: '64:ff9b::600:1',
      dnsError: { kind: 'privacy-mode', message: 'privacy mode' },
    });
    expect(v.addresses[0]).toMatchObject({
      ip: '64:ff9b::600:1',
      embedded: { kind: 'nat64', ipv4: '6.0.0.1' },
      lookup: { kind: 'unrouted' },
    });
    expect(v.status).toBe('unchecked');
    expect(v.problem).toBe(
      '64:ff9b::600:1 (6.0.0.1) is not in the routing data, so its network cannot be told',
    );
    // A NAT64 address whose IPv4 inside has a row is judged as before.
    expect(judge({ browserAddress: '64:ff9b::101:101' }).status).toBe('clean');
    expect(judge({ browserAddress: '64:ff9b::ca60:8056' }).status).toBe('flagged');
  });

  it('the CLI says so in --json: status unchecked with the reason as its error', () => {
    const json = toJson({ target: 'site.example', verdict: judge({ dohAddresses: ['6.0.0.1'] }) });
    expect(json).toMatchObject({
      status: 'unchecked',
      flagged: false,
      error: {
        kind: 'not-in-table',
        message: '6.0.0.1 is not in the routing data, so its network cannot be told',
      },
    });
  });
});

describe('a page loaded from the cache with no connection known (notConnected, issue 23)', () => {
  it('is unchecked where it would be clean, and flags or stays local as ever', () => {
    const cached = verdict({ dohAddresses: ['8.8.8.8'], notConnected: true });
    expect(cached).toMatchObject({ status: 'unchecked', problemKind: 'from-cache' });
    expect(englishBadge(cached).text).toBe('?');
    expect(verdict({ dohAddresses: ['202.96.128.86'], notConnected: true }).status).toBe('flagged');
    expect(verdict({ dohAddresses: ['192.168.1.10'], notConnected: true }).status).toBe('local');
  });

  it('an IP literal in the URL says where the page came from: judged as ever', () => {
    expect(verdict({ literal: '8.8.8.8', notConnected: true }).status).toBe('clean');
  });

  it('privacy mode with nothing seen: the cache is the reason given', () => {
    const v = verdict({ dnsError: { kind: 'from-cache', message: 'from the cache' } });
    expect(v).toMatchObject({ status: 'unchecked', problemKind: 'from-cache' });
  });
});
