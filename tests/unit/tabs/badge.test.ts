import { describe, expect, it } from 'vitest';
import type { ResolveResult } from '../../../lib/dns';
import type { LookupResult } from '../../../lib/prefix-table';
import { defaultSettings } from '../../../lib/settings';
import { createTabMonitor, type Badge, type SessionArea } from '../../../lib/tabs/site-report';
import {
  BADGE_THIRD_PARTY_COLOR,
  ENGLISH_PAGE_BADGE_WORDS,
  pageBadge as pageBadgeIn,
} from '../../../lib/tabs/badge';
import { createPageHosts, type ThirdPartySummary } from '../../../lib/tabs/page-hosts';
import {
  badgeFor as badgeIn,
  BADGE_FLAGGED_COLOR,
  ENGLISH_BADGE_WORDS,
  type Verdict,
} from '../../../lib/verdict';

const badgeFor = (v: Verdict) => badgeIn(v, ENGLISH_BADGE_WORDS);
const pageBadge = (
  ...args: Parameters<typeof pageBadgeIn> extends [...infer A, unknown] ? A : never
) => pageBadgeIn(...args, ENGLISH_PAGE_BADGE_WORDS);

const clean: Verdict = { hostname: 'site.test', status: 'clean', addresses: [], groups: [] };
const flaggedSite: Verdict = {
  hostname: 'site.test',
  status: 'flagged',
  addresses: [],
  groups: [{ id: 'china-mobile', name: 'China Mobile', code: 'CM' }],
};
const CT = { id: 'china-telecom', name: 'China Telecom', code: 'CT' };
const CM = { id: 'china-mobile', name: 'China Mobile', code: 'CM' };

function summary(flagged: ThirdPartySummary['flagged'], total = 10): ThirdPartySummary {
  return { siteHostname: 'site.test', total, checking: 0, flagged };
}
const report = (verdict: Verdict, final = true) => ({ hostname: 'site.test', final, verdict });

describe('page badge', () => {
  it('counts flagged third-party hosts on amber when the site is clean, naming groups and hosts', () => {
    const badge = pageBadge(
      badgeFor(clean),
      report(clean),
      summary([
        { hostname: 'a.test', groups: [CT] },
        { hostname: 'b.test', groups: [CT, CM] },
      ]),
      true,
    );
    expect(badge.text).toBe('2');
    expect(badge.color).toBe(BADGE_THIRD_PARTY_COLOR);
    expect(badge.title).toBe(
      'CarrierFlag: site.test is not on a watched network. But 2 of the 10 other hosts this page ' +
        'loads from are on watched networks: China Telecom: a.test, b.test; China Mobile: b.test',
    );
  });

  it('shows 99+ beyond 99 hosts and names only the first few', () => {
    const flagged = Array.from({ length: 120 }, (_, i) => ({
      hostname: `h${i}.test`,
      groups: [CT],
    }));
    const badge = pageBadge(badgeFor(clean), report(clean), summary(flagged, 300), true);
    expect(badge.text).toBe('99+');
    expect(badge.title).toMatch(/120 of the 300 .* h4\.test and 115 more$/);
    const ninetyNine = pageBadge(
      badgeFor(clean),
      report(clean),
      summary(flagged.slice(0, 99)),
      true,
    );
    expect(ninetyNine.text).toBe('99');
  });

  it('keeps the site verdict when the site is flagged, still checking, the option is off, or no host is flagged', () => {
    const hosts = summary([{ hostname: 'a.test', groups: [CT] }]);
    const site = badgeFor(flaggedSite);
    expect(pageBadge(site, report(flaggedSite), hosts, true)).toEqual(site);
    expect(site).toMatchObject({ text: 'CM', color: BADGE_FLAGGED_COLOR });
    const checking: Badge = {
      text: '',
      color: '#5f6368',
      title: 'CarrierFlag: checking site.test…',
    };
    expect(pageBadge(checking, report(clean, false), hosts, true)).toEqual(checking);
    expect(pageBadge(badgeFor(clean), report(clean), hosts, false)).toEqual(badgeFor(clean));
    expect(pageBadge(badgeFor(clean), report(clean), summary([]), true)).toEqual(badgeFor(clean));
    // A summary left over from another site's page is not this page's.
    const other = { ...hosts, siteHostname: 'other.test' };
    expect(pageBadge(badgeFor(clean), report(clean), other, true)).toEqual(badgeFor(clean));
  });
});

describe('tab monitor with page hosts (the worker wiring)', () => {
  it('turns the badge amber once a third-party host is judged flagged, and back with the option off', async () => {
    const data = new Map<string, unknown>();
    const session: SessionArea = {
      get: (async (key: string | null) =>
        key === null
          ? Object.fromEntries(data)
          : data.has(key)
            ? { [key]: structuredClone(data.get(key)) }
            : {}) as SessionArea['get'],
      set: async (items) => {
        for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
      },
      remove: async (key) => void data.delete(key),
    };
    const routes: Record<string, LookupResult> = {
      '202.96.128.86': {
        kind: 'routed',
        asn: 4134,
        org: 'Chinanet',
        rangeStart: '202.96.128.0',
        rangeEnd: '202.96.191.255',
      },
      '1.1.1.1': {
        kind: 'routed',
        asn: 13335,
        org: 'Cloudflare',
        rangeStart: '1.1.1.0',
        rangeEnd: '1.1.1.255',
      },
    };
    const table = Promise.resolve({
      lookup: (ip: string): LookupResult => routes[ip] ?? { kind: 'unrouted' },
    });
    const answer = (hostname: string, ip: string) =>
      ({
        ok: true,
        hostname,
        addresses: [{ ip, type: 'A', ttl: 60 }],
        cnameChain: [],
        fromCache: false,
        retried: false,
      }) as ResolveResult;
    const resolve = async (h: string) => answer(h, h === 'cdn.test' ? '202.96.128.86' : '1.1.1.1');
    const state = { settings: defaultSettings() };
    const badges: Badge[] = [];
    let refreshed: Promise<void> = Promise.resolve();
    const hosts = createPageHosts({
      session,
      table,
      getSettings: () => state.settings,
      resolve,
      pageOf: async () => null,
      onChange: (tabId) => void (refreshed = monitor.refreshBadge(tabId)),
      now: () => 1,
      log: () => {},
      writeDelayMs: 0,
    });
    const monitor = createTabMonitor({
      session,
      setBadge: async (_tabId, badge) => void badges.push(badge),
      table,
      getSettings: () => state.settings,
      resolve,
      now: () => 1,
      log: () => {},
      decorateBadge: async (r, badge) =>
        pageBadge(badge, r, await hosts.summary(r.tabId), state.settings.countThirdPartyHosts),
    });
    const url = 'https://site.test/';
    await monitor.navigationStarted(1, url);
    await hosts.navigationCommitted(1, url);
    await monitor.navigationCommitted(1, url);
    await hosts.requestSeen(1, 'https://cdn.test/x.js', undefined);
    await hosts.idle();
    await refreshed;
    expect(badges.at(-1)).toMatchObject({ text: '1', color: BADGE_THIRD_PARTY_COLOR });
    expect(badges.at(-1)!.title).toContain('China Telecom: cdn.test');

    state.settings = { ...defaultSettings(), countThirdPartyHosts: false };
    await monitor.settingsChanged();
    await hosts.settingsChanged();
    await hosts.idle();
    await refreshed;
    expect(badges.at(-1)).toMatchObject({
      text: '',
      title: 'CarrierFlag: site.test is not on a watched network',
    });
  });
});
