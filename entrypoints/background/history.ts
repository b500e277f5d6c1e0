/**
 * The worker's side of the local history (lib/history): records each flagged page as lib/tabs
 * decides its badge (`onJudged`), takes the warning and block pages' actions (`recordAction`), and
 * answers the settings page's list, clear and import. IndexedDB is opened on first use, so a worker
 * start that records nothing never opens it. Private windows are never recorded: the tab is asked.
 */
import type { Browser } from 'webextension-polyfill';
import {
  createHistoryRecorder,
  createHistoryStore,
  readHistoryFile,
  type ActionObservation,
  type HistoryFilter,
  type HistoryStore,
  type VisitRow,
} from '../../lib/history';
import type { HistoryImportResult } from '../../lib/messages';
import type { Settings } from '../../lib/settings';
import { openDatabase } from '../../lib/storage/database';
import type { ThirdPartySummary } from '../../lib/tabs/page-hosts';
import type { TabReport } from '../../lib/tabs/types';

export interface WorkerHistoryDeps {
  settings(): Settings;
  log(message: string, error?: unknown): void;
}

/** A filter from a page, keeping only well-formed parts (a page is ours, but typed at runtime). */
function cleanFilter(value: unknown): HistoryFilter {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const filter: HistoryFilter = {};
  if (typeof v.carrier === 'string' && v.carrier !== '') filter.carrier = v.carrier;
  const from = time(v.from);
  const to = time(v.to);
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  return filter;
}

export function createWorkerHistory(browser: Browser, deps: WorkerHistoryDeps) {
  let opened: Promise<HistoryStore> | undefined;
  const store = () => {
    opened ??= openDatabase(indexedDB).then(
      (db) => createHistoryStore(db, Date.now),
      (error: unknown) => {
        opened = undefined; // tried again on the next write
        throw error;
      },
    );
    return opened;
  };
  const bounds = () => {
    const { maxEntries, maxAgeDays } = deps.settings().history;
    return { maxEntries, maxAgeDays };
  };
  const recorder = createHistoryRecorder({
    store,
    settings: deps.settings,
    isPrivateTab: async (tabId) => (await browser.tabs.get(tabId)).incognito,
    now: Date.now,
    log: deps.log,
  });

  return {
    /** lib/tabs' onJudged. */
    onJudged(report: TabReport, hosts: ThirdPartySummary | null): void {
      recorder.judged(report, hosts);
    },

    /**
     * For the warning and block pages (issue 21 §1): what happened to a site in a tab ('warned',
     * 'blocked', 'continued'); see HistoryStore.recordAction for which row takes it.
     */
    recordAction(observation: ActionObservation): Promise<VisitRow | null> {
      return recorder.recordAction(observation);
    },

    /** The settings page's table (after every write asked for so far). */
    async list(filter: unknown): Promise<{ rows: VisitRow[]; total: number }> {
      return recorder.afterWrites(async () => {
        const history = await store();
        return { rows: await history.list(cleanFilter(filter)), total: await history.count() };
      });
    },

    async clear(): Promise<{ cleared: number }> {
      return recorder.afterWrites(async () => ({ cleared: await (await store()).clear() }));
    },

    async import(text: unknown): Promise<HistoryImportResult> {
      if (typeof text !== 'string') return { ok: false, reason: 'no file text' };
      const read = readHistoryFile(text);
      if (!read.ok) return read;
      return recorder.afterWrites(async () => {
        const result = await (await store()).importRows(read.rows, bounds());
        return { ok: true, imported: read.rows.length, ...result };
      });
    },

    /** New settings: lowered bounds apply at once. */
    async settingsChanged(): Promise<void> {
      await recorder.afterWrites(async () => {
        await (await store()).prune(bounds());
      });
    },
  };
}

export type WorkerHistory = ReturnType<typeof createWorkerHistory>;
