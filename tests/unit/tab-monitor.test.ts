import { describe, expect, it, vi } from 'vitest';
import { fakeSession, ok, table } from './support/tab-fakes';
import type { ResolveResult } from '../../lib/dns';
import { defaultSettings, type Settings } from '../../lib/settings';
import { buildVerdict } from '../../lib/verdict';
import type { LookupResult } from '../../lib/prefix-table';
import { compileWatchlist } from '../../lib/watchlist/match';
import {
  boundAddresses,
  createTabMonitor,
  REPORT_MAX_ADDRESSES,
  type Badge,
  type SessionArea,
} from '../../lib/tabs/site-report';
import { setGroupEnabled } from '../../lib/watchlist/edit';

function setup(
  answers: Record<string, ResolveResult | Promise<ResolveResult>>,
  settings = defaultSettings(),
) {
  const session = fakeSession();
  const badges = new Map<number, Badge>();
  const state = { settings };
  const resolve = vi.fn(async (hostname: string) => {
    const answer = answers[hostname];
    if (!answer) throw new Error(`unexpected query for ${hostname}`);
    return answer;
  });
  const make = () =>
    createTabMonitor({
      session,
      setBadge: async (tabId, badge) => void badges.set(tabId, badge),
      table: Promise.resolve(table),
      getSettings: () => state.settings,
      resolve,
      now: () => 1_000,
      log: () => {},
    });
  return { session, badges, resolve, state, monitor: make(), make };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

async function visit(
  monitor: ReturnType<typeof createTabMonitor>,
  tabId: number,
  url: string,
  ip = '127.0.0.1',
) {
  await monitor.navigationStarted(tabId, url);
  await monitor.responseStarted(tabId, url, ip);
  await monitor.navigationCommitted(tabId, url);
  await settle();
}

describe('tab monitor', () => {
  it('sets only the parts of the badge that changed (a tooltip alone is one call, not three)', async () => {
    const calls: { text: string; changed: string[] }[] = [];
    let extra = '';
    const monitor = createTabMonitor({
      session: fakeSession(),
      setBadge: async (_tabId, badge, changed) =>
        void calls.push({ text: badge.text, changed: [...(changed ?? [])].sort() }),
      table: Promise.resolve(table),
      getSettings: () => defaultSettings(),
      resolve: async (h) => ok(h, '202.96.128.86'),
      now: () => 1_000,
      log: () => {},
      decorateBadge: async (_report, badge) => ({ ...badge, title: badge.title + extra }),
    });
    await visit(monitor, 1, 'http://carrier.test/');
    const settled = calls.length;
    expect(calls[settled - 1]).toMatchObject({ text: 'CT' });
    await monitor.refreshBadge(1);
    expect(calls).toHaveLength(settled);
    extra = ' (and 3 more hosts)';
    await monitor.refreshBadge(1);
    expect(calls[settled]).toEqual({ text: 'CT', changed: ['title'] });
    // A commit wipes the browser's badge: everything is set again.
    await monitor.navigationCommitted(1, 'http://carrier.test/');
    expect(calls[calls.length - 1]!.changed).toEqual(['color', 'text', 'title']);
  });

  it('flags a carrier site with the group code, only after commit', async () => {
    const t = setup({ 'carrier.test': ok('carrier.test', '202.96.128.86') });
    await t.monitor.navigationStarted(1, 'http://carrier.test/');
    await settle();
    expect(t.badges.has(1)).toBe(false);
    await t.monitor.navigationCommitted(1, 'http://carrier.test/');
    await settle();
    expect(t.badges.get(1)).toMatchObject({ text: 'CT', color: '#d93025' });
    expect(t.badges.get(1)!.title).toMatch(/China Telecom/);
    const report = await t.monitor.getReport(1);
    expect(report?.verdict.status).toBe('flagged');
  });

  it('shows nothing for a clean site and ? when DNS fails and the browser address is local', async () => {
    const t = setup({
      'clean.test': ok('clean.test', '1.1.1.1'),
      'missing.test': {
        ok: false,
        hostname: 'missing.test',
        error: { kind: 'nxdomain', message: 'NXDOMAIN' },
      } as ResolveResult,
    });
    await visit(t.monitor, 1, 'http://clean.test/');
    expect(t.badges.get(1)?.text).toBe('');
    await visit(t.monitor, 2, 'http://missing.test/');
    expect(t.badges.get(2)).toMatchObject({ text: '?' });
  });

  it('drops a late answer for a page the tab already left', async () => {
    let release: (r: ResolveResult) => void = () => {};
    const slow = new Promise<ResolveResult>((r) => (release = r));
    const t = setup({ 'slow.test': slow, 'clean.test': ok('clean.test', '1.1.1.1') });
    await t.monitor.navigationStarted(1, 'http://slow.test/');
    await visit(t.monitor, 1, 'http://clean.test/');
    release(ok('slow.test', '202.96.128.86'));
    await settle();
    expect((await t.monitor.getReport(1))?.hostname).toBe('clean.test');
    expect(t.badges.get(1)?.text).toBe('');
  });

  it('survives a worker restart: reports stay, and an interrupted lookup is finished', async () => {
    const never = new Promise<ResolveResult>(() => {});
    const t = setup({ 'carrier.test': never });
    await t.monitor.navigationStarted(1, 'http://carrier.test/');
    await t.monitor.navigationCommitted(1, 'http://carrier.test/');
    // The old worker dies with the lookup in flight; a new one starts over the same session store.
    const answers = { 'carrier.test': ok('carrier.test', '202.96.128.86') };
    t.resolve.mockImplementation(async (h: string) => answers[h as keyof typeof answers]);
    const restarted = t.make();
    expect((await restarted.getReport(1))?.hostname).toBe('carrier.test');
    await restarted.resumePending();
    await settle();
    expect(t.badges.get(1)?.text).toBe('CT');
  });

  it('sends no query in privacy mode and none for allowlisted sites', async () => {
    const settings: Settings = { ...defaultSettings(), privacyMode: true };
    const t = setup({}, settings);
    await visit(t.monitor, 1, 'http://carrier.test/', '202.96.128.86');
    expect(t.resolve).not.toHaveBeenCalled();
    expect(t.badges.get(1)?.text).toBe('CT');
    t.state.settings = { ...defaultSettings(), allowlist: ['carrier.test'] };
    await visit(t.monitor, 2, 'http://www.carrier.test/', '202.96.128.86');
    expect(t.resolve).not.toHaveBeenCalled();
    expect((await t.monitor.getReport(2))?.verdict.status).toBe('allowlisted');
  });

  it('never resolves a private name: the browser address alone decides', async () => {
    const t = setup({});
    await visit(t.monitor, 1, 'http://printer.local/', '127.0.0.1');
    await visit(t.monitor, 2, 'http://intranet/', '202.96.128.86');
    expect(t.resolve).not.toHaveBeenCalled();
    expect((await t.monitor.getReport(1))?.verdict.status).toBe('local');
    expect(t.badges.get(1)?.text).toBe('');
    expect(t.badges.get(2)?.text).toBe('CT');
  });

  it('looks up an IP-literal URL directly', async () => {
    const t = setup({});
    await visit(t.monitor, 1, 'http://202.96.128.86/', '202.96.128.86');
    expect(t.resolve).not.toHaveBeenCalled();
    expect(t.badges.get(1)?.text).toBe('CT');
  });

  it('re-evaluates open tabs when a group is disabled', async () => {
    const t = setup({ 'carrier.test': ok('carrier.test', '202.96.128.86') });
    await visit(t.monitor, 1, 'http://carrier.test/');
    expect(t.badges.get(1)?.text).toBe('CT');
    const edit = setGroupEnabled(t.state.settings.watchlist, 'china-telecom', false);
    if (!edit.ok) throw new Error(edit.reason);
    t.state.settings = { ...t.state.settings, watchlist: edit.watchlist };
    await t.monitor.settingsChanged();
    await settle();
    expect(t.badges.get(1)?.text).toBe('');
  });

  it('forgets a closed tab', async () => {
    const t = setup({ 'clean.test': ok('clean.test', '1.1.1.1') });
    await visit(t.monitor, 1, 'http://clean.test/');
    await t.monitor.tabRemoved(1);
    expect(await t.monitor.getReport(1)).toBeNull();
  });
});

describe('tab monitor: the browser connected to an IPv6 address that carries an IPv4 one', () => {
  // 202.96.128.86 is China Telecom and 1.1.1.1 Cloudflare in the fake table; the IPv6 forms are
  // unknown to it, as their relays' networks are beside the point.
  it.each([
    ['64:ff9b::ca60:8056', 'nat64'],
    ['64:ff9b:1:ca60:80:5600::', 'nat64-local'],
    ['2002:ca60:8056::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:359f:7fa9', 'teredo'],
  ])(
    'flags a carrier behind %s (%s) in privacy mode, from the connection alone',
    async (ip, kind) => {
      const t = setup({}, { ...defaultSettings(), privacyMode: true });
      await visit(t.monitor, 1, 'http://carrier.test/', ip);
      expect(t.resolve).not.toHaveBeenCalled();
      expect(t.badges.get(1)?.text).toBe('CT');
      const report = await t.monitor.getReport(1);
      expect(report?.verdict.status).toBe('flagged');
      expect(report?.verdict.addresses).toEqual([
        expect.objectContaining({
          ip,
          origins: ['browser'],
          embedded: { kind, ipv4: '202.96.128.86' },
          lookup: expect.objectContaining({ kind: 'routed', asn: 4134 }),
        }),
      ]);
    },
  );

  it('flags a DNS64 answer and leaves Cloudflare inside NAT64 clean', async () => {
    const t = setup({
      'carrier.test': ok('carrier.test', '64:ff9b::ca60:8056'),
      'clean.test': ok('clean.test', '64:ff9b::101:101'),
    });
    await visit(t.monitor, 1, 'http://carrier.test/', '64:ff9b::ca60:8056');
    await visit(t.monitor, 2, 'http://clean.test/', '64:ff9b::101:101');
    expect(t.badges.get(1)?.text).toBe('CT');
    expect(t.badges.get(2)?.text).toBe('');
    const clean = await t.monitor.getReport(2);
    expect(clean?.verdict.status).toBe('clean');
    expect(clean?.verdict.addresses[0]?.embedded).toEqual({ kind: 'nat64', ipv4: '1.1.1.1' });
  });
});

describe('tab monitor: a DoH answer that took a second try', () => {
  it('keeps the retried flag in the report, for the popup to say so', async () => {
    const retried = { ...ok('retry.test', '1.1.1.1'), retried: true } as ResolveResult;
    const t = setup({ 'retry.test': retried, 'first.test': ok('first.test', '1.1.1.1') });
    await visit(t.monitor, 1, 'http://retry.test/');
    await visit(t.monitor, 2, 'http://first.test/');
    expect((await t.monitor.getReport(1))?.doh).toMatchObject({ state: 'done', retried: true });
    expect((await t.monitor.getReport(2))?.doh).not.toHaveProperty('retried');
  });
});

/**
 * A session area with a quota, as Chromium's storage.session (about 10 MB): a write that would
 * take it over `capacity` bytes (key + JSON, as Chromium counts) is refused with Chromium's error.
 */
function quotaSession(
  capacity: number,
): SessionArea & { data: Map<string, unknown>; used(): number } {
  const base = fakeSession();
  const sizeOf = (entries: Iterable<[string, unknown]>) => {
    let n = 0;
    for (const [k, v] of entries) n += k.length + JSON.stringify(v).length;
    return n;
  };
  return {
    ...base,
    used: () => sizeOf(base.data),
    async set(items) {
      const next = new Map(base.data);
      for (const [k, v] of Object.entries(items)) next.set(k, v);
      if (sizeOf(next) > capacity) {
        throw new Error('Resource::kQuotaBytes quota exceeded');
      }
      await base.set(items);
    },
  };
}

describe('tab monitor with a full session store', () => {
  it('still shows a flagged site’s code, and the report says it could not be saved', async () => {
    const session = quotaSession(50_000);
    // Something else (say a DNS cache from an older build) has filled the area.
    await session.set({ filler: 'x'.repeat(49_900) });
    const badges = new Map<number, Badge>();
    const logged: string[] = [];
    const monitor = createTabMonitor({
      session,
      setBadge: async (tabId, badge) => void badges.set(tabId, badge),
      table: Promise.resolve(table),
      getSettings: () => defaultSettings(),
      resolve: async (hostname) => ok(hostname, '202.96.128.86'),
      now: () => 1_000,
      log: (message) => void logged.push(message),
    });
    await visit(monitor, 1, 'http://carrier.test/');
    expect(badges.get(1)?.text).toBe('CT');
    const report = await monitor.getReport(1);
    expect(report?.verdict.status).toBe('flagged');
    expect(report?.notSaved).toBe(true);
    expect(logged.join(' ')).toMatch(/could not be saved/);
    expect(session.data.has('tab:1')).toBe(false);

    // Room again: the next write succeeds and the flag goes.
    await session.remove('filler');
    await visit(monitor, 1, 'http://carrier.test/');
    expect((await monitor.getReport(1))?.notSaved).toBeUndefined();
    expect(session.data.has('tab:1')).toBe(true);
  });

  it('keeps a report within its address budget without changing the verdict', async () => {
    // A huge answer: 199 clean addresses, then one on China Telecom.
    const many = Array.from({ length: 199 }, () => '1.1.1.1').map((ip, i) =>
      i === 0 ? ip : `198.51.100.${i % 250}`,
    );
    const t = setup({ 'big.test': ok('big.test', ...many, '202.96.128.86') });
    await visit(t.monitor, 1, 'http://big.test/');
    const report = (await t.monitor.getReport(1))!;
    expect(t.badges.get(1)?.text).toBe('CT');
    expect(report.verdict.status).toBe('flagged');
    expect(report.doh.state === 'done' && report.doh.addresses.length).toBe(REPORT_MAX_ADDRESSES);
    expect(report.doh.state === 'done' && report.doh.addresses).toContain('202.96.128.86');
    expect(report.omittedAddresses).toBe(200 - REPORT_MAX_ADDRESSES);
    expect(JSON.stringify(t.session.data.get('tab:1')).length).toBeLessThan(30_000);
  });
});

describe('navigations that never commit', () => {
  async function flaggedThenStarted(t: ReturnType<typeof setup>) {
    await visit(t.monitor, 1, 'http://carrier.test/');
    expect(t.badges.get(1)?.text).toBe('CT');
    // A link to a URL answering 204 on another host: it starts and gets a response, never commits.
    await t.monitor.navigationStarted(1, 'http://clean.test/no-content');
    await t.monitor.responseStarted(1, 'http://clean.test/no-content', '1.1.1.1');
    await settle();
  }

  it('keep the shown page’s report and badge (HTTP 204: no commit, maybe no error event)', async () => {
    const t = setup({
      'carrier.test': ok('carrier.test', '202.96.128.86'),
      'clean.test': ok('clean.test', '1.1.1.1'),
    });
    await flaggedThenStarted(t);
    expect(t.badges.get(1)?.text).toBe('CT');
    expect((await t.monitor.getReport(1))?.hostname).toBe('carrier.test');
    // A restarted worker reads the same from the store.
    expect((await t.make().getReport(1))?.hostname).toBe('carrier.test');
  });

  it('drop the pending report on onErrorOccurred (a download, a cancel)', async () => {
    const t = setup({
      'carrier.test': ok('carrier.test', '202.96.128.86'),
      'clean.test': ok('clean.test', '1.1.1.1'),
    });
    await flaggedThenStarted(t);
    await t.monitor.navigationFailed(1, 'http://clean.test/no-content');
    expect((t.session.data.get('tab:1') as { pending?: unknown }).pending).toBeUndefined();
    expect((await t.monitor.getReport(1))?.verdict.status).toBe('flagged');
    expect(t.badges.get(1)?.text).toBe('CT');
  });

  it('the next navigation that commits replaces the shown report', async () => {
    const t = setup({
      'carrier.test': ok('carrier.test', '202.96.128.86'),
      'clean.test': ok('clean.test', '1.1.1.1'),
    });
    await flaggedThenStarted(t);
    await t.monitor.navigationCommitted(1, 'http://clean.test/no-content');
    await settle();
    expect((await t.monitor.getReport(1))?.hostname).toBe('clean.test');
    expect(t.badges.get(1)?.text).toBe('');
    // The browser's address seen before the commit is kept.
    expect((await t.monitor.getReport(1))?.browserAddress).toBe('1.1.1.1');
  });
});

describe('tab monitor memory', () => {
  it('a popup read racing a write never brings back the older stored report', async () => {
    const t = setup({ 'carrier.test': ok('carrier.test', '202.96.128.86') });
    await visit(t.monitor, 1, 'http://carrier.test/');
    // A restarted worker: its first read of tab 1 is held while the tab navigates.
    let releaseRead: () => void = () => {};
    const held = new Promise<void>((r) => (releaseRead = r));
    const get = t.session.get.bind(t.session);
    let holdNext = true;
    t.session.get = (async (key: string | null) => {
      const value = await get(key as string);
      if (holdNext && key === 'tab:1') {
        holdNext = false;
        await held;
      }
      return value;
    }) as typeof t.session.get;
    const restarted = t.make();
    const racingRead = restarted.getReport(1);
    await restarted.navigationCommitted(1, 'http://other.test/'); // done while the read is held
    releaseRead();
    await racingRead;
    expect((await restarted.getReport(1))?.hostname).toBe('other.test');
  });
});

describe('events out of order', () => {
  it('a main-frame response after the commit (Firefox) joins the shown report, with no second lookup', async () => {
    const t = setup(
      { 'late.test': ok('late.test', '1.1.1.1') },
      {
        ...defaultSettings(),
        privacyMode: true,
      },
    );
    await t.monitor.navigationStarted(1, 'http://late.test/');
    await t.monitor.navigationCommitted(1, 'http://late.test/');
    expect(t.badges.get(1)?.title).toMatch(/checking late\.test/);
    await t.monitor.responseStarted(1, 'http://late.test/', '127.0.0.1');
    await settle();
    const report = await t.monitor.getReport(1);
    expect(report?.browserAddress).toBe('127.0.0.1');
    expect(report?.committed).toBe(true);
    expect(t.badges.get(1)?.title).toMatch(/local network/);
    expect(t.resolve).not.toHaveBeenCalled();
  });

  it('with DoH, the late response adds the browser address and sends no second query', async () => {
    const t = setup({ 'late.test': ok('late.test', '202.96.128.86') });
    await t.monitor.navigationStarted(1, 'http://late.test/');
    await t.monitor.navigationCommitted(1, 'http://late.test/');
    await t.monitor.responseStarted(1, 'http://late.test/', '127.0.0.1');
    await settle();
    expect(t.resolve).toHaveBeenCalledTimes(1);
    const report = await t.monitor.getReport(1);
    expect(report?.verdict.addresses.map((a) => a.ip).sort()).toEqual(
      ['127.0.0.1', '202.96.128.86'].sort(),
    );
    expect(t.badges.get(1)?.text).toBe('CT');
  });
});

describe('the badge at page load', () => {
  it('is set again when the page finishes loading, even when unchanged', async () => {
    const t = setup({ 'carrier.test': ok('carrier.test', '202.96.128.86') });
    const calls: string[] = [];
    const monitor = createTabMonitor({
      session: t.session,
      setBadge: async (tabId, badge) => void calls.push(`${tabId}:${badge.text}`),
      table: Promise.resolve(table),
      getSettings: () => defaultSettings(),
      resolve: t.resolve,
      now: () => 1_000,
      log: () => {},
    });
    await visit(monitor, 1, 'http://carrier.test/');
    expect(calls.at(-1)).toBe('1:CT');
    const before = calls.length;
    // The browser wiped the badge behind our back; the load event puts it back.
    await monitor.pageLoaded(1, 'http://carrier.test/');
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)).toBe('1:CT');
    // Not for a page the tab does not show.
    await monitor.pageLoaded(1, 'http://other.test/');
    expect(calls.length).toBe(before + 1);
  });
});

describe('boundAddresses', () => {
  it('keeps an address with no row in the table, so the cut never turns a site clean (issue 23)', () => {
    const cloudflare: LookupResult = {
      kind: 'routed',
      asn: 13335,
      org: 'Cloudflare',
      rangeStart: '',
      rangeEnd: '',
    };
    const rows = {
      lookup: (ip: string): LookupResult => (ip === '6.0.0.1' ? { kind: 'unrouted' } : cloudflare),
    };
    const matcher = compileWatchlist(defaultSettings().watchlist);
    const judge = (dohAddresses: string[]) =>
      buildVerdict({ hostname: 'big.test', dohAddresses }, rows, matcher);
    const answer = [...Array.from({ length: 100 }, (_, i) => `1.0.${i}.1`), '6.0.0.1'];
    expect(judge(answer).status).toBe('unchecked');
    const kept = boundAddresses(answer, judge(answer));
    expect(kept).toHaveLength(REPORT_MAX_ADDRESSES);
    expect(kept).toContain('6.0.0.1');
    expect(judge(kept).status).toBe('unchecked');
  });
});
