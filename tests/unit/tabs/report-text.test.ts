import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTable } from '../../../lib/cli/main';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { compileWatchlist } from '../../../lib/watchlist/match';
import { ISSUE_TRACKER_URL } from '../../../lib/project';
import type { TableMeta } from '../../../lib/prefix-table';
import type { TabReport } from '../../../lib/tabs/site-report';
import {
  issueUrl,
  MAX_ISSUE_URL_LENGTH,
  rangeAsCidr,
  reportText,
  tableDate,
} from '../../../lib/tabs/report-text';
import { buildVerdict, type Verdict } from '../../../lib/verdict';

const META = {
  source: '@ip-location-db/asn',
  sourceVersion: '2.3.2026061719',
} as TableMeta;

function reportOf(verdict: Verdict, extra: Partial<TabReport> = {}): TabReport {
  return {
    tabId: 1,
    url: 'https://telecom.test/private/path?token=secret',
    hostname: verdict.hostname,
    navigationId: 'n1',
    committed: true,
    doh: { state: 'done', addresses: verdict.addresses.map((a) => a.ip), cnameChain: [] },
    verdict,
    final: true,
    updatedAt: 0,
    ...extra,
  };
}

const FLAGGED: Verdict = {
  hostname: 'telecom.test',
  status: 'flagged',
  groups: [{ id: 'china-telecom', name: 'China Telecom', code: 'CT' }],
  addresses: [
    {
      ip: '61.174.65.123',
      origins: ['doh', 'browser'],
      lookup: {
        kind: 'routed',
        asn: 4134,
        org: 'Chinanet',
        rangeStart: '61.174.56.0',
        rangeEnd: '61.174.67.255',
      },
      matches: [
        {
          groupId: 'china-telecom',
          groupName: 'China Telecom',
          code: 'CT',
          reason: { kind: 'asn', asn: 4134 },
          confidence: 'high',
          note: 'Chinanet',
        },
      ],
    },
  ],
};

describe('reportText', () => {
  it('states the verdict, every address with origin, AS, CIDR range, entry and confidence, and the data', () => {
    const text = reportText(reportOf(FLAGGED), { meta: META, extensionVersion: '1.2.3' });
    expect(text).toBe(
      [
        'CarrierFlag report',
        'Site: telecom.test',
        'Verdict: flagged (China Telecom)',
        'Addresses:',
        "- 61.174.65.123 (from DNS-over-HTTPS, browser's connection): AS4134 Chinanet, range 61.174.56.0/21, 61.174.64.0/22; on the watchlist: China Telecom (AS4134, high confidence)",
        'Data: @ip-location-db/asn 2.3.2026061719 (2026-06-17)',
        'Extension: 1.2.3',
        '',
      ].join('\n'),
    );
  });

  it('says which IPv4 address an IPv6 address carries, the one its network and entry are for', () => {
    const [first] = FLAGGED.addresses;
    const nat64: Verdict = {
      ...FLAGGED,
      addresses: [
        {
          ...first!,
          ip: '64:ff9b::3dae:417b',
          origins: ['browser'],
          embedded: { kind: 'nat64', ipv4: '61.174.65.123' },
        },
      ],
    };
    const text = reportText(reportOf(nat64), { meta: META, extensionVersion: '1.2.3' });
    expect(text).toContain(
      "- 64:ff9b::3dae:417b (from browser's connection): carries 61.174.65.123 (NAT64) -> AS4134 Chinanet, range 61.174.56.0/21, 61.174.64.0/22; on the watchlist: China Telecom (AS4134, high confidence)",
    );
  });

  it('says when a match rests on the network\'s name only ("likely (name match)")', () => {
    const [address] = FLAGGED.addresses;
    const byName: Verdict = {
      ...FLAGGED,
      addresses: [
        {
          ...address!,
          matches: [
            {
              ...address!.matches[0]!,
              reason: { kind: 'name', asn: 4134 },
              confidence: 'low',
            },
          ],
        },
      ],
    };
    expect(reportText(reportOf(byName), { meta: META, extensionVersion: '1.2.3' })).toContain(
      'on the watchlist: China Telecom (AS4134 not listed, likely (name match), low confidence)',
    );
  });

  it('never includes the page path or query, only the host name', () => {
    const text = reportText(reportOf(FLAGGED), { meta: META });
    expect(text).not.toContain('private');
    expect(text).not.toContain('secret');
  });

  it('names the browser and its major version only, never the whole user-agent string', () => {
    const text = reportText(reportOf(FLAGGED), {
      meta: META,
      extensionVersion: '1.2.3',
      browser: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
    });
    expect(text).toContain('\nBrowser: Firefox 140\n');
    expect(text).not.toMatch(/Mozilla|Linux|Ubuntu|Gecko|140\.0/);
  });

  it('gives the problem and its kind for a site that could not be checked', () => {
    const unchecked: Verdict = {
      hostname: 'telecom.test',
      status: 'unchecked',
      addresses: [],
      groups: [],
      problem: 'no answer within 5000 ms',
      problemKind: 'resolver-unreachable',
    };
    expect(reportText(reportOf(unchecked), { meta: null })).toContain(
      'Problem: no answer within 5000 ms [resolver-unreachable]',
    );
  });
});

