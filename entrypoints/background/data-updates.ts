/**
 * The worker's routing data updates (lib/data-update): downloaded, read and guarded in lib/, stored
 * here exactly as the bundled import is (one transaction writes the table and switches 'active'),
 * and scheduled with alarms (README, "What leaves your machine").
 */
import type { Alarms, Browser } from 'webextension-polyfill';
import { isStale } from '../../lib/data-update/dates';
import { createDataUpdateService, type LastUpdateAttempt } from '../../lib/data-update/service';
import { createWebTableCodec } from '../../lib/prefix-table/web-codec';
import type { Settings } from '../../lib/settings';
import { openDatabase } from '../../lib/storage/database';
import { importTable, type LoadedTable } from '../../lib/table-loader';
import { DEFAULT_WATCHLIST } from '../../lib/watchlist/defaults';

/** storage.local: how the last routing data update ended (shown after a worker restart too). */
const LAST_UPDATE_KEY = 'data-update-last';
/** The weekly routing data check. */
const UPDATE_ALARM = 'routing-data-update';
const WEEK_MINUTES = 7 * 24 * 60;
/**
 * The first scheduled check, after the schedule is set up (install, or the switch turned on): an
 * hour, so a fresh install with months-old bundled data is brought up to date the same day, but
 * not in the burst of work a browser start or an install already is.
 */
const FIRST_CHECK_MINUTES = 60;
/**
 * When the data in use is already stale at start (a fresh install bundles months-old data, or the
 * browser was closed for weeks) or the sources just changed, one check a minute after start (or
 * the change) instead of an hour; not again within STALE_RETRY_MS of the last attempt at the same
 * sources, so a worker woken every few seconds never hammers them.
 */
const SOON_ALARM = 'routing-data-check-soon';
const SOON_MINUTES = 1;
const STALE_RETRY_MS = 6 * 60 * 60 * 1000;

export interface WorkerUpdatesDeps {
  browser: Browser;
  settings(): Settings;
  /** The table in use once loaded (null if none could be), and how to switch it. */
  current(): Promise<LoadedTable | null>;
  switched(loaded: LoadedTable): void;
  log(message: string, error?: unknown): void;
}

export function createWorkerUpdates(deps: WorkerUpdatesDeps) {
  const { browser, log } = deps;
  let lastKeepAlive = 0;
  /** Listeners for the redirects of the worker's own requests (the routing data downloads). */
  const ownRedirects = new Set<(from: string, to: string) => void>();
  const updater = createDataUpdateService({
    fetch: (url, init) => fetch(url, init),
    codec: createWebTableCodec(),
    now: Date.now,
    sources: () => deps.settings().dataUpdate.sources,
    // A worker cannot read a redirect's Location: the browser follows, and each hop it reports
    // (webRequest.onBeforeRedirect, through lib/tabs) is checked as it happens, the final address
    // in any case.
    redirects: 'browser',
    watchRedirects: (onHop) => {
      ownRedirects.add(onHop);
      return () => ownRedirects.delete(onHop);
    },
    current: async () => {
      const loaded = await deps.current();
      return loaded
        ? { table: loaded.table, ...(loaded.download ? { download: loaded.download } : {}) }
        : null;
    },
    switchTo: async (table, download) => {
      const db = await openDatabase(indexedDB);
      try {
        await importTable(db, table, Date.now(), download);
      } finally {
        db.close();
      }
      const before = await deps.current();
      deps.switched({ table, origin: 'indexeddb', problems: before?.problems ?? [], download });
    },
    loadLast: async () =>
      ((await browser.storage.local.get(LAST_UPDATE_KEY))[LAST_UPDATE_KEY] as
        LastUpdateAttempt | undefined) ?? null,
    saveLast: (attempt) => browser.storage.local.set({ [LAST_UPDATE_KEY]: attempt }),
    carrierGroups: DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
    automatic: () => deps.settings().dataUpdate.automatic,
    // Between slices of the download and the build's phases: tab events and messages get their
    // turn. An extension API call now and then resets Chromium's 30 s idle timer, which a fetch
    // alone does not (an alarm-started update has no open message port to keep the worker up).
    yieldToEvents: () => {
      if (Date.now() - lastKeepAlive > 10_000) {
        lastKeepAlive = Date.now();
        void browser.runtime.getPlatformInfo().catch(() => undefined);
      }
      return new Promise((done) => setTimeout(done, 0));
    },
    log,
  });

  return {
    updater,

    /** The weekly alarm exists exactly when automatic updates are on; an existing one keeps its time. */
    async schedule(automatic: boolean): Promise<void> {
      if (!automatic) {
        await browser.alarms.clear(UPDATE_ALARM);
        await browser.alarms.clear(SOON_ALARM);
        return;
      }
      const status = await updater.status();
      const now = Date.now();
      const stale = status.table?.publishedAt != null && isStale(status.table.publishedAt, now);
      const due =
        status.pendingCheck || status.last === null || now - status.last.at > STALE_RETRY_MS;
      if (stale && due && !status.running && !(await browser.alarms.get(SOON_ALARM))) {
        browser.alarms.create(SOON_ALARM, { delayInMinutes: SOON_MINUTES });
      }
      if (await browser.alarms.get(UPDATE_ALARM)) return;
      browser.alarms.create(UPDATE_ALARM, {
        delayInMinutes: FIRST_CHECK_MINUTES,
        periodInMinutes: WEEK_MINUTES,
      });
    },

    /** A hop of one of the worker's own requests (the download), for the update to check. */
    ownRedirect(from: string, to: string): void {
      for (const onHop of ownRedirects) onHop(from, to);
    },

    /** alarms.onAlarm: a scheduled check runs only while automatic updates are on. */
    alarm(alarm: Alarms.Alarm, ready: Promise<unknown>): void {
      if (alarm.name !== UPDATE_ALARM && alarm.name !== SOON_ALARM) return;
      ready
        .then(() => (deps.settings().dataUpdate.automatic ? updater.updateNow() : undefined))
        .catch((error: unknown) => log('scheduled update failed', error));
    },
  };
}

export type WorkerUpdates = ReturnType<typeof createWorkerUpdates>;
