import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { DownloadRecord } from '../data-update/update';
import type { VisitRow } from '../history/model';
import type { TableMeta } from '../prefix-table';

/** The one IndexedDB schema of the extension. Upgrades are `if (oldVersion < N)` steps below. */
export interface CarrierFlagSchema extends DBSchema {
  /** Decoded prefix tables, keyed by `tableIdOf(meta)` (so a new release never overwrites in place). */
  tables: {
    key: string;
    value: {
      id: string;
      /** A copy of the header inside the image, readable without reading the image. */
      meta: TableMeta;
      /**
       * The decoded table as one buffer (`tableImage`, lib/prefix-table/table-image.ts), stored as
       * a Blob: Chromium hands a Blob's bytes back in one read, where a 9 MB structured-cloned
       * value is copied about twice more (issue 10: a worker restart within 10 ms).
       */
      image: Blob;
      /** `imageChecksum` of the image's bytes at import, checked on every load. */
      imageChecksum: string;
      storedAt: number;
      /**
       * Set on a table built from a routing data download (lib/data-update), absent on the
       * bundled one: where it came from, when it was published, and the validators for the next
       * conditional request. Written in the same transaction as the table, so they always match.
       */
      download?: DownloadRecord;
    };
  };
  /** Pointers: 'active' names the table in use. Switched in the same transaction that writes a table. */
  pointers: {
    key: string;
    value: { name: 'active'; tableId: string };
  };
  /**
   * The local history of flagged visits (version 3, lib/history): one row per visit, keyed by its
   * id; the `at` index serves the bounds (oldest first) and the newest-first listing.
   */
  history: {
    key: string;
    value: VisitRow;
    indexes: { at: number };
  };
}

export const DATABASE_NAME = 'carrierflag';
export const DATABASE_VERSION = 3;

export type CarrierFlagDatabase = IDBPDatabase<CarrierFlagSchema>;

/**
 * Opens (creating or upgrading) the database through the given factory, so tests can pass
 * fake-indexeddb and the worker passes the real `indexedDB`. Rejects if the open is blocked.
 */
export function openDatabase(factory: IDBFactory): Promise<CarrierFlagDatabase> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(DATABASE_NAME, DATABASE_VERSION);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        db.createObjectStore('tables', { keyPath: 'id' });
        db.createObjectStore('pointers', { keyPath: 'name' });
      }
      if (event.oldVersion >= 1 && event.oldVersion < 2) {
        // Version 1 stored the columns as a structured clone (no image): dropped, so the loader
        // imports the bundled table as on a first run. A downloaded table is fetched again by
        // the next update check (its validators went with it).
        const upgrade = request.transaction!;
        upgrade.objectStore('tables').clear();
        upgrade.objectStore('pointers').clear();
      }
      if (event.oldVersion < 3) {
        // Added beside the tables, which stay as they are (no re-import after the upgrade).
        const history = db.createObjectStore('history', { keyPath: 'id' });
        history.createIndex('at', 'at');
      }
    };
    request.onblocked = () => reject(new Error('IndexedDB open is blocked by another connection'));
    request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
    request.onsuccess = () => resolve(wrap(request.result) as CarrierFlagDatabase);
  });
}
