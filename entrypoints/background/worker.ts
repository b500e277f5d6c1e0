import type { Browser, Runtime } from 'webextension-polyfill';
import { createResolverClients, createStorageDnsCache, resolverUrlOf } from '../../lib/dns';
import { isMessage, isOwnPage } from '../../lib/messages';
import { createWebTableCodec } from '../../lib/prefix-table/web-codec';
import { adoptPolicy, applyPolicy, type AdoptedPolicyValues } from '../../lib/policy';
import { migrateSettings, type Settings } from '../../lib/settings';
import { openDatabase } from '../../lib/storage/database';
import { loadTable, type LoadedTable } from '../../lib/table-loader';
import { createTabs, type WebRequestEvent } from '../../lib/tabs';
import type { PrefixLookup } from '../../lib/verdict';
import { BADGE_WORDS, PAGE_BADGE_WORDS } from './badge-words';
import { createWorkerUpdates } from './data-updates';
import { carriersOf } from '../../lib/history';
import { createWorkerHistory } from './history';
import { startHostAccess } from './host-access';
import { startFlagAction } from './flag-action';
import { createMessageHandler } from './messages';
import { createWorkerPolicy } from './policy';

const SETTINGS_KEY = 'settings';
/** The bundled table's id, read from its header at build time (wxt.config.ts); '' if unknown. */
declare const __CARRIERFLAG_TABLE_ID__: string;
const BUNDLED_TABLE_ID = __CARRIERFLAG_TABLE_ID__;

