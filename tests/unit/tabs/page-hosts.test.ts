import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeSession, ok, table } from '../support/tab-fakes';
import { loadTable } from '../../../lib/cli/main';
import type { ResolveResult } from '../../../lib/dns';
import { defaultSettings, type Settings } from '../../../lib/settings';
import type { PrefixLookup } from '../../../lib/verdict';
import {
  createPageHosts,
  MAX_ALIASES_PER_HOST,
  MAX_HOSTS_PER_TAB,
  MAX_LOOKUPS_IN_FLIGHT,
  MAX_OVER_LIMIT_WATCHED,
  MAX_LOOKUPS_BEYOND_LIMIT,
  LOOKUP_HOLD_MS,
  PAGE_HOSTS_BUDGET_BYTES,
  WRITE_DELAY_MS,
  type PageHostsDeps,
  type PageHostsRecord,
} from '../../../lib/tabs/page-hosts';

const NXDOMAIN = (hostname: string): ResolveResult =>
  ({
    ok: false,
    hostname,
    error: { kind: 'nxdomain', message: `${hostname} does not exist` },
  }) as ResolveResult;

/** A resolver whose answers the test releases by hand, counting calls and concurrency. */
function gatedResolver(answer: (hostname: string) => ResolveResult) {
  const gates: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const calls: string[] = [];
  const resolve = vi.fn(async (hostname: string) => {
    calls.push(hostname);
    active += 1;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((release) => gates.push(release));
    active -= 1;
    return answer(hostname);
  });
  return {
    resolve,
    calls,
    maxActive: () => maxActive,
    waiting: () => gates.length,
    releaseAll: () => gates.splice(0).forEach((release) => release()),
    releaseOne: () => gates.shift()?.(),
  };
}

function setup(
  resolve: PageHostsDeps['resolve'] = async (hostname) =>
    hostname.startsWith('ct') ? ok(hostname, '202.96.128.86') : ok(hostname, '1.1.1.1'),
  options: { settings?: Settings; session?: ReturnType<typeof fakeSession> } = {},
) {
  const session = options.session ?? fakeSession();
  const state = { settings: options.settings ?? defaultSettings() };
  const changes: number[] = [];
  const resolved: string[] = [];
  const make = (extra: Partial<PageHostsDeps> = {}) =>
    createPageHosts({
      session,
      table: Promise.resolve(table),
      getSettings: () => state.settings,
      resolve: (hostname, settings) => {
        resolved.push(hostname);
        return resolve(hostname, settings);
      },
      pageOf: async () => null,
      onChange: (tabId) => void changes.push(tabId),
      now: () => 1_000,
      log: () => {},
      writeDelayMs: 0,
      lookupHoldMs: 0,
      ...extra,
    });
  return { session, state, changes, resolved, hosts: make(), make };
}

const names = (view: { hosts: { hostname: string }[] } | null) =>
  view?.hosts.map((h) => h.hostname);

