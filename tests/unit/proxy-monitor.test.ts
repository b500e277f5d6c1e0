/**
 * The tab monitor behind a proxy, from webRequest-like events to the badge and the report: the
 * proxy's address is never judged as the site's, whether Firefox names the proxy or the
 * repeated-address pattern finds it.
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../lib/cli/main';
import type { ResolveResult } from '../../lib/dns';
import type { LookupResult } from '../../lib/prefix-table';
import type { PrefixLookup } from '../../lib/verdict';
import type { ProxyFact } from '../../lib/proxy';
import { defaultSettings, type Settings } from '../../lib/settings';
import {
  createTabMonitor,
  type Badge,
  type SessionArea,
  type TabRecord,
  type TabReport,
} from '../../lib/tabs/site-report';

/** AS4134 Chinanet: a carrier network on the default watchlist. */
const CARRIER = '202.96.128.86';
const CARRIER_2 = '202.96.128.87';
/** AS13335 Cloudflare: not watched. */
const CLEAN = '1.1.1.1';
const CLEAN_2 = '1.0.0.1';

const ROUTES: Record<string, LookupResult> = {
  [CARRIER]: { kind: 'routed', asn: 4134, org: 'Chinanet', rangeStart: '', rangeEnd: '' },
  [CARRIER_2]: { kind: 'routed', asn: 4134, org: 'Chinanet', rangeStart: '', rangeEnd: '' },
  [CLEAN]: { kind: 'routed', asn: 13335, org: 'Cloudflare', rangeStart: '', rangeEnd: '' },
  [CLEAN_2]: { kind: 'routed', asn: 13335, org: 'Cloudflare', rangeStart: '', rangeEnd: '' },
};
const table = { lookup: (ip: string): LookupResult => ROUTES[ip] ?? { kind: 'unrouted' } };

function ok(hostname: string, ...ips: string[]): ResolveResult {
  return {
    ok: true,
    hostname,
    addresses: ips.map((ip) => ({ ip, type: 'A', ttl: 60 })),
    cnameChain: [],
    fromCache: false,
    retried: false,
  } as ResolveResult;
}

/** storage.session stand-in that tells waiters about every write, so tests wait on signals. */
function signallingSession() {
  const data = new Map<string, unknown>();
  const waiters = new Set<() => void>();
  const session: SessionArea = {
    get: (async (key: string | null) => {
      if (key === null) return structuredClone(Object.fromEntries(data));
      return data.has(key) ? { [key]: structuredClone(data.get(key)) } : {};
    }) as SessionArea['get'],
    async set(items) {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
      for (const wake of [...waiters]) wake();
    },
    async remove(key) {
      data.delete(key);
    },
  };
  /** Resolves with tab `tabId`'s report once it satisfies `done` (now or after a later write). */
  function reportWhen(tabId: number, done: (r: TabReport) => boolean): Promise<TabReport> {
    return new Promise((resolve) => {
      const check = () => {
        // The stored record holds the shown page's report, or the navigation still under way
        // (stored by the session-record store as `{ v, data }`).
        const record = (data.get(`tab:${tabId}`) as { data?: TabRecord } | undefined)?.data;
        const report = record?.shown ?? record?.pending;
        if (report && done(report)) {
          waiters.delete(check);
          resolve(structuredClone(report));
        }
      };
      waiters.add(check);
      check();
    });
  }
  /** Resolves once `ready()` holds, checking after every write (or badge change, via `wake`). */
  function when(ready: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (ready()) {
          waiters.delete(check);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });
  }
  const wake = () => {
    for (const check of [...waiters]) check();
  };
  return { session, reportWhen, when, wake };
}

function setup(
  answers: Record<string, ResolveResult>,
  settings: Settings = defaultSettings(),
  lookup: PrefixLookup = table,
) {
  const { session, reportWhen, when, wake } = signallingSession();
  const badges = new Map<number, Badge>();
  const state = { settings, now: 1_000 };
  const monitor = createTabMonitor({
    session,
    setBadge: async (tabId, badge) => {
      badges.set(tabId, badge);
      wake();
    },
    table: Promise.resolve(lookup),
    getSettings: () => state.settings,
    resolve: async (hostname) => {
      const answer = answers[hostname];
      if (!answer) throw new Error(`unexpected query for ${hostname}`);
      return answer;
    },
    now: () => state.now,
    log: () => {},
  });
  /** One top-level visit; resolves once the report is final (DoH answered, connection seen). */
  async function visit(tabId: number, host: string, ip: string, proxy?: ProxyFact) {
    const url = `http://${host}/`;
    await monitor.navigationStarted(tabId, url);
    await monitor.responseStarted(tabId, url, ip, proxy);
    await monitor.navigationCommitted(tabId, url);
    return reportWhen(tabId, (r) => r.final && r.doh.state !== 'pending' && r.committed);
  }
  /** Resolves once tab `tabId`'s badge reads `text` (the badge is set after the report is stored). */
  const badgeReads = (tabId: number, text: string) => when(() => badges.get(tabId)?.text === text);
  return { monitor, badges, state, visit, reportWhen, badgeReads };
}

