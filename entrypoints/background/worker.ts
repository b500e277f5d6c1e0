import type { Browser, Runtime } from 'webextension-polyfill';
import { createDohClient, createStorageDnsCache } from '../../lib/dns';
import { isMessage, isOwnPage, type EngineStatus, type Message } from '../../lib/messages';
import { createWebTableCodec } from '../../lib/prefix-table/web-codec';
import {
  migrateSettings,
  resolverUrlOf,
  validateSettings,
  type Settings,
} from '../../lib/settings';
import { canonicalIp, proxyFromProxyInfo } from '../../lib/proxy';
import { openDatabase } from '../../lib/storage/database';
import { loadTable, type LoadedTable } from '../../lib/table-loader';
import type { PrefixLookup } from '../../lib/verdict';
import { createTabMonitor, type TabMonitor } from '../../lib/tab-monitor';
import { pageBadge } from '../../lib/tabs/badge';
import { createPageHosts, type PageHosts } from '../../lib/tabs/page-hosts';
import { BADGE_WORDS, PAGE_BADGE_WORDS } from './badge-words';

const SETTINGS_KEY = 'settings';
/** The bundled table's id, read from its header at build time (wxt.config.ts); '' if unknown. */
declare const __CARRIERFLAG_TABLE_ID__: string;
const BUNDLED_TABLE_ID = __CARRIERFLAG_TABLE_ID__;

