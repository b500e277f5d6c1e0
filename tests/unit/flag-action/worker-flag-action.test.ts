// The worker's side of acting on a flag (entrypoints/background/flag-action.ts) against a fake
// browser: which tab is sent where, which rules are set, how long a Firefox navigation is held.
import { describe, expect, it, vi } from 'vitest';
import { startFlagAction } from '../../../entrypoints/background/flag-action';
import { defaultSettings, type Settings } from '../../../lib/settings';
import type { TabReport } from '../../../lib/tabs/types';
import { buildVerdict } from '../../../lib/verdict';
import { compileWatchlist } from '../../../lib/watchlist/match';
import { ok, table } from '../support/tab-fakes';

const BASE = 'moz-extension://uuid/';

function fakeBrowser() {
  const session = new Map<string, unknown>();
  let rules: { id: number }[] = [];
  const updates: { tabId: number; url: string }[] = [];
  let blocking: ((details: unknown) => unknown) | undefined;
  const browser = {
    runtime: { getURL: (p: string) => `${BASE}${p.replace(/^\//, '')}` },
    storage: {
      session: {
        get: async (keys: string[] | string | null) => {
          const list = keys === null ? [...session.keys()] : Array.isArray(keys) ? keys : [keys];
          return Object.fromEntries(
            list.filter((k) => session.has(k)).map((k) => [k, session.get(k)]),
          );
        },
        set: async (items: Record<string, unknown>) => {
          for (const [k, v] of Object.entries(items)) session.set(k, v);
        },
        remove: async (keys: string[] | string) => {
          for (const k of Array.isArray(keys) ? keys : [keys]) session.delete(k);
        },
      },
    },
    declarativeNetRequest: {
      getSessionRules: async () => rules,
      updateSessionRules: async (o: { removeRuleIds: number[]; addRules: { id: number }[] }) => {
        rules = rules.filter((r) => !o.removeRuleIds.includes(r.id)).concat(o.addRules);
      },
    },
    tabs: {
      update: async (tabId: number, props: { url: string }) => {
        updates.push({ tabId, url: props.url });
      },
    },
    webRequest: {
      onBeforeRequest: {
        addListener: (fn: (details: unknown) => unknown) => {
          blocking = fn;
        },
      },
    },
  };
  return {
    browser,
    updates,
    rules: () => rules,
    hold: (details: object) => blocking!(details) as Promise<{ redirectUrl?: string }> | undefined,
  };
}

function report(hostname: string, navigationId: string, tabId = 5): TabReport {
  const verdict = buildVerdict(
    { hostname, dohAddresses: [hostname.startsWith('ct') ? '202.96.128.86' : '1.1.1.1'] },
    table,
    compileWatchlist(defaultSettings().watchlist),
  );
  return {
    tabId,
    url: `https://${hostname}/page`,
    hostname,
    navigationId,
    committed: true,
    doh: { state: 'done', addresses: [], cnameChain: [] },
    verdict,
    final: true,
    updatedAt: 1,
  };
}

function start(
  settings: Settings,
  firefox: boolean,
  resolve = async (h: string) => ok(h, '1.1.1.1'),
) {
  const fake = fakeBrowser();
  let current = settings;
  const actions: string[] = [];
  const flagAction = startFlagAction(fake.browser as never, {
    settings: () => current,
    settingsReady: Promise.resolve(settings),
    table: Promise.resolve(table),
    resolve,
    firefox,
    now: () => 1000,
    log: () => {},
    onAction: (e) =>
      actions.push(`${e.tabId} ${e.hostname} ${e.action}${e.newVisit ? ' new' : ''}`),
  });
  const change = async (next: Settings) => {
    current = next;
    await flagAction.settingsChanged(next);
  };
  return { ...fake, flagAction, actions, change };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setTimeout(r, 0));
};