const siteAddresses = (report: TabReport) => report.verdict.addresses.map((a) => a.ip);

describe('tab monitor behind a proxy Firefox names (proxyInfo)', () => {
  const carrierProxy: ProxyFact = {
    address: CARRIER,
    type: 'http',
    port: 3128,
    detectedBy: 'proxy-info',
  };

  it('a proxy on a carrier network flags even a clean site, and is still named (changed for issue 23)', async () => {
    const t = setup({ 'clean.example': ok('clean.example', CLEAN) });
    const report = await t.visit(1, 'clean.example', CARRIER, carrierProxy);
    expect(report.verdict.status).toBe('flagged');
    expect(siteAddresses(report)).toEqual([CLEAN, CARRIER]);
    expect(report.verdict.proxy).toMatchObject({ address: CARRIER, port: 3128 });
    expect(report.verdict.proxy?.lookup).toMatchObject({ asn: 4134 });
    expect(t.badges.get(1)?.text).toBe('CT');
  });

  it('a carrier site behind a clean proxy is still flagged, through DoH', async () => {
    const t = setup({ 'carrier.example': ok('carrier.example', CARRIER) });
    const cleanProxy: ProxyFact = { ...carrierProxy, address: CLEAN };
    const report = await t.visit(1, 'carrier.example', CLEAN, cleanProxy);
    expect(report.verdict.status).toBe('flagged');
    expect(report.verdict.addresses.map((a) => [a.ip, a.origins])).toEqual([[CARRIER, ['doh']]]);
    expect(t.badges.get(1)?.text).toBe('CT');
  });

  it('in privacy mode says the site could not be checked because of a clean proxy', async () => {
    // A clean proxy since issue 23: a carrier proxy flags (see the shipped-table tests below).
    const t = setup({}, { ...defaultSettings(), privacyMode: true });
    const report = await t.visit(1, 'clean.example', CLEAN, { ...carrierProxy, address: CLEAN });
    expect(report.verdict.status).toBe('unchecked');
    expect(t.badges.get(1)).toMatchObject({ text: '?' });
    expect(t.badges.get(1)?.title).toBe(
      `CarrierFlag: clean.example could not be checked: the connection went through a proxy (${CLEAN}), so the site's own address was not seen`,
    );
  });
});

