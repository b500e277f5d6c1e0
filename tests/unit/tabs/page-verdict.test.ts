import { describe, expect, it } from 'vitest';
import { ENGLISH_PAGE_BADGE_WORDS, pageBadge } from '../../../lib/tabs/badge';
import type { PageHostsView, PageHostView } from '../../../lib/tabs/page-hosts';
import {
  pageHeadline,
  probableReasons,
  showsThirdParties,
  summaryOfView,
} from '../../../lib/tabs/page-verdict';
import { reportText } from '../../../lib/tabs/report-text';
import type { TabReport } from '../../../lib/tabs/types';
import {
  BADGE_FLAGGED_COLOR,
  BADGE_PROBABLE_COLOR,
  badgeFor,
  ENGLISH_BADGE_WORDS,
  restsOnLowConfidence,
  type AddressEvidence,
  type Verdict,
} from '../../../lib/verdict';
import type { Confidence } from '../../../lib/watchlist/model';

const CT = { id: 'china-telecom', name: 'China Telecom', code: 'CT' };
const CM = { id: 'china-mobile', name: 'China Mobile', code: 'CM' };

function evidence(
  ip: string,
  asn: number,
  org: string,
  group: typeof CT,
  confidence: Confidence,
  note?: string,
  kind: 'asn' | 'name' = 'asn',
): AddressEvidence {
  return {
    ip,
    origins: ['doh'],
    lookup: { kind: 'routed', asn, org, rangeStart: ip, rangeEnd: ip },
    matches: [
      {
        groupId: group.id,
        groupName: group.name,
        code: group.code,
        reason: { kind, asn },
        confidence,
        ...(note ? { note } : {}),
      },
    ],
  };
}

const cleanEvidence: AddressEvidence = {
  ip: '104.16.0.1',
  origins: ['doh'],
  lookup: {
    kind: 'routed',
    asn: 13335,
    org: 'Cloudflare',
    rangeStart: '104.16.0.0',
    rangeEnd: '104.16.0.255',
  },
  matches: [],
};

const clean = (hostname: string): Verdict => ({
  hostname,
  status: 'clean',
  addresses: [cleanEvidence],
  groups: [],
});

const sure = (hostname: string): Verdict => ({
  hostname,
  status: 'flagged',
  groups: [CT],
  addresses: [evidence('1.48.0.1', 4134, 'Chinanet', CT, 'high', 'Chinanet backbone')],
});

const LOW_NOTE =
  'China Networks Inter-Exchange, a network on address space registered to China Telecom';
const probable = (hostname: string): Verdict => ({
  hostname,
  status: 'flagged',
  groups: [CT],
  addresses: [evidence('1.119.128.1', 4847, 'China Networks Inter-Exchange', CT, 'low', LOW_NOTE)],
});

function reportOf(verdict: Verdict, final = true): TabReport {
  return {
    tabId: 1,
    url: `https://${verdict.hostname}/`,
    hostname: verdict.hostname,
    navigationId: 'n1',
    committed: true,
    doh: { state: 'done', addresses: verdict.addresses.map((a) => a.ip), cnameChain: [] },
    verdict,
    final,
    updatedAt: 0,
  };
}

function host(verdict: Verdict): PageHostView {
  return { hostname: verdict.hostname, requests: 1, checking: false, verdict };
}

/** A page on site.test loading from the given hosts (flagged first, as getPageHosts orders them). */
function view(hosts: PageHostView[], overflowHosts = 0, siteHostname = 'site.test'): PageHostsView {
  return {
    tabId: 1,
    pageUrl: `https://${siteHostname}/`,
    siteHostname,
    hosts,
    flagged: hosts.filter((h) => h.verdict.status === 'flagged').length,
    checking: 0,
    overflowHosts,
    overLimitWatched: 0,
    queueFull: 0,
    maxHosts: 500,
  };
}