describe('page hosts', () => {
  it('lists the hosts of the current page (not the site itself), judged like the site', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://site.test/app.js', '127.0.0.1');
    await t.hosts.requestSeen(1, 'https://cdn.test/lib.js', '1.1.1.1');
    await t.hosts.requestSeen(1, 'https://ct-ads.test/pixel.gif', '127.0.0.1');
    await t.hosts.requestSeen(1, 'wss://ct-ads.test/socket', undefined);
    await t.hosts.idle();
    const view = await t.hosts.getPageHosts(1);
    expect(view).toMatchObject({ siteHostname: 'site.test', flagged: 1, checking: 0 });
    // Flagged first, then the rest in order of first request.
    expect(names(view)).toEqual(['ct-ads.test', 'cdn.test']);
    const [ads, cdn] = view!.hosts;
    expect(ads).toMatchObject({ requests: 2, verdict: { status: 'flagged' } });
    expect(ads!.verdict.groups.map((g) => g.code)).toEqual(['CT']);
    // The browser's address is the second witness beside the DoH answer.
    expect(ads!.verdict.addresses.map((a) => [a.ip, a.origins])).toEqual([
      ['202.96.128.86', ['doh']],
      ['127.0.0.1', ['browser']],
    ]);
    // A public connected address with a row in the table is where the data went: it judges the
    // host alone, and no resolver is told of it (issue 22). A loopback one is no witness (above).
    expect(cdn!.verdict.addresses).toEqual([
      expect.objectContaining({ ip: '1.1.1.1', origins: ['browser'] }),
    ]);
    expect(cdn!.verdict.status).toBe('clean');
    expect(t.resolved).not.toContain('cdn.test');
    expect(t.resolved).toContain('ct-ads.test');
  });

  it('asks DoH only where the connected address says nothing: none, local, no row, a proxy (issue 22)', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://ct-direct.test/x', '202.96.128.86');
    await t.hosts.requestSeen(1, 'https://v6.test/x', '2606:4700:4700::1111');
    await t.hosts.requestSeen(1, 'https://cached.test/x', undefined);
    await t.hosts.requestSeen(1, 'https://override.test/x', '127.0.0.1');
    await t.hosts.requestSeen(1, 'https://no-row.test/x', '6.0.0.1');
    await t.hosts.requestSeen(1, 'https://proxied.test/x', '1.1.1.1', undefined, undefined, true);
    await t.hosts.idle();
    expect(t.resolved.sort()).toEqual([
      'cached.test',
      'no-row.test',
      'override.test',
      'proxied.test',
    ]);
    const view = (await t.hosts.getPageHosts(1))!;
    // The carrier host flags on its connection alone, and nothing is left "checking".
    expect(view).toMatchObject({ flagged: 1, checking: 0 });
    expect(view.hosts[0]).toMatchObject({
      hostname: 'ct-direct.test',
      verdict: { status: 'flagged' },
    });
    // A new resolver asks again only for the hosts that needed asking.
    t.resolved.length = 0;
    t.state.settings = {
      ...defaultSettings(),
      resolver: { kind: 'custom', url: 'https://dns.test/q' },
    } as Settings;
    await t.hosts.settingsChanged();
    await t.hosts.idle();
    expect(t.resolved.sort()).toEqual([
      'cached.test',
      'no-row.test',
      'override.test',
      'proxied.test',
    ]);
  });

  it("holds a page's lookups until its load event, at most LOOKUP_HOLD_MS (issue 22)", async () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      const hosts = t.make({ lookupHoldMs: LOOKUP_HOLD_MS });
      await hosts.navigationCommitted(1, 'https://site.test/');
      await hosts.requestSeen(1, 'https://a.test/x', undefined);
      await vi.advanceTimersByTimeAsync(LOOKUP_HOLD_MS - 1);
      expect(t.resolved).toEqual([]);
      hosts.pageLoaded(1);
      await vi.advanceTimersByTimeAsync(0);
      expect(t.resolved).toEqual(['a.test']);
      // A page that never fires its load event: looked up once the hold ends.
      await hosts.navigationCommitted(1, 'https://site.test/next');
      await hosts.requestSeen(1, 'https://b.test/x', undefined);
      await vi.advanceTimersByTimeAsync(LOOKUP_HOLD_MS - 1);
      expect(t.resolved).toEqual(['a.test']);
      await vi.advanceTimersByTimeAsync(1);
      expect(t.resolved).toEqual(['a.test', 'b.test']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes a loading page once its changes pause, and about once a second while they keep coming (issue 22)', async () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      let writes = 0;
      const set = t.session.set.bind(t.session);
      t.session.set = async (items) => {
        writes += 1;
        await set(items);
      };
      const hosts = t.make({ writeDelayMs: WRITE_DELAY_MS });
      await hosts.navigationCommitted(1, 'https://site.test/');
      // 200 hosts, one every 10 ms: two seconds of changes.
      for (let i = 0; i < 200; i++) {
        await hosts.requestSeen(1, `https://h${i}.test/x`, '1.1.1.1');
        await vi.advanceTimersByTimeAsync(10);
      }
      const duringLoad = writes;
      expect(duringLoad).toBeGreaterThanOrEqual(1);
      expect(duringLoad).toBeLessThanOrEqual(3);
      await vi.advanceTimersByTimeAsync(WRITE_DELAY_MS * 8);
      expect(writes).toBeLessThanOrEqual(duringLoad + 1);
      const stored = t.session.data.get('hosts:1') as PageHostsRecord;
      expect(stored.hosts).toHaveLength(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts a new list when the tab commits a new page; a late answer for the old page is dropped', async () => {
    const gate = gatedResolver((h) => ok(h, '202.96.128.86'));
    const t = setup(gate.resolve);
    await t.hosts.navigationCommitted(1, 'https://one.test/');
    await t.hosts.requestSeen(1, 'https://ct-old.test/x.js', undefined);
    await t.hosts.navigationCommitted(1, 'https://two.test/');
    await t.hosts.requestSeen(1, 'https://ct-new.test/y.js', undefined);
    gate.releaseAll();
    await t.hosts.idle();
    const view = await t.hosts.getPageHosts(1);
    expect(view?.siteHostname).toBe('two.test');
    expect(names(view)).toEqual(['ct-new.test']);
    const stored = t.session.data.get('hosts:1') as { hosts: { hostname: string }[] };
    expect(stored.hosts.map((h) => h.hostname)).toEqual(['ct-new.test']);
  });

  it("keeps the new page's hosts reported before its commit, not the old page's", async () => {
    const t = setup();
    // A fresh tab: the first page's script answers before the commit is reported.
    await t.hosts.mainFrameResponseStarted(1);
    await t.hosts.requestSeen(1, 'https://one.test/own.js', undefined);
    await t.hosts.requestSeen(1, 'https://early.test/x.js', undefined);
    await t.hosts.navigationCommitted(1, 'https://one.test/');
    expect(names(await t.hosts.getPageHosts(1))).toEqual(['early.test']);
    // Next page: the old page's hosts go, the ones requested since the main-frame response stay.
    await t.hosts.requestSeen(1, 'https://old-only.test/x.js', undefined);
    await t.hosts.requestSeen(1, 'https://shared.test/x.js', undefined);
    await t.hosts.mainFrameResponseStarted(1);
    await t.hosts.requestSeen(1, 'https://shared.test/y.js', undefined);
    await t.hosts.requestSeen(1, 'https://two.test/own.js', undefined);
    await t.hosts.navigationCommitted(1, 'https://two.test/');
    await t.hosts.idle();
    const view = await t.hosts.getPageHosts(1);
    expect(view?.siteHostname).toBe('two.test');
    expect(names(view)).toEqual(['shared.test']);
    expect(view?.hosts[0]?.checking).toBe(false);
  });

  it("keeps a page's first hosts when its commit and scripts reach the worker before its main-frame response", async () => {
    const t = setup();
    // Page one, in order, with the browser's event times.
    await t.hosts.navigationStarted(1, 1000);
    await t.hosts.mainFrameResponseStarted(1, 1010);
    await t.hosts.navigationCommitted(1, 'https://one.test/', 1020);
    await t.hosts.requestSeen(1, 'https://old.test/x.js', undefined, 1100);
    // Page two: started at 2000, response at 2010, commit at 2020, first scripts at 2030…; the
    // worker sees the scripts and the commit first, the main-frame response last.
    await t.hosts.navigationStarted(1, 2000);
    await t.hosts.requestSeen(1, 'https://old-late.test/beacon', undefined, 2005);
    await t.hosts.requestSeen(1, 'https://h1.test/a.js', undefined, 2030);
    await t.hosts.requestSeen(1, 'https://h2.test/a.js', undefined, 2031);
    await t.hosts.navigationCommitted(1, 'https://two.test/', 2020);
    await t.hosts.requestSeen(1, 'https://h3.test/a.js', undefined, 2040);
    // Until the response is seen, the list holds what came after the navigation started.
    expect([...(names(await t.hosts.getPageHosts(1)) ?? [])].sort()).toEqual([
      'h1.test',
      'h2.test',
      'h3.test',
      'old-late.test',
    ]);
    await t.hosts.mainFrameResponseStarted(1, 2010);
    // The old page's late beacon is gone, the new page's first scripts stay.
    expect([...(names(await t.hosts.getPageHosts(1)) ?? [])].sort()).toEqual([
      'h1.test',
      'h2.test',
      'h3.test',
    ]);
    // An old page's request reported even later is not the new page's.
    await t.hosts.requestSeen(1, 'https://old-later.test/x', undefined, 2008);
    await t.hosts.idle();
    const view = await t.hosts.getPageHosts(1);
    expect(view?.siteHostname).toBe('two.test');
    expect([...(names(view) ?? [])].sort()).toEqual(['h1.test', 'h2.test', 'h3.test']);
  });

  it("by event times, the response seen before the commit drops the old page's hosts at the commit", async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://one.test/', 1000);
    await t.hosts.requestSeen(1, 'https://old.test/x.js', undefined, 1100);
    await t.hosts.navigationStarted(1, 2000);
    await t.hosts.mainFrameResponseStarted(1, 2010);
    await t.hosts.requestSeen(1, 'https://new.test/x.js', undefined, 2030);
    await t.hosts.navigationCommitted(1, 'https://two.test/', 2020);
    await t.hosts.idle();
    expect(names(await t.hosts.getPageHosts(1))).toEqual(['new.test']);
  });

  it("by documents: the old page's favicon, started after the next page's response, is not the next page's", async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://flagged.test/', 1000, 'DOC-A');
    await t.hosts.requestSeen(1, 'https://cdn.test/x.js', undefined, 1100, 'DOC-A');
    await t.hosts.navigationStarted(1, 2000);
    await t.hosts.mainFrameResponseStarted(1, 2010);
    // Chromium fetches the old page's favicon from the old document, after the new response began:
    // once reported before the commit, once after it.
    await t.hosts.requestSeen(1, 'https://ct-old.test/favicon.ico', undefined, 2015, 'DOC-A');
    await t.hosts.requestSeen(1, 'https://new.test/a.js', undefined, 2030, 'DOC-B');
    await t.hosts.navigationCommitted(1, 'https://two.test/', 2020, 'DOC-B');
    await t.hosts.requestSeen(1, 'https://ct-old2.test/favicon.ico', undefined, 2040, 'DOC-A');
    // A subframe's request names no top-level document: judged by time, as before.
    await t.hosts.requestSeen(1, 'https://frame.test/f.js', undefined, 2050);
    await t.hosts.idle();
    const view = await t.hosts.getPageHosts(1);
    expect(view?.siteHostname).toBe('two.test');
    expect(names(view)).toEqual(['new.test', 'frame.test']);
    expect(view?.flagged).toBe(0);
  });

  it("by documents: the page's own request is kept even when dated before its response (and a shared host stays)", async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://one.test/', 1000, 'DOC-A');
    await t.hosts.requestSeen(1, 'https://shared.test/x.js', undefined, 1100, 'DOC-A');
    await t.hosts.navigationStarted(1, 2000);
    await t.hosts.requestSeen(1, 'https://shared.test/y.js', undefined, 2030, 'DOC-B');
    await t.hosts.navigationCommitted(1, 'https://two.test/', 2020, 'DOC-B');
    await t.hosts.mainFrameResponseStarted(1, 2010);
    // Held until its document committed: its start may be dated however the browser dated it.
    await t.hosts.requestSeen(1, 'https://first.test/a.js', undefined, 2005, 'DOC-B');
    await t.hosts.idle();
    expect(names(await t.hosts.getPageHosts(1))).toEqual(['shared.test', 'first.test']);
    // Back to the first page (its document restored from the back-forward cache): its requests count again.
    await t.hosts.navigationCommitted(1, 'https://one.test/', 3000, 'DOC-A');
    await t.hosts.requestSeen(1, 'https://again.test/x.js', undefined, 3010, 'DOC-A');
    await t.hosts.requestSeen(1, 'https://late-two.test/x.js', undefined, 3020, 'DOC-B');
    await t.hosts.idle();
    expect(names(await t.hosts.getPageHosts(1))).toEqual(['again.test']);
  });

  it('a navigation that never commits (a download) leaves the list alone', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://one.test/');
    await t.hosts.requestSeen(1, 'https://cdn.test/x.js', undefined);
    await t.hosts.mainFrameResponseStarted(1);
    await t.hosts.requestSeen(1, 'https://late.test/x.js', undefined);
    await t.hosts.idle();
    expect(names(await t.hosts.getPageHosts(1))).toEqual(['cdn.test', 'late.test']);
  });

  it('looks a host up once however many requests (50 at once) and tabs want it', async () => {
    const gate = gatedResolver((h) => ok(h, '1.1.1.1'));
    const t = setup(gate.resolve);
    await t.hosts.navigationCommitted(1, 'https://one.test/');
    await t.hosts.navigationCommitted(2, 'https://two.test/');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.hosts.requestSeen(1 + (i % 2), `https://shared.test/r${i}.js`, undefined),
      ),
    );
    await vi.waitFor(() => expect(gate.waiting()).toBe(1));
    gate.releaseAll();
    await t.hosts.idle();
    expect(gate.calls).toEqual(['shared.test']);
    const one = await t.hosts.getPageHosts(1);
    const two = await t.hosts.getPageHosts(2);
    expect(one?.hosts[0]).toMatchObject({ requests: 25, checking: false });
    expect(two?.hosts[0]).toMatchObject({ requests: 25, checking: false });
  });

  it('keeps at most 6 lookups in flight and queues the rest', async () => {
    const gate = gatedResolver((h) => ok(h, '1.1.1.1'));
    const t = setup(gate.resolve);
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < 20; i++) await t.hosts.requestSeen(1, `https://h${i}.test/`, undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(6));
    expect((await t.hosts.getPageHosts(1))?.checking).toBe(20);
    while (gate.calls.length < 20 || gate.waiting() > 0) {
      gate.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    await t.hosts.idle();
    expect(gate.maxActive()).toBe(6);
    expect(new Set(gate.calls).size).toBe(20);
    expect((await t.hosts.getPageHosts(1))?.checking).toBe(0);
  });

  it(`keeps ${MAX_HOSTS_PER_TAB} hosts, counts the rest once each, and stays within the byte budget`, async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < MAX_HOSTS_PER_TAB + 30; i++) {
      await t.hosts.requestSeen(1, `https://host-${i}.cdn.example-cdn.test/a.js`, '1.1.1.1');
    }
    // The same overflow hosts again: counted once.
    for (let i = MAX_HOSTS_PER_TAB; i < MAX_HOSTS_PER_TAB + 30; i++) {
      await t.hosts.requestSeen(1, `https://host-${i}.cdn.example-cdn.test/b.js`, '1.1.1.1');
    }
    await t.hosts.idle();
    const view = await t.hosts.getPageHosts(1);
    expect(view?.hosts).toHaveLength(MAX_HOSTS_PER_TAB);
    expect(view?.overflowHosts).toBe(30);
    expect((await t.hosts.summary(1))?.total).toBe(MAX_HOSTS_PER_TAB + 30);
    expect(JSON.stringify(t.session.data.get('hosts:1')).length).toBeLessThan(
      PAGE_HOSTS_BUDGET_BYTES,
    );
  });

  it('stops keeping hosts before their answers could overrun the byte budget', async () => {
    // Long names and 40 long addresses per host (16 kept): far more than 500 such hosts would fit.
    const many = Array.from({ length: 40 }, (_, i) => `2001:db8:1234:5678:9abc:def0:${i}:1`);
    const t = setup(async (h) => ok(h, ...many));
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    const label = 'x'.repeat(60);
    for (let i = 0; i < MAX_HOSTS_PER_TAB; i++) {
      // Not waiting for answers: the hosts still being looked up must hold room for theirs.
      await t.hosts.requestSeen(
        1,
        `https://${label}.${label}.${label}.${label}.h${i}.test/`,
        undefined,
      );
    }
    await t.hosts.idle();
    const stored = JSON.stringify(t.session.data.get('hosts:1'));
    expect(stored.length).toBeLessThan(PAGE_HOSTS_BUDGET_BYTES);
    const view = await t.hosts.getPageHosts(1);
    expect(view!.hosts.length).toBeLessThan(MAX_HOSTS_PER_TAB);
    expect(view!.hosts.length + view!.overflowHosts).toBe(MAX_HOSTS_PER_TAB);
    expect(view!.hosts[0]).toMatchObject({ omittedAddresses: 24 });
  });

  it('keeps the flagged addresses of a host with more addresses than it stores', async () => {
    const clean = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const t = setup(async (h) => ok(h, ...clean, '202.96.128.86'));
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://big.test/', undefined);
    await t.hosts.idle();
    const [big] = (await t.hosts.getPageHosts(1))!.hosts;
    expect(big?.verdict.status).toBe('flagged');
    expect(big?.omittedAddresses).toBe(25);
  });

  it('forgets a closed tab, and a late request of it does not bring it back', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(7, 'https://site.test/');
    await t.hosts.requestSeen(7, 'https://cdn.test/a.js', undefined);
    await t.hosts.idle();
    expect(t.session.data.has('hosts:7')).toBe(true);
    await t.hosts.tabRemoved(7);
    await t.hosts.requestSeen(7, 'https://cdn.test/aborted.js', undefined);
    await t.hosts.idle();
    expect(t.session.data.has('hosts:7')).toBe(false);
    expect(await t.hosts.getPageHosts(7)).toBeNull();
  });

  it('a restarted worker keeps every judged host and redoes the lookups that were in flight', async () => {
    const gate = gatedResolver((h) => ok(h, '202.96.128.86'));
    const t = setup(async (h) => (h === 'judged.test' ? ok(h, '1.1.1.1') : gate.resolve(h)));
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://judged.test/', undefined);
    await vi.waitFor(async () =>
      expect((await t.hosts.getPageHosts(1))?.hosts[0]?.checking).toBe(false),
    );
    await t.hosts.requestSeen(1, 'https://ct-pending.test/', undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(1));
    await vi.waitFor(() =>
      expect(JSON.stringify(t.session.data.get('hosts:1'))).toContain('ct-pending.test'),
    );
    // The old worker dies here with its lookup in flight; a new one starts on the same storage.
    const answered = vi.fn(async (h: string) => ok(h, '202.96.128.86'));
    const restarted = t.make({ resolve: answered });
    await restarted.resumePending();
    await restarted.idle();
    expect(answered.mock.calls.map((c) => c[0])).toEqual(['ct-pending.test']);
    const view = await restarted.getPageHosts(1);
    expect(names(view)).toEqual(['ct-pending.test', 'judged.test']);
    expect(view?.hosts.map((h) => h.verdict.status)).toEqual(['flagged', 'clean']);
  });

  it('sends no query in privacy mode or for private names, and judges by the browser address', async () => {
    const resolve = vi.fn(async (h: string) => ok(h, '1.1.1.1'));
    const settings = { ...defaultSettings(), privacyMode: true };
    const t = setup(resolve, { settings });
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://ct.test/', '202.96.128.86');
    await t.hosts.requestSeen(1, 'https://gone.test/', undefined);
    t.state.settings = defaultSettings();
    await t.hosts.navigationCommitted(2, 'https://site.test/');
    await t.hosts.requestSeen(2, 'http://printer.local/status', '127.0.0.1');
    await t.hosts.requestSeen(2, 'http://[2606:4700:4700::1111]/x', undefined);
    await t.hosts.idle();
    expect(resolve).not.toHaveBeenCalled();
    const one = await t.hosts.getPageHosts(1);
    expect(one?.hosts.map((h) => [h.hostname, h.verdict.status])).toEqual([
      ['ct.test', 'flagged'],
      ['gone.test', 'unchecked'],
    ]);
    const two = await t.hosts.getPageHosts(2);
    expect(two?.hosts.map((h) => [h.hostname, h.verdict.status])).toEqual([
      ['printer.local', 'local'],
      ['[2606:4700:4700::1111]', 'clean'],
    ]);
  });

  it('a host whose name does not resolve reads unchecked, never clean', async () => {
    const t = setup(async (h) => NXDOMAIN(h));
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://missing.test/x.js', '127.0.0.1');
    await t.hosts.idle();
    const [missing] = (await t.hosts.getPageHosts(1))!.hosts;
    expect(missing?.verdict.status).toBe('unchecked');
    expect(missing?.verdict.problem).toMatch(/does not exist/);
  });

  it('attributes requests to the committed page when it was installed mid-page', async () => {
    const t = setup();
    const hosts = t.make({ pageOf: async () => ({ url: 'https://site.test/page' }) });
    await hosts.requestSeen(3, 'https://site.test/own.js', undefined);
    await hosts.requestSeen(3, 'https://ct.test/x.js', undefined);
    await hosts.idle();
    expect(names(await hosts.getPageHosts(3))).toEqual(['ct.test']);
  });

  it('applies a new watchlist at once without looking up again, even with lookups in flight', async () => {
    const gate = gatedResolver((h) => ok(h, '202.96.128.86'));
    const t = setup(gate.resolve);
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://ct.test/', undefined);
    await t.hosts.requestSeen(1, 'https://ct2.test/', undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(2));
    gate.releaseOne();
    await vi.waitFor(async () => expect((await t.hosts.summary(1))?.checking).toBe(1));
    // China Telecom switched off while ct2.test is still being looked up.
    const settings = defaultSettings();
    settings.watchlist.groups = settings.watchlist.groups.map((g) =>
      g.code === 'CT' ? { ...g, enabled: false } : g,
    );
    t.state.settings = settings;
    await t.hosts.settingsChanged();
    expect((await t.hosts.summary(1))?.flagged).toEqual([]);
    gate.releaseAll();
    await t.hosts.idle();
    expect(gate.calls).toEqual(['ct.test', 'ct2.test']);
    const view = await t.hosts.getPageHosts(1);
    expect(view?.checking).toBe(0);
    expect(view?.hosts.map((h) => h.verdict.status)).toEqual(['clean', 'clean']);
  });

  it('tells the badge when a host is judged, and applies a new watchlist and privacy mode', async () => {
    const resolve = vi.fn(async (h: string) => ok(h, '202.96.128.86'));
    const t = setup(resolve);
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    await t.hosts.requestSeen(1, 'https://ct.test/', undefined);
    await t.hosts.idle();
    expect(t.changes.length).toBeGreaterThanOrEqual(2);
    expect((await t.hosts.summary(1))?.flagged).toEqual([
      {
        hostname: 'ct.test',
        groups: [{ id: 'china-telecom', name: 'China Telecom', code: 'CT' }],
        // The history records the watched networks a flagged host's data went to.
        networks: [{ asn: 4134, org: 'Chinanet' }],
      },
    ]);
    t.state.settings = { ...defaultSettings(), privacyMode: true };
    await t.hosts.settingsChanged();
    await t.hosts.idle();
    expect(resolve).toHaveBeenCalledTimes(1);
    // Privacy mode: the DoH answer is dropped; with no browser address the host is unchecked.
    expect((await t.hosts.getPageHosts(1))?.hosts[0]?.verdict.status).toBe('unchecked');
    t.state.settings = defaultSettings();
    await t.hosts.settingsChanged();
    await t.hosts.idle();
    expect(resolve).toHaveBeenCalledTimes(2);
    expect((await t.hosts.summary(1))?.flagged).toHaveLength(1);
  });
});