describe('tab monitor behind a proxy found by the repeated-address pattern (Chromium)', () => {
  const cleanSites = {
    'a.example': ok('a.example', CLEAN),
    'b.example': ok('b.example', CLEAN_2),
    'c.example': ok('c.example', CLEAN),
    'd.example': ok('d.example', CLEAN_2),
  };

  it('a clean proxy is found on the third site and earlier tabs are judged again', async () => {
    // Before issue 23 this used a proxy on a carrier network, which then stopped flagging.
    const PROXY = '203.0.113.9';
    const t = setup(cleanSites);
    // Before the pattern is complete, a lone mismatch is the "disagree" case: both are judged.
    const first = await t.visit(1, 'a.example', PROXY);
    expect(first.verdict.connectedElsewhere).toBe(PROXY);
    await t.visit(2, 'b.example', PROXY);
    const third = await t.visit(3, 'c.example', PROXY);
    expect(third.verdict.status).toBe('clean');
    expect(third.verdict.proxy).toMatchObject({ address: PROXY, detectedBy: 'repeated-address' });
    expect(siteAddresses(third)).toEqual([CLEAN]);
    // The tabs judged before the proxy was recognised are judged again.
    for (const tabId of [1, 2]) {
      const report = await t.reportWhen(tabId, (r) => r.verdict.proxy !== undefined);
      expect(report.verdict.status).toBe('clean');
      expect(report.verdict.connectedElsewhere).toBeUndefined();
    }
  });

  it('does not take one site for a proxy when its connected address is not in its DoH answer', async () => {
    const t = setup(cleanSites);
    for (const tabId of [1, 2, 3]) {
      const report = await t.visit(tabId, 'a.example', CARRIER);
      expect(report.verdict.proxy).toBeUndefined();
      expect(report.verdict.status).toBe('flagged');
      expect(report.verdict.connectedElsewhere).toBe(CARRIER);
    }
  });

  it('a carrier site behind a clean proxy is still flagged, through DoH', async () => {
    const t = setup({ ...cleanSites, 'carrier.example': ok('carrier.example', CARRIER_2) });
    for (const [tabId, host] of [
      [1, 'a.example'],
      [2, 'b.example'],
      [3, 'c.example'],
    ] as const) {
      await t.visit(tabId, host, '203.0.113.9');
    }
    const report = await t.visit(4, 'carrier.example', '203.0.113.9');
    expect(report.verdict.proxy?.address).toBe('203.0.113.9');
    expect(report.verdict.status).toBe('flagged');
    expect(siteAddresses(report)).toEqual([CARRIER_2]);
    expect(t.badges.get(4)?.text).toBe('CT');
  });

  it('once learnt, privacy mode says the site could not be checked because of the proxy', async () => {
    // A clean proxy since issue 23 (a carrier address is never learnt as a proxy).
    const t = setup(cleanSites);
    for (const [tabId, host] of [
      [1, 'a.example'],
      [2, 'b.example'],
      [3, 'c.example'],
    ] as const) {
      await t.visit(tabId, host, '203.0.113.9');
    }
    t.state.settings = { ...defaultSettings(), privacyMode: true };
    const report = await t.visit(4, 'd.example', '203.0.113.9');
    expect(report.verdict.status).toBe('unchecked');
    expect(report.verdict.problem).toMatch(/went through a proxy \(203\.0\.113\.9\)/);
    expect(t.badges.get(4)?.text).toBe('?');
  });
});

/**
 * Issue 23: a connected address on a watched network is never explained away as a proxy. These run
 * on the shipped prefix table: 202.96.128.86 is Chinanet (AS4134, China Telecom); 1.1.1.1 and
 * 1.0.0.1 Cloudflare, 8.8.8.8 Google, 9.9.9.9 Quad9 are on no watched network.
 */