/** Registers every listener synchronously, then starts up; returns the readiness promise. */
export function startWorker(browser: Browser): Promise<void> {
  const log = (message: string, error?: unknown) =>
    console.warn(`[CarrierFlag] ${message}`, error ?? '');
  const problems: string[] = [];
  /** The user's own settings, as stored; `settings` is them with the locked policy applied. */
  let stored: Settings | undefined;
  let settings: Settings | undefined;
  let adopted: AdoptedPolicyValues = {};
  let loaded: LoadedTable | undefined;

  // The administrator's policy (policy.ts): the cached one is applied in the same read as the
  // settings, the browser's own as soon as it answers. A new one is applied to the user's record
  // (its unlocked values, once: lib/policy) and put into effect like a save from the page.
  const policy = createWorkerPolicy({
    browser,
    changed: async (next) => {
      await settingsReady;
      const adoption = adoptPolicy(stored!, next, adopted);
      adopted = adoption.adopted;
      await policy.saveAdopted(adopted);
      if (adoption.changed) await saveStored(adoption.settings);
      else {
        settings = applyPolicy(stored!, next);
        await flagAction.settingsChanged(settings);
      }
      await tabs.settingsChanged(settings!);
      await updates.schedule(settings!.dataUpdate.automatic);
    },
    log,
  });
  /** Stores the user's settings and puts them, with the policy, into effect; returns those. */
  const saveStored = async (next: Settings): Promise<Settings> => {
    await browser.storage.local.set({ [SETTINGS_KEY]: next });
    stored = next;
    settings = applyPolicy(next, policy.current());
    // What acting on a flag keeps follows at once (an allowlisted site is no longer stopped).
    await flagAction.settingsChanged(settings);
    return settings;
  };

  // Two start-up paths in parallel: settings (enough to send a DoH query) and the prefix table
  // (needed only to judge the answer). A navigation that woke the worker does not wait for the table.
  const settingsReady = (async () => {
    const read = await browser.storage.local
      .get([SETTINGS_KEY, ...policy.keys])
      .catch((error: unknown) => {
        problems.push(`Settings could not be read: ${String(error)}`);
        return {} as Record<string, unknown>;
      });
    const migrated = migrateSettings(read[SETTINGS_KEY]);
    stored = migrated.settings;
    if (migrated.problem) problems.push(migrated.problem);
    if (migrated.changed) await browser.storage.local.set({ [SETTINGS_KEY]: stored });
    const cached = policy.fromStored(read);
    adopted = cached.adopted;
    settings = applyPolicy(stored, cached.policy);
    return settings;
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
      // Lookups go through `loaded`, so a routing data update switches every user of the table
      // at once, between two lookups (never during one).
      return { lookup: (text: string) => loaded!.table.lookup(text) };
    },
    (error: unknown) => {
      problems.push(`No prefix table could be loaded: ${String(error)}. Sites cannot be checked.`);
      return { lookup: () => ({ kind: 'invalid', reason: 'no prefix table loaded' }) };
    },
  );
  const tableInUse = async () => {
    await tableReady;
    return loaded ?? null;
  };

  const updates = createWorkerUpdates({
    browser,
    settings: () => settings!,
    current: tableInUse,
    switched: (table) => (loaded = table),
    log,
  });

  // The DoH client's own keys are already namespaced ('dns:…'), so they share storage.session with
  // the tab reports; the cache bounds itself (count and bytes) so it can never fill the area. One
  // client for the resolver in the settings, rebuilt only when that setting changes.
  const dnsCache = createStorageDnsCache(browser.storage.session, { now: Date.now, log });
  const dohClients = createResolverClients({
    fetch: (input, init) => fetch(input, init),
    cache: dnsCache,
  });

  // The local history of flagged visits (history.ts): told of every badge decision.
  const history = createWorkerHistory(browser, { settings: () => settings!, log });

  const tabs = createTabs({
    session: browser.storage.session as never,
    settingsReady,
    table: tableReady,
    resolve: (hostname, current) =>
      dohClients.resolveShared(resolverUrlOf(current.resolver), hostname),
    setBadge: async (tabId, badge, changed) => {
      // Only the parts that changed, sent together, colour and title first and the text last: the
      // browser handles an extension's calls in the order sent, so a badge whose text already
      // reads "CT" is never seen on the previous (grey) colour or tooltip, and no call waits for
      // the one before.
      const set = (part: keyof typeof badge) => !changed || changed.has(part);
      try {
        await Promise.all([
          set('color') && browser.action.setBadgeBackgroundColor({ tabId, color: badge.color }),
          set('title') && browser.action.setTitle({ tabId, title: badge.title }),
          set('text') && browser.action.setBadgeText({ tabId, text: badge.text }),
        ]);
      } catch (error) {
        log(`badge for tab ${tabId} not set`, error);
      }
    },
    listTabs: async () =>
      (await browser.tabs.query({})).map((tab) => ({ id: tab.id, url: tab.url })),
    onOwnRedirect: (from, to) => updates.ownRedirect(from, to),
    // Acting on a flag (warn, block) and the history follow every badge decision; a page
    // "Continue once" let through is the warned visit's, its row already made.
    onJudged: (report, hosts) => {
      if (flagAction.continues(report)) {
        const { carriers, networks } = carriersOf(report.verdict);
        void history.recordAction({
          tabId: report.tabId,
          site: report.hostname,
          action: 'continued',
          carriers,
          networks,
        });
      } else history.onJudged(report, hosts);
      flagAction.onJudged(report, hosts);
    },
    // Last word on every badge: while access to sites is missing, it says so (host-access.ts).
    decorateBadge: (report, badge) => hostAccess.decorate(report, badge),
    badgeWords: BADGE_WORDS,
    pageBadgeWords: PAGE_BADGE_WORDS,
    now: Date.now,
    log,
  });

  // Warn or block before a flagged site's page is shown; its listener, if any, registered now.
  const flagAction = startFlagAction(browser, {
    settings: () => settings,
    settingsReady,
    table: tableReady,
    resolve: (hostname, current) =>
      dohClients.resolveShared(resolverUrlOf(current.resolver), hostname),
    firefox: import.meta.env.FIREFOX,
    now: Date.now,
    log,
    onAction: ({ tabId, hostname, action, newVisit, verdict }) =>
      void history.recordAction({
        tabId,
        site: hostname,
        action,
        newVisit,
        ...(verdict ? carriersOf(verdict) : {}),
      }),
  });

  // Access to sites (Firefox may withhold it): while missing, every badge says so.
  const hostAccess = startHostAccess(browser, {
    refreshBadge: (tabId) => tabs.refreshBadge(tabId),
    log,
  });

  const ready = tabs.ready.then(() => {
    // Off the critical path: deciding whether old data needs a check soon waits for the table,
    // and tab events and messages (which await `ready`) must not.
    void updates
      .schedule(settings!.dataUpdate.automatic)
      .catch((error: unknown) => log('the update schedule could not be set', error));
    // Housekeeping, off the critical path: storage.session is small and outlives the worker.
    void dnsCache.prune();
  });

  // Listeners: registered synchronously so events that woke the worker are not missed. The
  // browser's event details go to lib/tabs as they are (its types name the fields it reads).
  const asEvent = (details: unknown) => details as WebRequestEvent;
  const web = { urls: ['http://*/*', 'https://*/*'] };
  const all = { urls: ['<all_urls>'] };
  browser.webNavigation.onBeforeNavigate.addListener((d) => tabs.beforeNavigate(d));
  browser.webNavigation.onCommitted.addListener((d) => tabs.committed(d));
  browser.webNavigation.onCompleted.addListener((d) => tabs.completed(d));
  browser.webNavigation.onErrorOccurred.addListener((d) => tabs.navigationFailed(d));
  browser.webRequest.onBeforeRequest.addListener((d) => tabs.requestStarted(asEvent(d)), all);
  browser.webRequest.onResponseStarted.addListener((d) => tabs.responseStarted(asEvent(d)), all);
  browser.webRequest.onErrorOccurred.addListener((d) => tabs.requestFailed(asEvent(d)), all);
  browser.webRequest.onBeforeRedirect.addListener((d) => tabs.redirected(asEvent(d)), web);
  browser.tabs.onRemoved.addListener((tabId) => {
    tabs.tabRemoved(tabId);
    flagAction.tabRemoved(tabId);
  });
  browser.alarms.onAlarm.addListener((alarm) => updates.alarm(alarm, ready));

  const handle = createMessageHandler({
    tabs,
    updates,
    history,
    settings: () => settings!,
    storedSettings: () => stored!,
    policy: () => policy.current(),
    saveSettings: saveStored,
    flagAction,
    table: tableInUse,
    problems,
  });
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    // Only our own pages may talk to the worker; anything else gets no answer at all.
    if (!isMessage(message)) return undefined;
    if (!isOwnPage(sender, browser.runtime.id, browser.runtime.getURL('/'))) return undefined;
    return ready
      .then(() => handle(message, sender.tab?.id))
      .catch((error: unknown) => {
        log(`message ${message.type} failed`, error);
        throw new Error(`CarrierFlag could not handle ${message.type}: ${String(error)}`);
      });
  });

  // As soon as the settings are in (with the cached policy): the first navigations are judged
  // with the browser's policy if it answers in time.
  policy.follow(settingsReady);

  // Fully started: settings, the tab monitor and the table.
  return Promise.all([ready, tableReady]).then(
    () => undefined,
    (error: unknown) => log('start-up failed', error),
  );
}
