import { describe, expect, it, vi } from 'vitest';
import type { ResolveResult } from '../../lib/dns';
import type { LookupResult } from '../../lib/prefix-table';
import { defaultSettings, type Settings } from '../../lib/settings';
import { createTabMonitor, type Badge, type SessionArea } from '../../lib/tab-monitor';
import { setGroupEnabled } from '../../lib/watchlist/edit';

/** storage.session stand-in: a Map behind the same async surface, values deep-copied like the real one. */
function fakeSession(): SessionArea & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: (async (key: string | null) => {
      if (key === null) return Object.fromEntries(data);
      return data.has(key) ? { [key]: structuredClone(data.get(key)) } : {};
    }) as SessionArea['get'],
    async set(items) {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
    async remove(key) {
      data.delete(key);
    },
  };
}

const ROUTES: Record<string, LookupResult> = {
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
  '127.0.0.1': { kind: 'local', scope: 'loopback' },
};
const table = { lookup: (ip: string): LookupResult => ROUTES[ip] ?? { kind: 'unrouted' } };

function ok(hostname: string, ...ips: string[]): ResolveResult {
  return {
    ok: true,
    hostname,
    addresses: ips.map((ip) => ({ ip, type: ip.includes(':') ? 'AAAA' : 'A', ttl: 60 })),
    cnameChain: [],
    fromCache: false,
    retried: false,
  } as ResolveResult;
}

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