const AMBER_PAGE = view(
  [
    host(sure('a.test')),
    host(sure('b.test')),
    host(probable('c.test')),
    ...Array.from({ length: 5 }, (_, i) => host(clean(`clean${i}.test`))),
  ],
  32,
);

describe('pageHeadline: the headline says what the badge says', () => {
  it('a clean site whose third parties are flagged: "3 of 40", the groups and the hosts, in list order', () => {
    const headline = pageHeadline(reportOf(clean('site.test')), AMBER_PAGE, true);
    expect(headline).toEqual({
      kind: 'third-party',
      host: 'site.test',
      siteStatus: 'clean',
      flagged: 3,
      total: 40,
      groups: ['China Telecom'],
      groupIds: [CT.id],
      hosts: ['a.test', 'b.test', 'c.test'],
    });
  });

  it('agrees with pageBadge on every case: amber exactly when the headline is third-party', () => {
    const cases: [TabReport, PageHostsView | null, boolean][] = [
      [reportOf(clean('site.test')), AMBER_PAGE, true],
      [reportOf(clean('site.test')), AMBER_PAGE, false],
      [reportOf(clean('site.test'), false), AMBER_PAGE, true],
      [reportOf(sure('site.test')), AMBER_PAGE, true],
      [reportOf(clean('other.test')), AMBER_PAGE, true],
      [reportOf(clean('site.test')), view([host(clean('x.test'))]), true],
      [reportOf(clean('site.test')), null, true],
    ];
    for (const [report, hosts, count] of cases) {
      const site = badgeFor(report.verdict, ENGLISH_BADGE_WORDS);
      const summary = hosts ? summaryOfView(hosts) : null;
      const badge = pageBadge(site, report, summary, count, ENGLISH_PAGE_BADGE_WORDS);
      const amber = badge !== site;
      expect(pageHeadline(report, hosts, count).kind === 'third-party').toBe(amber);
      expect(showsThirdParties(report, summary, count)).toBe(amber);
    }
  });

  it('the option off, or the site flagged itself: the site verdict leads', () => {
    expect(pageHeadline(reportOf(clean('site.test')), AMBER_PAGE, false).kind).toBe('clean');
    expect(pageHeadline(reportOf(sure('site.test')), AMBER_PAGE, true)).toEqual({
      kind: 'flagged',
      host: 'site.test',
      groups: ['China Telecom'],
      groupIds: [CT.id],
    });
  });

  it('several groups among the third parties: each once, in order', () => {
    const page = view([host(sure('a.test')), host({ ...sure('m.test'), groups: [CM, CT] })]);
    const headline = pageHeadline(reportOf(clean('site.test')), page, true);
    expect(headline).toMatchObject({ groups: ['China Telecom', 'China Mobile'], total: 2 });
  });

  it('a site not checked yet is "checking", even with flagged third parties', () => {
    expect(pageHeadline(reportOf(clean('site.test'), false), AMBER_PAGE, true).kind).toBe(
      'checking',
    );
  });

  it('an unchecked site with flagged third parties is amber, and says the site was not checked', () => {
    const unchecked: Verdict = {
      hostname: 'site.test',
      status: 'unchecked',
      addresses: [],
      groups: [],
    };
    expect(pageHeadline(reportOf(unchecked), AMBER_PAGE, true)).toMatchObject({
      kind: 'third-party',
      siteStatus: 'unchecked',
    });
  });
});