describe('acting on a flag, in the worker', () => {
  it('Chromium: a flagged page is sent to the warning page once, and a session rule stops the next visit', async () => {
    const t = start({ ...defaultSettings(), onFlagged: 'warn' }, false);
    t.flagAction.onJudged(report('ct.example', 'n1'), null);
    t.flagAction.onJudged(report('ct.example', 'n1'), null);
    await until(() => t.updates.length > 0);
    await t.flagAction.blockedHosts();
    expect(t.updates).toEqual([
      { tabId: 5, url: `${BASE}warning.html?after=1#https://ct.example/page` },
    ]);
    expect(t.actions).toEqual(['5 ct.example warned']);
    expect(t.rules().map((r) => r.id)).toEqual([1]);
  });

  it('a clean page, an unfinished verdict or the action off: nothing happens', async () => {
    const off = start(defaultSettings(), false);
    off.flagAction.onJudged(report('ct.example', 'n1'), null);
    const on = start({ ...defaultSettings(), onFlagged: 'block' }, false);
    on.flagAction.onJudged(report('cf.example', 'n1'), null);
    on.flagAction.onJudged({ ...report('ct.example', 'n2'), final: false }, null);
    await off.flagAction.blockedHosts();
    await on.flagAction.blockedHosts();
    expect([...off.updates, ...on.updates]).toEqual([]);
    expect(on.rules()).toEqual([]);
  });

  it('continue once lets that navigation stay, and the rules drop the site once allowlisted', async () => {
    const t = start({ ...defaultSettings(), onFlagged: 'warn' }, false);
    expect(await t.flagAction.continueOnce('https://ct.example/page', 5)).toBe(true);
    t.flagAction.onJudged(report('ct.example', 'n1'), null);
    await t.flagAction.blockedHosts();
    expect(t.updates).toEqual([]);
    // The site is still remembered, so the next visit is redirected before connecting.
    expect(t.rules().map((r) => r.id)).toEqual([1]);
    await t.change({ ...defaultSettings(), onFlagged: 'warn', allowlist: ['ct.example'] });
    expect(t.rules()).toEqual([]);
  });

  it('block: no continue', async () => {
    const t = start({ ...defaultSettings(), onFlagged: 'block' }, false);
    expect(await t.flagAction.continueOnce('https://ct.example/page', 5)).toBe(false);
  });

  it('Firefox: holds a flagged navigation and redirects it before connecting; a clean one goes on', async () => {
    const resolve = async (h: string) => ok(h, h.startsWith('ct') ? '202.96.128.86' : '1.1.1.1');
    const t = start({ ...defaultSettings(), onFlagged: 'warn' }, true, resolve);
    const flagged = await t.hold({ url: 'https://ct.example/x', tabId: 5, type: 'main_frame' });
    expect(flagged).toEqual({ redirectUrl: `${BASE}warning.html#https://ct.example/x` });
    expect(await t.hold({ url: 'https://cf.example/', tabId: 5, type: 'main_frame' })).toEqual({});
    // Firefox keeps no site rules: it holds instead.
    expect(t.rules()).toEqual([]);
  });

  it('Firefox: a site just found clean is let go at once next time, until the settings change', async () => {
    const asked: string[] = [];
    const resolve = async (h: string) => {
      asked.push(h);
      return ok(h, '1.1.1.1');
    };
    const t = start({ ...defaultSettings(), onFlagged: 'warn' }, true, resolve);
    const nav = { url: 'https://cf.example/', tabId: 5, type: 'main_frame' };
    expect(await t.hold(nav)).toEqual({});
    expect(t.hold(nav)).toBeUndefined();
    await t.change({ ...defaultSettings(), onFlagged: 'warn', privacyMode: false });
    expect(await t.hold(nav)).toEqual({});
    expect(asked).toEqual(['cf.example', 'cf.example']);
  });

  it('Firefox: holds nothing with the action off, and never past the ceiling', async () => {
    const off = start(defaultSettings(), true);
    expect(off.hold({ url: 'https://ct.example/', tabId: 5, type: 'main_frame' })).toBeUndefined();
    vi.useFakeTimers();
    try {
      const hanging = () => new Promise<never>(() => {});
      const t = start({ ...defaultSettings(), onFlagged: 'block' }, true, hanging);
      const held = t.hold({ url: 'https://ct.example/', tabId: 5, type: 'main_frame' })!;
      let answer: unknown;
      void held.then((a) => (answer = a));
      await vi.advanceTimersByTimeAsync(999);
      expect(answer).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(answer).toEqual({});
    } finally {
      vi.useRealTimers();
    }
  });

  it('blocks flagged third-party hosts when asked, never allowlisted ones', async () => {
    const t = start(
      { ...defaultSettings(), blockFlaggedHosts: true, allowlist: ['ok.example'] },
      false,
    );
    const flagged = (hostname: string) => ({ hostname, groups: [] });
    t.flagAction.onJudged(report('cf.example', 'n1'), {
      siteHostname: 'cf.example',
      total: 2,
      checking: 0,
      flagged: [flagged('ct.cdn.example'), flagged('ok.example')],
    });
    expect(await t.flagAction.blockedHosts()).toEqual(['ct.cdn.example']);
    expect(t.rules().map((r) => r.id)).toEqual([10_001]);
  });
});