/**
 * Issue 23 §3: pages that flood the host list, the lookup queue or the byte budget. The carrier
 * cases run on the shipped prefix table: 202.96.128.86 is Chinanet (AS4134, China Telecom), 1.1.1.1
 * Cloudflare.
 */
describe('page hosts under a flood (issue 23 §3)', () => {
  let shipped: PrefixLookup;
  beforeAll(async () => {
    const loaded = await loadTable(join(resolve(__dirname, '../../..'), 'public/prefix-table.bin'));
    if (!loaded.ok) throw new Error(`public/prefix-table.bin: ${loaded.reason}`);
    shipped = loaded.table;
  });
  const CHINA_TELECOM = '202.96.128.86';

  /** A session store that also remembers the longest record it was ever given (JSON length). */
  function measuredSession() {
    const session = fakeSession();
    let peak = 0;
    const set = session.set.bind(session);
    session.set = async (items) => {
      for (const value of Object.values(items)) peak = Math.max(peak, JSON.stringify(value).length);
      await set(items);
    };
    return Object.assign(session, { peak: () => peak });
  }

  /** A long name: four 60-character labels and a tag, ~255 characters. */
  const longName = (tag: string) =>
    `${['a', 'b', 'c', 'd'].map((c) => c.repeat(60)).join('.')}.${tag}.test`;
  /** 16 hops of long CNAMEs and 16 long IPv6 addresses: the worst answer the DoH client passes. */
  const chained = (hostname: string): ResolveResult =>
    ({
      ...ok(
        hostname,
        ...Array.from({ length: 16 }, (_, i) => `2001:db8:1234:5678:9abc:def0:1234:${i + 1}`),
      ),
      cnameChain: Array.from({ length: 16 }, (_, hop) => longName(`${hostname.length}-${hop}`)),
    }) as ResolveResult;

  for (const answers of ['as each host is requested', 'only after all 500 are requested']) {
    it(`500 long hosts with 16-hop alias chains stay within the byte budget (answers ${answers})`, async () => {
      const gate = gatedResolver(chained);
      const atOnce = answers.startsWith('as each');
      const session = measuredSession();
      const t = setup(atOnce ? async (h) => chained(h) : gate.resolve, { session });
      await t.hosts.navigationCommitted(1, 'https://site.test/');
      for (let i = 0; i < MAX_HOSTS_PER_TAB; i++) {
        // A loopback connection (a local proxy) is no witness: every host is looked up.
        await t.hosts.requestSeen(1, `https://${longName(`h${i}`)}/a.js`, '127.0.0.1');
        if (atOnce) await t.hosts.idle();
      }
      while (!atOnce && (gate.waiting() > 0 || gate.calls.length === 0)) {
        gate.releaseAll();
        await new Promise((r) => setTimeout(r, 1));
      }
      await t.hosts.idle();
      const written = JSON.stringify(session.data.get('hosts:1')).length;
      expect(written).toBeLessThanOrEqual(PAGE_HOSTS_BUDGET_BYTES);
      expect(session.peak()).toBeLessThanOrEqual(PAGE_HOSTS_BUDGET_BYTES);
      const stored = session.data.get('hosts:1') as PageHostsRecord;
      const answered = stored.hosts.filter((h) => h.doh.state === 'done');
      // The budget is spent on hosts, not left empty: well over a hundred of these are kept.
      expect(answered.length).toBeGreaterThan(150);
      for (const host of answered) {
        if (host.doh.state !== 'done') continue;
        expect(host.doh.cnameChain.length).toBeLessThanOrEqual(MAX_ALIASES_PER_HOST);
        expect(host.doh.cnameChain.length + (host.omittedAliases ?? 0)).toBe(16);
      }
      const view = await t.hosts.getPageHosts(1);
      expect(view!.hosts.length + view!.overflowHosts).toBe(MAX_HOSTS_PER_TAB);
      expect(view!.checking).toBe(0);
    });
  }

  it('hosts already kept can still grow (their address, more documents) and watched ones arrive, within the budget', async () => {
    const doc = (n: number) => `${n}`.padStart(32, 'f');
    const session = measuredSession();
    const t = setup(async (h) => chained(h), { session });
    await t.hosts.navigationCommitted(1, 'https://site.test/', 1, doc(0));
    for (let i = 0; i < MAX_HOSTS_PER_TAB; i++) {
      await t.hosts.requestSeen(1, `https://${longName(`h${i}`)}/a.js`, undefined, 2, doc(0));
      await t.hosts.idle();
    }
    // Watched hosts beyond the limit (the fake table's China Telecom address).
    for (let i = 0; i < MAX_OVER_LIMIT_WATCHED; i++) {
      await t.hosts.requestSeen(1, `https://${longName(`ct${i}`)}/p`, '202.96.128.86', 3, doc(0));
    }
    // Every kept host now gets the browser's address and two more documents.
    for (let i = 0; i < MAX_HOSTS_PER_TAB + MAX_OVER_LIMIT_WATCHED; i++) {
      const name = i < MAX_HOSTS_PER_TAB ? `h${i}` : `ct${i - MAX_HOSTS_PER_TAB}`;
      for (const d of [1, 2]) {
        await t.hosts.requestSeen(
          1,
          `https://${longName(name)}/b.js`,
          '2001:db8:1234:5678:9abc:def0:1234:5678',
          4,
          doc(d),
        );
      }
    }
    await t.hosts.idle();
    const view = (await t.hosts.getPageHosts(1))!;
    expect(view.overLimitWatched).toBe(MAX_OVER_LIMIT_WATCHED);
    expect(session.peak()).toBeLessThanOrEqual(PAGE_HOSTS_BUDGET_BYTES);
  });

  it('a China Telecom host after 500 fillers is kept and flagged by its connected address', async () => {
    // Fillers: names that resolve, and .invalid names that fail at once.
    const resolveFake = vi.fn(async (h: string) =>
      h.endsWith('.invalid') ? NXDOMAIN(h) : ok(h, '1.1.1.1'),
    );
    const t = setup(resolveFake);
    const hosts = t.make({ table: Promise.resolve(shipped) });
    await hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < MAX_HOSTS_PER_TAB; i++) {
      const filler = i % 2 === 0 ? `https://f${i}.filler.test/x` : `https://f${i}.filler.invalid/x`;
      // Loopback (a local proxy): no witness, so every filler that may be is looked up.
      await hosts.requestSeen(1, filler, i % 2 === 0 ? '127.0.0.1' : undefined);
    }
    // Over the limit: a clean host is only counted; a carrier host first seen without an address
    // (a failed request) is looked up (this resolver says 1.1.1.1) and counted, until a request
    // of it connects to China Telecom.
    await hosts.requestSeen(1, 'https://clean-late.test/x', '1.1.1.1');
    await hosts.requestSeen(1, 'https://ct-late.test/pixel', undefined);
    expect((await hosts.getPageHosts(1))?.overflowHosts).toBe(2);
    await hosts.requestSeen(1, 'https://ct-late.test/pixel', CHINA_TELECOM);
    await hosts.requestSeen(1, 'https://ct-third.test/beacon', CHINA_TELECOM);
    await hosts.idle();
    // The .invalid fillers are never sent (RFC 6761 names); the others are looked up once each,
    // and so is the late host whose first request showed no connection.
    const lookedUp = () => resolveFake.mock.calls.map((c) => c[0]);
    expect(resolveFake).toHaveBeenCalledTimes(MAX_HOSTS_PER_TAB / 2 + 1);
    expect(lookedUp().filter((h) => h === 'ct-late.test')).toHaveLength(1);
    expect(lookedUp()).not.toContain('clean-late.test');
    expect(lookedUp()).not.toContain('ct-third.test');
    const view = (await hosts.getPageHosts(1))!;
    expect(view).toMatchObject({ flagged: 2, overflowHosts: 1, overLimitWatched: 2, checking: 0 });
    expect(view.hosts).toHaveLength(MAX_HOSTS_PER_TAB + 2);
    const [late, third] = view.hosts;
    expect(late).toMatchObject({ hostname: 'ct-late.test', notLookedUp: 'over-limit' });
    expect(late!.verdict.status).toBe('flagged');
    expect(late!.verdict.groups.map((g) => g.code)).toEqual(['CT']);
    expect(late!.verdict.addresses.map((a) => [a.ip, a.origins])).toEqual([
      [CHINA_TELECOM, ['browser']],
    ]);
    expect(third?.hostname).toBe('ct-third.test');
    const summary = await hosts.summary(1);
    expect(summary?.flagged.map((f) => f.hostname)).toEqual(['ct-late.test', 'ct-third.test']);
    expect(summary?.total).toBe(MAX_HOSTS_PER_TAB + 3);
    // A new watchlist or resolver does not lift the limit: not looked up again.
    t.state.settings = {
      ...defaultSettings(),
      resolver: { kind: 'custom', url: 'https://dns.test/q' },
    } as Settings;
    await hosts.settingsChanged();
    await hosts.idle();
    expect(lookedUp().filter((h) => h === 'ct-late.test')).toHaveLength(1);
    expect((await hosts.getPageHosts(1))?.overLimitWatched).toBe(2);
  });

  it('beyond the limit, a host whose connection says nothing (none, or a local proxy) is looked up: kept if it flags', async () => {
    const resolveFake = vi.fn(async (h: string) =>
      ok(h, h.startsWith('ct') ? CHINA_TELECOM : '1.1.1.1'),
    );
    const t = setup(resolveFake);
    const hosts = t.make({ table: Promise.resolve(shipped), maxHostsPerTab: 5 });
    await hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < 5; i++) await hosts.requestSeen(1, `https://f${i}.test/`, '1.1.1.1');
    await hosts.idle();
    resolveFake.mockClear();
    // Behind a local proxy (loopback), and from the cache (no address); twice each: one lookup.
    for (const ip of ['127.0.0.1', '127.0.0.1', undefined]) {
      await hosts.requestSeen(1, 'https://ct-proxied.test/x.js', ip);
      await hosts.requestSeen(1, 'https://ct-cached.test/x.js', undefined);
      await hosts.requestSeen(1, 'https://clean-proxied.test/x.js', ip);
    }
    // A clean connection tells: no lookup.
    await hosts.requestSeen(1, 'https://ct-behind-clean.test/x.js', '1.1.1.1');
    await hosts.idle();
    expect(resolveFake.mock.calls.map((c) => c[0]).sort()).toEqual([
      'clean-proxied.test',
      'ct-cached.test',
      'ct-proxied.test',
    ]);
    const view = (await hosts.getPageHosts(1))!;
    expect(view.hosts.filter((h) => h.verdict.status === 'flagged').map((h) => h.hostname)).toEqual(
      ['ct-proxied.test', 'ct-cached.test'],
    );
    expect(view.overflowHosts).toBe(2);
    expect((await hosts.summary(1))?.flagged.map((f) => f.hostname)).toEqual([
      'ct-proxied.test',
      'ct-cached.test',
    ]);

    // Bounded: at most MAX_LOOKUPS_BEYOND_LIMIT such lookups per page, the rest only counted.
    for (let i = 0; i < MAX_LOOKUPS_BEYOND_LIMIT + 20; i++) {
      await hosts.requestSeen(1, `https://x${i}.test/`, undefined);
    }
    await hosts.idle();
    expect(resolveFake).toHaveBeenCalledTimes(MAX_LOOKUPS_BEYOND_LIMIT);
    // A new page starts its own count; the old page's answers are not stored in it.
    await hosts.navigationCommitted(1, 'https://site.test/next');
    for (let i = 0; i < 5; i++) await hosts.requestSeen(1, `https://g${i}.test/`, '1.1.1.1');
    await hosts.requestSeen(1, 'https://ct-next.test/', undefined);
    await hosts.idle();
    expect(resolveFake.mock.calls.map((c) => c[0])).toContain('ct-next.test');
  });

  it('a host beyond the limit whose lookup a full queue refused is looked up once the queue drains', async () => {
    const gate = gatedResolver((h) => ok(h, h.startsWith('ct') ? CHINA_TELECOM : '1.1.1.1'));
    const t = setup(gate.resolve);
    const hosts = t.make({
      table: Promise.resolve(shipped),
      maxHostsPerTab: 30,
      maxQueuedLookupsPerTab: 10,
    });
    await hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < 30; i++) await hosts.requestSeen(1, `https://f${i}.test/`, '127.0.0.1');
    await vi.waitFor(() => expect(gate.waiting()).toBe(MAX_LOOKUPS_IN_FLIGHT));
    // The queue is full (6 running, 10 waiting, 14 refused): the late carrier host waits its turn.
    await hosts.requestSeen(1, 'https://ct-late.test/x.js', '127.0.0.1');
    for (let round = 0; round < 40 && !gate.calls.includes('ct-late.test'); round++) {
      gate.releaseAll();
      await new Promise((r) => setTimeout(r, 1));
    }
    gate.releaseAll();
    await hosts.idle();
    expect(gate.calls.filter((h) => h === 'ct-late.test')).toHaveLength(1);
    const view = (await hosts.getPageHosts(1))!;
    expect(view.hosts.filter((h) => h.verdict.status === 'flagged').map((h) => h.hostname)).toEqual(
      ['ct-late.test'],
    );
  });

  it('500 hosts arriving while their answers are awaited: all listed and looked up as answers come, within the budget', async () => {
    const gate = gatedResolver((h) => NXDOMAIN(h));
    const session = measuredSession();
    const t = setup(gate.resolve, { session });
    await t.hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < MAX_HOSTS_PER_TAB; i++) {
      await t.hosts.requestSeen(1, `https://filler${i}.test/x.js`, '127.0.0.1');
    }
    // The room held for 500 awaited answers is more than the budget: some wait for room, counted.
    const early = (await t.hosts.getPageHosts(1))!;
    expect(early.hosts.length).toBeLessThan(MAX_HOSTS_PER_TAB);
    expect(early.hosts.length + early.overflowHosts).toBe(MAX_HOSTS_PER_TAB);
    for (let round = 0; round < 400 && gate.calls.length < MAX_HOSTS_PER_TAB; round++) {
      gate.releaseAll();
      await new Promise((r) => setTimeout(r, 1));
    }
    gate.releaseAll();
    await t.hosts.idle();
    const view = (await t.hosts.getPageHosts(1))!;
    expect(view.hosts).toHaveLength(MAX_HOSTS_PER_TAB);
    expect(view.overflowHosts).toBe(0);
    expect(new Set(gate.calls).size).toBe(MAX_HOSTS_PER_TAB);
    expect(session.peak()).toBeLessThanOrEqual(PAGE_HOSTS_BUDGET_BYTES);
  });

  it('keeps at most MAX_OVER_LIMIT_WATCHED watched hosts beyond the limit, counting the rest', async () => {
    const t = setup(async (h) => ok(h, '1.1.1.1'), {});
    const hosts = t.make({ table: Promise.resolve(shipped), maxHostsPerTab: 5 });
    await hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < 5; i++) await hosts.requestSeen(1, `https://f${i}.test/`, '1.1.1.1');
    for (let i = 0; i < MAX_OVER_LIMIT_WATCHED + 10; i++) {
      await hosts.requestSeen(1, `https://ct${i}.test/`, CHINA_TELECOM);
    }
    await hosts.idle();
    const view = (await hosts.getPageHosts(1))!;
    expect(view.overLimitWatched).toBe(MAX_OVER_LIMIT_WATCHED);
    expect(view.overflowHosts).toBe(10);
  });

  it('round-robin over tabs: a flood in tab A delays tab B’s lookup by at most one of A’s lookups', async () => {
    const gate = gatedResolver((h) => ok(h, h.startsWith('ct') ? CHINA_TELECOM : '1.1.1.1'));
    const t = setup(gate.resolve);
    const hosts = t.make({ table: Promise.resolve(shipped), maxQueuedLookupsPerTab: 50 });
    await hosts.navigationCommitted(1, 'https://flood.test/');
    await hosts.navigationCommitted(2, 'https://news.test/');
    for (let i = 0; i < 200; i++)
      await hosts.requestSeen(1, `https://fresh${i}.flood.test/`, undefined);
    await hosts.requestSeen(2, 'https://ct-third-party.test/ad.js', undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(MAX_LOOKUPS_IN_FLIGHT));
    // Six of A's run; A has 50 more queued, B one; A's other 144 were refused for now and are
    // judged by their connection alone (none here: unchecked), not shown as being checked.
    expect(gate.calls.every((h) => h.endsWith('.flood.test'))).toBe(true);
    await vi.waitFor(async () =>
      expect(await hosts.getPageHosts(1)).toMatchObject({ checking: 56, queueFull: 144 }),
    );
    const refused = (await hosts.getPageHosts(1))!.hosts.find((h) => h.notLookedUp);
    expect(refused).toMatchObject({ notLookedUp: 'queue-full', checking: false });
    expect(refused?.verdict.status).toBe('unchecked');
    gate.releaseOne();
    // The first slot to free goes to B, ahead of A's backlog.
    await vi.waitFor(() => expect(gate.calls).toHaveLength(MAX_LOOKUPS_IN_FLIGHT + 1));
    expect(gate.calls[MAX_LOOKUPS_IN_FLIGHT]).toBe('ct-third-party.test');
    while (gate.waiting() > 0) {
      gate.releaseAll();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
    }
    await hosts.idle();
    const b = (await hosts.getPageHosts(2))!;
    expect(b).toMatchObject({ flagged: 1, checking: 0 });
    // As A's lookups finished, its refused hosts were queued again: every one looked up, once.
    const a = (await hosts.getPageHosts(1))!;
    expect(gate.calls.filter((h) => h.endsWith('.flood.test'))).toHaveLength(200);
    expect(new Set(gate.calls).size).toBe(201);
    expect(a).toMatchObject({ checking: 0, queueFull: 0 });
  });

  it('a restarted worker looks up the hosts a full queue had refused', async () => {
    const gate = gatedResolver((h) => ok(h, '1.1.1.1'));
    const t = setup(gate.resolve);
    const hosts = t.make({ maxLookupsInFlight: 1, maxQueuedLookupsPerTab: 1 });
    await hosts.navigationCommitted(1, 'https://site.test/');
    for (let i = 0; i < 5; i++) await hosts.requestSeen(1, `https://h${i}.test/`, undefined);
    await vi.waitFor(() =>
      expect(JSON.stringify(t.session.data.get('hosts:1')).match(/queue-full/g)).toHaveLength(3),
    );
    // The old worker dies with three refused; the other two are taken as answered, so that no
    // answer of the new worker sets off the retry.
    const stored = t.session.data.get('hosts:1') as PageHostsRecord;
    for (const host of stored.hosts) {
      if (host.doh.state === 'pending')
        host.doh = { state: 'done', addresses: ['1.1.1.1'], cnameChain: [] };
    }
    const answered = vi.fn(async (h: string) => ok(h, '1.1.1.1'));
    const restarted = t.make({ resolve: answered });
    await restarted.resumePending();
    await restarted.idle();
    expect(answered.mock.calls.map((c) => c[0]).sort()).toEqual(['h2.test', 'h3.test', 'h4.test']);
    expect(await restarted.getPageHosts(1)).toMatchObject({ checking: 0, queueFull: 0 });
  });

  it('a closed tab’s queued lookups never reach the resolver', async () => {
    const gate = gatedResolver((h) => ok(h, '1.1.1.1'));
    const t = setup(gate.resolve);
    await t.hosts.navigationCommitted(1, 'https://flood.test/');
    for (let i = 0; i < 100; i++) await t.hosts.requestSeen(1, `https://f${i}.test/`, undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(MAX_LOOKUPS_IN_FLIGHT));
    await t.hosts.tabRemoved(1);
    await t.hosts.navigationCommitted(2, 'https://other.test/');
    await t.hosts.requestSeen(2, 'https://cdn.test/', undefined);
    for (let round = 0; round < 20; round++) {
      gate.releaseAll();
      await new Promise((r) => setTimeout(r, 1));
    }
    await t.hosts.idle();
    // The six already running finish (they fill the DoH cache); none of the 94 queued ever starts.
    expect(gate.resolve).toHaveBeenCalledTimes(MAX_LOOKUPS_IN_FLIGHT + 1);
    expect(gate.calls.at(-1)).toBe('cdn.test');
    expect(t.session.data.has('hosts:1')).toBe(false);
  });

  it('updates a closed tab still had in line, and hosts a full queue refused, queue no lookup after the close', async () => {
    const gate = gatedResolver((h) => ok(h, '1.1.1.1'));
    const t = setup(gate.resolve);
    const hosts = t.make({ maxQueuedLookupsPerTab: 10 });
    await hosts.navigationCommitted(1, 'https://flood.test/');
    // Six running, ten queued, the rest refused for now (retried as lookups finish).
    for (let i = 0; i < 50; i++) await hosts.requestSeen(1, `https://f${i}.test/`, undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(MAX_LOOKUPS_IN_FLIGHT));
    // Requests reported just before the close, still in line when it comes.
    const late = Array.from({ length: 20 }, (_, i) =>
      hosts.requestSeen(1, `https://late${i}.test/`, undefined),
    );
    const closing = hosts.tabRemoved(1);
    for (let round = 0; round < 20; round++) {
      gate.releaseAll();
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all([...late, closing]);
    await hosts.idle();
    expect(gate.calls).toHaveLength(MAX_LOOKUPS_IN_FLIGHT);
    expect(t.session.data.has('hosts:1')).toBe(false);
  });

  it('a replaced page’s queued lookups never reach the resolver; hosts the next page keeps are still looked up', async () => {
    const gate = gatedResolver((h) => ok(h, '1.1.1.1'));
    const t = setup(gate.resolve);
    await t.hosts.navigationCommitted(1, 'https://one.test/');
    for (let i = 0; i < 100; i++) await t.hosts.requestSeen(1, `https://old${i}.test/`, undefined);
    await vi.waitFor(() => expect(gate.waiting()).toBe(MAX_LOOKUPS_IN_FLIGHT));
    // The reload: its main-frame response, a first script before the commit, then the commit.
    await t.hosts.mainFrameResponseStarted(1);
    await t.hosts.requestSeen(1, 'https://early.test/', undefined);
    await t.hosts.navigationCommitted(1, 'https://one.test/');
    await t.hosts.requestSeen(1, 'https://new.test/', undefined);
    for (let round = 0; round < 20; round++) {
      gate.releaseAll();
      await new Promise((r) => setTimeout(r, 1));
    }
    await t.hosts.idle();
    expect(gate.calls.slice(MAX_LOOKUPS_IN_FLIGHT).sort()).toEqual(['early.test', 'new.test']);
    const view = (await t.hosts.getPageHosts(1))!;
    expect(names(view)).toEqual(['early.test', 'new.test']);
    expect(view.checking).toBe(0);
  });
});