describe('low confidence: "probably", and why', () => {
  it('a match on low-confidence entries only is probably-flagged, with the entry note as the reason', () => {
    expect(pageHeadline(reportOf(probable('site.test')), null, true)).toEqual({
      kind: 'probably-flagged',
      host: 'site.test',
      groups: ['China Telecom'],
      groupIds: [CT.id],
      why: [{ group: 'China Telecom', groupId: CT.id, kind: 'note', asn: 4847, note: LOW_NOTE }],
    });
  });

  it('one sure match among low ones makes it sure', () => {
    const mixed: Verdict = {
      ...probable('site.test'),
      addresses: [...probable('site.test').addresses, ...sure('site.test').addresses],
    };
    expect(restsOnLowConfidence(mixed)).toBe(false);
    expect(pageHeadline(reportOf(mixed), null, true).kind).toBe('flagged');
  });

  it('a listed prefix (no confidence stated) is the user own statement: sure', () => {
    const prefix: Verdict = {
      hostname: 'site.test',
      status: 'flagged',
      groups: [CT],
      addresses: [
        {
          ...cleanEvidence,
          matches: [
            {
              groupId: CT.id,
              groupName: CT.name,
              code: CT.code,
              reason: { kind: 'prefix', prefix: '104.16.0.0/24' },
            },
          ],
        },
      ],
    };
    expect(restsOnLowConfidence(prefix)).toBe(false);
  });

  it('a name match says so instead of a note; each entry once', () => {
    const name = evidence(
      '203.0.113.7',
      399001,
      'Guangdong Mobile',
      CM,
      'low',
      'likely (name match): …',
      'name',
    );
    const again = { ...name, ip: '203.0.113.8' };
    expect(probableReasons([name, again])).toEqual([
      { group: 'China Mobile', groupId: CM.id, kind: 'name-match', asn: 399001 },
    ]);
  });

  it('the badge: the code and a "?" on purple, and a "probably" title', () => {
    const badge = badgeFor(probable('site.test'), ENGLISH_BADGE_WORDS);
    expect(badge.text).toBe('CT?');
    expect(badge.color).toBe(BADGE_PROBABLE_COLOR);
    expect(badge.title).toMatch(/^CarrierFlag: site\.test is probably on China Telecom \(AS4847 /);
    expect(badge.title).toMatch(/only low-confidence entries match$/);
    const sureBadge = badgeFor(sure('site.test'), ENGLISH_BADGE_WORDS);
    expect(sureBadge).toMatchObject({ text: 'CT', color: BADGE_FLAGGED_COLOR });
  });
});

describe('reportText follows the badge', () => {
  it('an amber page: the verdict line counts the flagged hosts, which come before the site addresses', () => {
    const text = reportText(reportOf(clean('site.test')), {
      meta: null,
      pageHosts: AMBER_PAGE,
      countThirdPartyHosts: true,
    });
    const lines = text.split('\n');
    expect(lines[2]).toBe(
      'Verdict: 3 of 40 other hosts this page loads from are flagged (China Telecom); the site itself: clean',
    );
    expect(lines.slice(3, 6)).toEqual([
      'Flagged hosts this page loads from:',
      '- a.test: China Telecom',
      '  - 1.48.0.1 (from DNS-over-HTTPS): AS4134 Chinanet, range 1.48.0.1/32; on the watchlist: China Telecom (AS4134, high confidence)',
    ]);
    expect(text).toContain('- c.test: China Telecom');
    expect(text.indexOf('- c.test')).toBeLessThan(text.indexOf('Addresses:'));
    expect(text).not.toContain('clean0.test');
  });

  it('the option off: the site verdict leads, the flagged hosts still follow its addresses', () => {
    const text = reportText(reportOf(clean('site.test')), {
      meta: null,
      pageHosts: AMBER_PAGE,
      countThirdPartyHosts: false,
    });
    expect(text).toContain('Verdict: clean\n');
    expect(text.indexOf('Addresses:')).toBeLessThan(text.indexOf('Flagged hosts'));
  });

  it('one flagged host of one: "is"', () => {
    const text = reportText(reportOf(clean('site.test')), {
      meta: null,
      pageHosts: view([host(sure('a.test'))]),
      countThirdPartyHosts: true,
    });
    expect(text).toContain('Verdict: 1 of 1 other hosts this page loads from is flagged');
  });

  it('low confidence only: "flagged, probably"', () => {
    const text = reportText(reportOf(probable('site.test')), { meta: null });
    expect(text).toContain(
      'Verdict: flagged, probably: low-confidence entries only (China Telecom)\n',
    );
    expect(text).toContain('China Telecom (AS4847, low confidence)');
  });
});
