/**
 * The history's rows in IndexedDB (the `history` store of lib/storage/database.ts). Every write
 * enforces both bounds in the same transaction: rows older than `maxAgeDays` go, then the oldest
 * rows beyond `maxEntries`, so the store never holds more than the settings allow, even for a
 * moment another reader could see.
 */
import type { IDBPObjectStore } from 'idb';
import type { CarrierFlagDatabase, CarrierFlagSchema } from '../storage/database';
import {
  ageCutoff,
  matchesFilter,
  mergeVisit,
  sameVisit,
  type HistoryAction,
  type HistoryFilter,
  type VisitRow,
} from './model';

/** The two bounds, from settings.history. */
export interface HistoryBounds {
  maxEntries: number;
  maxAgeDays: number;
}

/** How far back `recordAction` looks for the tab's row of the same site. */
export const ACTION_MATCH_WINDOW_MS = 30 * 60_000;
/** How many of the newest rows `recordAction` reads to find it. */
const ACTION_MATCH_ROWS = 50;

/** The history store inside a readwrite transaction. */
type HistoryObjectStore = IDBPObjectStore<CarrierFlagSchema, ['history'], 'history', 'readwrite'>;

/** Deletes rows older than the age bound, then the oldest beyond the count; returns how many. */
async function enforceBounds(
  store: HistoryObjectStore,
  bounds: HistoryBounds,
  now: number,
): Promise<number> {
  let removed = 0;
  const cutoff = ageCutoff(now, bounds.maxAgeDays);
  // Oldest first, up to the cutoff: no key range, so no IDBKeyRange global (lib/ names none).
  let old = await store.index('at').openCursor();
  while (old && old.value.at < cutoff) {
    await old.delete();
    removed += 1;
    old = await old.continue();
  }
  let excess = (await store.count()) - bounds.maxEntries;
  let oldest = excess > 0 ? await store.index('at').openCursor() : null;
  while (oldest && excess > 0) {
    await oldest.delete();
    removed += 1;
    excess -= 1;
    oldest = await oldest.continue();
  }
  return removed;
}

/** A visit as the recorder sees it: the row to add, or to merge into the row of the same id. */
export type VisitObservation = VisitRow;

/** An action on a site in a tab (the warning page): see `recordAction`. */
export interface ActionObservation {
  tabId: number;
  site: string;
  action: HistoryAction;
  /**
   * A visit of its own (a warning page shown before the site loaded: Firefox's hold, Chromium's
   * session rule): a new row, never merged into an earlier visit of the site in the tab.
   */
  newVisit?: boolean;
  /** When known: what the warning page names (a row created by the action starts with them). */
  carriers?: VisitRow['carriers'];
  networks?: VisitRow['networks'];
}

/** Creates the history store over an open database; `now` is passed so tests set the clock. */
export function createHistoryStore(db: CarrierFlagDatabase, now: () => number) {
  /** Runs `work` in one readwrite transaction of the history store, then the bounds. */
  async function write<T>(
    bounds: HistoryBounds,
    work: (store: HistoryObjectStore) => Promise<T>,
  ): Promise<T> {
    const tx = db.transaction('history', 'readwrite');
    const result = await work(tx.store);
    await enforceBounds(tx.store, bounds, now());
    await tx.done;
    return result;
  }

  return {
    /**
     * Adds the visit, or merges it into the row with its id (carriers, networks and hosts as
     * unions, the stronger action; the time of the first sighting stays). A merge that changes
     * nothing writes nothing. Returns the row as stored.
     */
    async recordVisit(visit: VisitObservation, bounds: HistoryBounds): Promise<VisitRow> {
      return write(bounds, async (store) => {
        const existing = await store.get(visit.id);
        const next = existing ? mergeVisit(existing, visit) : visit;
        if (!existing || !sameVisit(existing, next)) await store.put(next);
        return next;
      });
    },

    /**
     * What a warning or block page did (the warn/block code calls this through the worker): the
     * newest row of the same tab and site within ACTION_MATCH_WINDOW_MS takes the action if it is
     * stronger (HistoryAction's order); with no such row (the warning came before the page
     * loaded), a row is made for it, id `<tabId>:action:<at>`.
     */
    async recordAction(observation: ActionObservation, bounds: HistoryBounds): Promise<VisitRow> {
      const at = now();
      return write(bounds, async (store) => {
        const prefix = `${observation.tabId}:`;
        let cursor = observation.newVisit ? null : await store.index('at').openCursor(null, 'prev');
        let looked = 0;
        let found: VisitRow | undefined;
        while (
          cursor &&
          looked < ACTION_MATCH_ROWS &&
          cursor.value.at >= at - ACTION_MATCH_WINDOW_MS
        ) {
          const row = cursor.value;
          if (row.id.startsWith(prefix) && row.site === observation.site) {
            found = row;
            break;
          }
          looked += 1;
          cursor = await cursor.continue();
        }
        const more = {
          carriers: observation.carriers ?? [],
          networks: observation.networks ?? [],
          flaggedHosts: [],
          action: observation.action,
        };
        const next = found
          ? mergeVisit(found, more)
          : { id: `${prefix}action:${at}`, site: observation.site, at, ...more };
        if (!found || !sameVisit(found, next)) await store.put(next);
        return next;
      });
    },

    /** The rows passing `filter`, newest first. */
    async list(filter: HistoryFilter = {}): Promise<VisitRow[]> {
      // At most HISTORY_LIMITS.maxEntries rows: read in `at` order and filtered here.
      const rows = await db.getAllFromIndex('history', 'at');
      return rows.filter((row) => matchesFilter(row, filter)).reverse();
    },

    /** Every row's count. */
    count(): Promise<number> {
      return db.count('history');
    },

    /** Deletes every row; returns how many there were. */
    async clear(): Promise<number> {
      const tx = db.transaction('history', 'readwrite');
      const count = await tx.store.count();
      await tx.store.clear();
      await tx.done;
      return count;
    },

    /**
     * Adds checked rows (lib/history/export.ts validates them first), replacing rows of the same
     * id, in one transaction with the bounds: all or nothing. Returns how many rows the store
     * holds afterwards and how many the bounds removed (old rows of an import go at once).
     */
    async importRows(
      rows: readonly VisitRow[],
      bounds: HistoryBounds,
    ): Promise<{ stored: number; removedByBounds: number }> {
      const tx = db.transaction('history', 'readwrite');
      for (const row of rows) await tx.store.put(row);
      const removedByBounds = await enforceBounds(tx.store, bounds, now());
      const stored = await tx.store.count();
      await tx.done;
      return { stored, removedByBounds };
    },

    /** Applies the bounds now (after the settings lowered them); returns how many rows went. */
    async prune(bounds: HistoryBounds): Promise<number> {
      const tx = db.transaction('history', 'readwrite');
      const removed = await enforceBounds(tx.store, bounds, now());
      await tx.done;
      return removed;
    },
  };
}

export type HistoryStore = ReturnType<typeof createHistoryStore>;