describe('reportText of a connection through a watched network (issue 23)', () => {
  it("says the connection goes through China Telecom's network (it may be a proxy)", async () => {
    // The shipped table: 202.96.128.86 is Chinanet (AS4134), 1.1.1.1 Cloudflare.
    const loaded = await loadTable(join(resolve(__dirname, '../../..'), 'public/prefix-table.bin'));
    if (!loaded.ok) throw new Error(`public/prefix-table.bin: ${loaded.reason}`);
    const matcher = compileWatchlist(DEFAULT_WATCHLIST);
    const proxy = { address: '202.96.128.86', type: 'http', port: 3128 } as const;
    for (const input of [
      // Split horizon: DoH says Cloudflare, the browser connected to China Telecom.
      { browserAddress: '202.96.128.86' },
      // A proxy Firefox names, on China Telecom's network.
      { browserAddress: '202.96.128.86', proxy: { ...proxy, detectedBy: 'proxy-info' as const } },
    ]) {
      const verdict = buildVerdict(
        { hostname: 'shop.test', dohAddresses: ['1.1.1.1'], ...input },
        loaded.table,
        matcher,
      );
      const text = reportText(reportOf(verdict), { meta: META });
      expect(text).toContain('Verdict: flagged (China Telecom)');
      expect(text).toContain(
        "Connection: your connection to this site goes through China Telecom's network (it may be a proxy): 202.96.128.86 (DNS-over-HTTPS did not give this address)",
      );
    }
  });

  it('says when the connection shown was remembered from an earlier visit, or none was seen', () => {
    const remembered = reportOf(FLAGGED, {
      browserAddress: '61.174.65.123',
      rememberedConnection: { at: 0 },
    });
    expect(reportText(remembered, { meta: META })).toContain(
      "No new connection seen (the page came from the browser's cache): 61.174.65.123 is the site's last connection, remembered from an earlier visit within the hour",
    );
    expect(reportText(reportOf(FLAGGED, { noConnection: true }), { meta: META })).toContain(
      "No connection seen: the page came from the browser's cache",
    );
  });

  it('says nothing of the kind for a clean connection', () => {
    expect(reportText(reportOf(FLAGGED), { meta: META })).not.toContain('Connection:');
  });
});

describe('rangeAsCidr and tableDate', () => {
  it('writes a long IPv6 range as CIDR, and falls back to start – end when it needs many prefixes', () => {
    expect(
      rangeAsCidr({
        kind: 'routed',
        asn: 9808,
        org: 'CMNET',
        rangeStart: '2409:8000::',
        rangeEnd: '2409:8fff:ffff:ffff:ffff:ffff:ffff:ffff',
      }),
    ).toBe('2409:8000::/20');
    expect(
      rangeAsCidr({
        kind: 'routed',
        asn: 1,
        org: '',
        rangeStart: '10.0.0.1',
        rangeEnd: '10.0.0.254',
      }),
    ).toBe('10.0.0.1 – 10.0.0.254');
    expect(rangeAsCidr({ kind: 'unrouted' })).toBeUndefined();
  });

  it('reads the date of an ip-location-db version', () => {
    expect(tableDate('2.3.2026061719')).toBe('2026-06-17');
    expect(tableDate('custom')).toBeUndefined();
  });
});

describe('issueUrl', () => {
  it('opens the tracker with a title naming the host and the report as the body', () => {
    const url = new URL(issueUrl('telecom.test', 'Site: telecom.test\n'));
    expect(`${url.origin}${url.pathname}`).toBe(ISSUE_TRACKER_URL);
    expect(url.searchParams.get('title')).toBe('Wrong result for telecom.test');
    expect(url.searchParams.get('body')).toMatch(/^Site: telecom\.test\n/);
  });

  it('stays under the length limit by cutting the report at a line, and says so', () => {
    const long = Array.from({ length: 400 }, (_, i) => `- 2001:db8::${i} (from DNS-over-HTTPS)`);
    const url = issueUrl('telecom.test', `${long.join('\n')}\n`);
    expect(url.length).toBeLessThanOrEqual(MAX_ISSUE_URL_LENGTH);
    const body = new URL(url).searchParams.get('body')!;
    expect(body).toContain('- 2001:db8::0 (from DNS-over-HTTPS)');
    expect(body).toContain('report shortened');
  });
});