/** Registers every listener synchronously, then starts up; returns the readiness promise. */
export function startWorker(browser: Browser): Promise<void> {
  const log = (message: string, error?: unknown) =>
    console.warn(`[CarrierFlag] ${message}`, error ?? '');
  const problems: string[] = [];
  let settings: Settings | undefined;
  let loaded: LoadedTable | undefined;
  let monitor: TabMonitor | undefined;
  let pageHosts: PageHosts | undefined;

  // The DoH client's own keys are already namespaced ('dns:…'), so they share storage.session with
  // the tab reports; the cache bounds itself (count and bytes) so it can never fill the area.
  const dnsCache = createStorageDnsCache(browser.storage.session, { now: Date.now, log });

  // Two start-up paths in parallel: settings (enough to send a DoH query) and the prefix table
  // (needed only to judge the answer). A navigation that woke the worker does not wait for the table.
  const settingsReady = (async () => {
    const stored = await browser.storage.local.get(SETTINGS_KEY).catch((error: unknown) => {
      problems.push(`Settings could not be read: ${String(error)}`);
      return {} as Record<string, unknown>;
    });
    const migrated = migrateSettings(stored[SETTINGS_KEY]);
    settings = migrated.settings;
    if (migrated.problem) problems.push(migrated.problem);
    if (migrated.changed) await browser.storage.local.set({ [SETTINGS_KEY]: settings });
  })();

  const tableReady: Promise<PrefixLookup> = loadTable({
    bundledTableId: BUNDLED_TABLE_ID,
    fetchBundled: async () => {
      const response = await fetch(browser.runtime.getURL('/prefix-table.bin'));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    openDatabase: () => openDatabase(indexedDB),
    codec: createWebTableCodec(),
    now: Date.now,
  }).then(
    (result) => {
      loaded = result;
      problems.push(...result.problems);
      return result.table;
    },
    (error: unknown) => {
      problems.push(`No prefix table could be loaded: ${String(error)}. Sites cannot be checked.`);
      return { lookup: () => ({ kind: 'invalid', reason: 'no prefix table loaded' }) };
    },
  );

  const resolve = (hostname: string, current: Settings) =>
    createDohClient({
      fetch: (input, init) => fetch(input, init),
      resolverUrl: resolverUrlOf(current.resolver),
      cache: dnsCache,
    }).resolve(hostname);

  const ready = settingsReady.then(async () => {
    pageHosts = createPageHosts({
      session: browser.storage.session as never,
      table: tableReady,
      getSettings: () => settings!,
      resolve,
      pageOf: async (tabId) => {
        const report = await monitor!.getReport(tabId);
        return report?.committed ? { url: report.url } : null;
      },
      onChange: (tabId) => void monitor!.refreshBadge(tabId),
      now: Date.now,
      log,
    });
    monitor = createTabMonitor({
      session: browser.storage.session as never,
      setBadge: async (tabId, badge) => {
        // Colour and title first, the text last: three separate calls, and a badge whose text
        // already reads "CT" must never be seen on the previous (grey) colour or tooltip.
        try {
          await browser.action.setBadgeBackgroundColor({ tabId, color: badge.color });
          await browser.action.setTitle({ tabId, title: badge.title });
          await browser.action.setBadgeText({ tabId, text: badge.text });
        } catch (error) {
          log(`badge for tab ${tabId} not set`, error);
        }
      },
      table: tableReady,
      getSettings: () => settings!,
      resolve,
      now: Date.now,
      log,
      badgeWords: BADGE_WORDS,
      decorateBadge: async (report, badge) =>
        pageBadge(
          badge,
          report,
          await pageHosts!.summary(report.tabId),
          settings!.countThirdPartyHosts,
          PAGE_BADGE_WORDS,
        ),
    });
    await monitor.resumePending();
    await pageHosts.resumePending();
    // Housekeeping, off the critical path: storage.session is small and outlives the worker.
    void dnsCache.prune();
  });

  // Listeners: registered synchronously so events that woke the worker are not missed.
  const whenReady = (work: (m: TabMonitor) => Promise<void>) => {
    ready.then(() => work(monitor!)).catch((error: unknown) => log('event handling failed', error));
  };

  const whenHostsReady = (work: (h: PageHosts) => Promise<void>) => {
    ready
      .then(() => work(pageHosts!))
      .catch((error: unknown) => log('event handling failed', error));
  };

  browser.webNavigation.onBeforeNavigate.addListener((details) => {
    if (details.frameId === 0) whenReady((m) => m.navigationStarted(details.tabId, details.url));
  });
  browser.webNavigation.onCommitted.addListener((details) => {
    if (details.frameId !== 0) return;
    whenHostsReady((h) => h.navigationCommitted(details.tabId, details.url));
    whenReady((m) => m.navigationCommitted(details.tabId, details.url));
  });
  browser.webNavigation.onCompleted.addListener((details) => {
    if (details.frameId === 0) whenReady((m) => m.pageLoaded(details.tabId, details.url));
  });
  // A navigation that never commits (HTTP 204, a download, a cancel) ends here, if anywhere.
  browser.webNavigation.onErrorOccurred.addListener((details) => {
    if (details.frameId === 0) whenReady((m) => m.navigationFailed(details.tabId, details.url));
  });
  browser.webRequest.onResponseStarted.addListener(
    (details) => {
      if (details.tabId >= 0) {
        // Firefox names the proxy a request went through; Chromium has no such field.
        const { proxyInfo } = details as { proxyInfo?: unknown };
        const proxy = proxyFromProxyInfo(proxyInfo, details.ip);
        whenReady((m) => m.responseStarted(details.tabId, details.url, details.ip, proxy));
        // A prerendered page is not (yet) the tab's page: its main frame starts no new host list.
        const lifecycle = (details as { documentLifecycle?: string }).documentLifecycle;
        if (lifecycle !== 'prerender') {
          whenHostsReady((h) => h.mainFrameResponseStarted(details.tabId));
        }
      }
    },
    { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] },
  );
  // Every other request of a tab: its host joins the page's host list (lib/tabs/page-hosts.ts).
  const requestOfPage = (details: {
    tabId: number;
    type: string;
    url: string;
    ip?: string;
    documentLifecycle?: string;
  }) => {
    if (details.tabId < 0 || details.type === 'main_frame') return;
    // Chromium only: a prerendered page or one being unloaded is not the page the tab shows.
    if (details.documentLifecycle !== undefined && details.documentLifecycle !== 'active') return;
    whenHostsReady(async (h) =>
      h.requestSeen(details.tabId, details.url, await hostWitness(details)),
    );
  };
  /**
   * The connected address as a witness for a page's other host, unless it is a proxy's: the one
   * Firefox names (proxyInfo), or the one the tab's own page was found to go through (Chromium's
   * repeated-address pattern). A proxy's address must never judge a host it merely carried.
   */
  async function hostWitness(details: { tabId: number; ip?: string }): Promise<string | undefined> {
    if (!details.ip) return undefined;
    const { proxyInfo } = details as { proxyInfo?: unknown };
    if (proxyFromProxyInfo(proxyInfo, details.ip)) return undefined;
    const pageProxy = (await monitor!.getReport(details.tabId))?.verdict.proxy?.address;
    return pageProxy !== undefined && canonicalIp(pageProxy) === canonicalIp(details.ip)
      ? undefined
      : details.ip;
  }
  browser.webRequest.onResponseStarted.addListener(requestOfPage, { urls: ['<all_urls>'] });
  browser.webRequest.onErrorOccurred.addListener(requestOfPage, { urls: ['<all_urls>'] });
  browser.tabs.onRemoved.addListener((tabId) => {
    whenReady((m) => m.tabRemoved(tabId));
    whenHostsReady((h) => h.tabRemoved(tabId));
  });

  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    // Only our own pages may talk to the worker; anything else gets no answer at all.
    if (!isMessage(message)) return undefined;
    if (!isOwnPage(sender, browser.runtime.id, browser.runtime.getURL('/'))) return undefined;
    return ready
      .then(() => handle(message))
      .catch((error: unknown) => {
        log(`message ${message.type} failed`, error);
        throw new Error(`CarrierFlag could not handle ${message.type}: ${String(error)}`);
      });
  });

  async function handle(message: Message): Promise<unknown> {
    switch (message.type) {
      case 'get-tab-report':
        return monitor!.getReport(message.tabId);
      case 'get-page-hosts':
        return pageHosts!.getPageHosts(message.tabId);
      case 'get-status': {
        await tableReady;
        const status: EngineStatus = {
          tableMeta: loaded?.table.meta ?? null,
          tableOrigin: loaded?.origin ?? 'none',
          problems,
        };
        return status;
      }
      case 'get-settings':
        return { settings: settings! };
      case 'save-settings': {
        const checked = validateSettings(message.settings);
        if (!checked.ok) return checked;
        // One record, one write: a failed write leaves the previous settings whole.
        await browser.storage.local.set({ [SETTINGS_KEY]: checked.settings });
        settings = checked.settings;
        await monitor!.settingsChanged();
        await pageHosts!.settingsChanged();
        return checked;
      }
    }
  }

  // Fully started: settings, the tab monitor and the table.
  return Promise.all([ready, tableReady]).then(
    () => undefined,
    (error: unknown) => log('start-up failed', error),
  );
}