describe('a carrier connection is never explained away (shipped table)', () => {
  let shipped: PrefixLookup;
  beforeAll(async () => {
    const loaded = await loadTable(join(resolve(__dirname, '../..'), 'public/prefix-table.bin'));
    if (!loaded.ok) throw new Error(`public/prefix-table.bin: ${loaded.reason}`);
    shipped = loaded.table;
  });
  const sites = (names: readonly string[], ip: (i: number) => string) =>
    Object.fromEntries(names.map((host, i) => [host, ok(host, ip(i))]));
  const flaggedCt = (report: TabReport) => {
    expect(report.verdict.status).toBe('flagged');
    expect(report.verdict.groups.map((g) => g.code)).toEqual(['CT']);
    expect(report.verdict.addresses.find((a) => a.ip === CARRIER)?.origins).toContain('browser');
  };

  it('split horizon: six sites over an hour on one China Telecom server whose DNS says 1.1.1.1 all flag', async () => {
    const names = [
      'shop.example',
      'news.example.org',
      'mail.test',
      'bank.example.net',
      'a.test',
      'b.test',
    ];
    const t = setup(
      sites(names, () => CLEAN),
      defaultSettings(),
      shipped,
    );
    // Three within the pattern's 10-minute window, then one every 20 minutes up to the hour.
    const minutes = [0, 4, 8, 20, 40, 60];
    for (const [i, host] of names.entries()) {
      t.state.now = 1_000 + minutes[i]! * 60_000;
      const report = await t.visit(i + 1, host, CARRIER);
      flaggedCt(report);
      // Never set aside as a proxy: the worker then keeps it as the witness of third-party hosts.
      expect(report.verdict.proxy).toBeUndefined();
      expect(report.verdict.connectedElsewhere).toBe(CARRIER);
      expect(t.badges.get(i + 1)?.text).toBe('CT');
    }
    // Earlier tabs, judged again or not, still flag.
    for (const tabId of [1, 2, 3, 4, 5, 6]) {
      flaggedCt((await t.monitor.getReport(tabId))!);
      expect(t.badges.get(tabId)?.text).toBe('CT');
    }
  });

  it('a China Telecom CDN edge for four unrelated sites with location-based DNS flags all four', async () => {
    const names = ['one.example', 'two.example', 'three.example', 'four.example'];
    const answers = [CLEAN, CLEAN_2, '8.8.8.8', '9.9.9.9'];
    const t = setup(
      sites(names, (i) => answers[i]!),
      defaultSettings(),
      shipped,
    );
    for (const [i, host] of names.entries()) flaggedCt(await t.visit(i + 1, host, CARRIER));
    expect([1, 2, 3, 4].map((tabId) => t.badges.get(tabId)?.text)).toEqual([
      'CT',
      'CT',
      'CT',
      'CT',
    ]);
  });

  it('privacy mode: five sites on one China Telecom shared host all flag, none turns to ?', async () => {
    const t = setup({}, { ...defaultSettings(), privacyMode: true }, shipped);
    const names = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example'];
    for (const [i, host] of names.entries()) {
      const report = await t.visit(i + 1, host, CARRIER);
      flaggedCt(report);
      expect(report.verdict.proxy).toBeUndefined();
    }
    expect(names.map((_, i) => t.badges.get(i + 1)?.text)).toEqual(names.map(() => 'CT'));
  });

  it('a proxy Firefox names on a China Telecom address flags, with the proxy still named', async () => {
    const t = setup({ 'clean.example': ok('clean.example', CLEAN) }, defaultSettings(), shipped);
    const proxy: ProxyFact = {
      address: CARRIER,
      type: 'http',
      port: 3128,
      detectedBy: 'proxy-info',
    };
    const report = await t.visit(1, 'clean.example', CARRIER, proxy);
    flaggedCt(report);
    expect(report.verdict.proxy).toMatchObject({ address: CARRIER, detectedBy: 'proxy-info' });
    expect(t.badges.get(1)?.text).toBe('CT');
    // In privacy mode too: the only address seen is China Telecom's.
    const p = setup({}, { ...defaultSettings(), privacyMode: true }, shipped);
    flaggedCt(await p.visit(1, 'clean.example', CARRIER, proxy));
  });

  it('sites whose DoH answers are watched do not feed the pattern', async () => {
    // Three unrelated carrier sites reached at one Cloudflare address: not evidence of a proxy.
    const names = ['ct1.example', 'ct2.example', 'ct3.example', 'clean.example'];
    const t = setup(
      {
        ...sites(names.slice(0, 3), () => CARRIER),
        'clean.example': ok('clean.example', '9.9.9.9'),
      },
      defaultSettings(),
      shipped,
    );
    for (const [i, host] of names.entries()) {
      const report = await t.visit(i + 1, host, CLEAN_2);
      expect(report.verdict.proxy).toBeUndefined();
      expect(report.verdict.connectedElsewhere).toBe(CLEAN_2);
    }
  });

  it('a real proxy on a clean or local address is still named and never flags', async () => {
    // 127.0.0.1, named by Firefox.
    const local = setup(
      { 'clean.example': ok('clean.example', CLEAN) },
      defaultSettings(),
      shipped,
    );
    const loopback: ProxyFact = {
      address: '127.0.0.1',
      type: 'http',
      port: 8080,
      detectedBy: 'proxy-info',
    };
    const viaLoopback = await local.visit(1, 'clean.example', '127.0.0.1', loopback);
    expect(viaLoopback.verdict.status).toBe('clean');
    expect(viaLoopback.verdict.proxy).toMatchObject({ address: '127.0.0.1' });
    expect(siteAddresses(viaLoopback)).toEqual([CLEAN]);
    // A Cloudflare address three sites with clean DoH answers were reached at: found by the pattern.
    const names = ['a.example', 'b.example', 'c.example'];
    const answers = [CLEAN, '8.8.8.8', '9.9.9.9'];
    const t = setup(
      sites(names, (i) => answers[i]!),
      defaultSettings(),
      shipped,
    );
    for (const [i, host] of names.entries()) await t.visit(i + 1, host, CLEAN_2);
    for (const tabId of [1, 2, 3]) {
      const report = await t.reportWhen(tabId, (r) => r.verdict.proxy !== undefined);
      expect(report.verdict.status).toBe('clean');
      expect(report.verdict.proxy).toMatchObject({
        address: CLEAN_2,
        detectedBy: 'repeated-address',
      });
      expect(siteAddresses(report)).not.toContain(CLEAN_2);
    }
    expect([1, 2, 3].map((tabId) => t.badges.get(tabId)?.text)).toEqual(['', '', '']);
  });
});
