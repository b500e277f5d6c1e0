// The worker's tab logic (entrypoints/background/worker.ts) on a fake browser: the same lib/
// services wired the same way, fed webRequest/webNavigation-shaped events, on the shipped prefix
// table (public/prefix-table.bin). The listeners' bodies are repeated here in a few lines each,
// because the worker itself needs a whole extension runtime to start.
import { join, resolve } from 'node:path';
import { loadTable } from '../../../lib/cli/main';
import type { ResolveResult } from '../../../lib/dns';
import { proxyFromProxyInfo } from '../../../lib/proxy';
import { defaultSettings, type Settings } from '../../../lib/settings';
import { createTabMonitor, type Badge } from '../../../lib/tab-monitor';
import { createHostWitness } from '../../../lib/tabs/host-witness';
import { createPageHosts } from '../../../lib/tabs/page-hosts';
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
  const start = () => {
    const monitor = createTabMonitor({
      session,
      setBadge: async (tabId, badge) => void badges.set(tabId, badge),
      table: Promise.resolve(table),
      getSettings: () => state.settings,
      resolve,
      now: () => state.now,
      log: () => {},
    });
    const hosts = createPageHosts({
      session,
      table: Promise.resolve(table),
      getSettings: () => state.settings,
      resolve,
      pageOf: async (tabId) => {
        const report = await monitor.getReport(tabId);
        return report?.committed ? { url: report.url } : null;
      },
      onChange: () => {},
      now: () => state.now,
      log: () => {},
      writeDelayMs: 0,
    });
    const hostWitness = createHostWitness({
      table: Promise.resolve(table),
      getSettings: () => state.settings,
      pageProxyOf: async (tabId) => (await monitor.getReport(tabId))?.verdict.proxy?.address,
    });
    return { monitor, hosts, hostWitness };
  };
  let worker = start();
  const settle = () => new Promise((done) => setTimeout(done, 5));

  const browser = {
    /** webNavigation.onBeforeNavigate, main frame. */
    async beforeNavigate(tabId: number, url: string) {
      await worker.monitor.navigationStarted(tabId, url);
      await worker.hosts.navigationStarted(tabId, state.now);
    },
    /** webRequest.onResponseStarted, main frame (Firefox's proxyInfo read as the worker does). */
    async mainFrameResponse(details: RequestDetails) {
      const proxy = proxyFromProxyInfo(details.proxyInfo, details.ip);
      await worker.monitor.responseStarted(details.tabId, details.url, details.ip, proxy);
      await worker.hosts.mainFrameResponseStarted(details.tabId, state.now);
    },
    /** webNavigation.onCommitted, main frame. */
    async committed(tabId: number, url: string) {
      await worker.hosts.navigationCommitted(tabId, url, state.now);
      await worker.monitor.navigationCommitted(tabId, url);
    },
    /** webRequest.onResponseStarted of any other request of the tab. */
    async subrequest(details: RequestDetails) {
      const witness = await worker.hostWitness(details.tabId, details);
      await worker.hosts.requestSeen(
        details.tabId,
        details.url,
        witness?.ip,
        state.now,
        undefined,
        witness?.proxied,
      );
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
    return (await worker.monitor.getReport(tabId))!;
  }

  return {
    browser,
    badges,
    session,
    state,
    visit,
    settle,
    get monitor() {
      return worker.monitor;
    },
    get hosts() {
      return worker.hosts;
    },
    /** The browser stopped the worker: memory is gone, storage.session stays. */
    restart() {
      worker = start();
    },
  };
}
