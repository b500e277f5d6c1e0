import type { Browser, Runtime } from 'webextension-polyfill';
import { createDohClient, staleDnsCacheKeys, type DnsCache } from '../../lib/dns';
import { isMessage, isOwnPage, type EngineStatus, type Message } from '../../lib/messages';
import { createWebTableCodec } from '../../lib/prefix-table/web-codec';
import {
  migrateSettings,
  resolverUrlOf,
  validateSettings,
  type Settings,
} from '../../lib/settings';
import { proxyFromProxyInfo } from '../../lib/proxy';
import { openDatabase } from '../../lib/storage/database';
import { loadTable, type LoadedTable } from '../../lib/table-loader';
import type { PrefixLookup } from '../../lib/verdict';
import { createTabMonitor, type TabMonitor } from '../../lib/tab-monitor';

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

  // The DoH client's own keys are already namespaced ('dns:…'), so they are stored as they are.
  const dnsCache: DnsCache = {
    async get(key) {
      const stored = await browser.storage.session.get(key);
      return stored[key] as Awaited<ReturnType<DnsCache['get']>>;
    },
    async set(key, entry) {
      await browser.storage.session.set({ [key]: entry });
    },
  };

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

  const ready = settingsReady.then(async () => {
    monitor = createTabMonitor({
      session: browser.storage.session as never,
      setBadge: async (tabId, badge) => {
        await Promise.all([
          browser.action.setBadgeText({ tabId, text: badge.text }),
          browser.action.setBadgeBackgroundColor({ tabId, color: badge.color }),
          browser.action.setTitle({ tabId, title: badge.title }),
        ]).catch((error: unknown) => log(`badge for tab ${tabId} not set`, error));
      },
      table: tableReady,
      getSettings: () => settings!,
      resolve: (hostname, current) =>
        createDohClient({
          fetch: (input, init) => fetch(input, init),
          resolverUrl: resolverUrlOf(current.resolver),
          cache: dnsCache,
        }).resolve(hostname),
      now: Date.now,
      log,
    });
    await monitor.resumePending();
    // Housekeeping, off the critical path: storage.session is small and outlives the worker.
    void browser.storage.session
      .get(null)
      .then((contents) => browser.storage.session.remove(staleDnsCacheKeys(contents, Date.now())))
      .catch((error: unknown) => log('DNS cache pruning failed', error));
  });

  // Listeners: registered synchronously so events that woke the worker are not missed.
  const whenReady = (work: (m: TabMonitor) => Promise<void>) => {
    ready.then(() => work(monitor!)).catch((error: unknown) => log('event handling failed', error));
  };

  browser.webNavigation.onBeforeNavigate.addListener((details) => {
    if (details.frameId === 0) whenReady((m) => m.navigationStarted(details.tabId, details.url));
  });
  browser.webNavigation.onCommitted.addListener((details) => {
    if (details.frameId === 0) whenReady((m) => m.navigationCommitted(details.tabId, details.url));
  });
  browser.webRequest.onResponseStarted.addListener(
    (details) => {
      if (details.tabId >= 0) {
        // Firefox names the proxy a request went through; Chromium has no such field.
        const { proxyInfo } = details as { proxyInfo?: unknown };
        const proxy = proxyFromProxyInfo(proxyInfo, details.ip);
        whenReady((m) => m.responseStarted(details.tabId, details.url, details.ip, proxy));
      }
    },
    { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] },
  );
  browser.tabs.onRemoved.addListener((tabId) => whenReady((m) => m.tabRemoved(tabId)));

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
