// The worker's tab logic on a fake browser: lib/tabs' door (createTabs), as the worker builds it,
// fed webRequest/webNavigation-shaped events, on the shipped prefix table
// (public/prefix-table.bin). The worker itself needs a whole extension runtime to start.
import { join, resolve } from 'node:path';
import { loadTable } from '../../../lib/cli/main';
import type { ResolveResult } from '../../../lib/dns';
import { defaultSettings, type Settings } from '../../../lib/settings';
import { createTabs } from '../../../lib/tabs';
import type { Badge } from '../../../lib/tabs/types';
import type { PrefixLookup } from '../../../lib/verdict';
import { fakeSession } from './tab-fakes';

/** AS4134 Chinanet (China Telecom) on the shipped table. */
export const CARRIER = '202.96.128.86';
/** AS13335 Cloudflare: on no watched network. */
export const CLEAN = '1.1.1.1';
export const CLEAN_2 = '1.0.0.1';

let shipped: Promise<PrefixLookup> | undefined;

/** The shipped prefix table, loaded once per test file. */
export function shippedTable(): Promise<PrefixLookup> {
  shipped ??= loadTable(join(resolve(__dirname, '../../..'), 'public/prefix-table.bin')).then(
    (loaded) => {
      if (!loaded.ok) throw new Error(`public/prefix-table.bin: ${loaded.reason}`);
      return loaded.table;
    },
  );
  return shipped;
}

/** What a webRequest event of ours carries: no `ip` when nothing connected (the HTTP cache). */
export interface RequestDetails {
  tabId: number;
  url: string;
  ip?: string;
  proxyInfo?: unknown;
}

export async function fakeWorker(
  answers: Record<string, ResolveResult>,
  options: { settings?: Settings; session?: ReturnType<typeof fakeSession> } = {},
) {
  const table = await shippedTable();
  const session = options.session ?? fakeSession();
  const state = { settings: options.settings ?? defaultSettings(), now: 1_000_000 };
  const badges = new Map<number, Badge>();
  const resolve = async (hostname: string): Promise<ResolveResult> => {
    const answer = answers[hostname];
    if (!answer) throw new Error(`unexpected query for ${hostname}`);
    return answer;
  };
  let requestIds = 0;
  const start = () =>
    createTabs({
      session,
      settingsReady: Promise.resolve(state.settings),
      table: Promise.resolve(table),
      resolve,
      setBadge: async (tabId, badge) => void badges.set(tabId, badge),
      listTabs: async () => [],
      onOwnRedirect: () => {},
      now: () => state.now,
      log: () => {},
    });
  let tabs = start();
  const settle = () => new Promise((done) => setTimeout(done, 5));
  const navigation = (tabId: number, url: string) => ({
    tabId,
    frameId: 0,
    url,
    timeStamp: state.now,
  });
  const request = (details: RequestDetails, type: string) => ({
    ...details,
    requestId: String((requestIds += 1)),
    timeStamp: state.now,
    frameId: 0,
    type,
  });

  const browser = {
    /** webNavigation.onBeforeNavigate, main frame. */
    async beforeNavigate(tabId: number, url: string) {
      tabs.beforeNavigate(navigation(tabId, url));
      await tabs.idle();
    },
    /** webRequest.onResponseStarted, main frame (Firefox's proxyInfo read as the worker does). */
    async mainFrameResponse(details: RequestDetails) {
      tabs.responseStarted(request(details, 'main_frame'));
      await tabs.idle();
    },
    /** webNavigation.onCommitted, main frame. */
    async committed(tabId: number, url: string) {
      tabs.committed(navigation(tabId, url));
      await tabs.idle();
    },
    /** webRequest.onBeforeRequest and onResponseStarted of any other request of the tab. */
    async subrequest(details: RequestDetails) {
      const event = request(details, 'script');
      tabs.requestStarted(event);
      tabs.responseStarted(event);
      await tabs.idle();
    },
  };

  /** One top-level visit, from navigation start to commit, with the DoH answer in. */
  async function visit(
    tabId: number,
    url: string,
    response: Omit<RequestDetails, 'tabId' | 'url'>,
  ) {
    await browser.beforeNavigate(tabId, url);
    await browser.mainFrameResponse({ tabId, url, ...response });
    await browser.committed(tabId, url);
    await settle();
    return (await tabs.getReport(tabId))!;
  }

  return {
    browser,
    badges,
    session,
    state,
    visit,
    settle,
    /** The worker's door to per-tab state (lib/tabs). */
    get tabs() {
      return tabs;
    },
    /** The browser stopped the worker: memory is gone, storage.session stays. */
    restart() {
      tabs = start();
    },
  };
}
