import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { DownloadRecord } from '../data-update/update';
import type { TableColumns, TableMeta } from '../prefix-table';

/** The one IndexedDB schema of the extension. Upgrades are `if (oldVersion < N)` steps below. */
export interface CarrierFlagSchema extends DBSchema {
  /** Decoded prefix tables, keyed by `tableIdOf(meta)` (so a new release never overwrites in place). */
  tables: {
    key: string;
    value: {
      id: string;
      meta: TableMeta;
      columns: TableColumns;
      storedAt: number;
      /**
       * `columnsChecksum(columns)` at import, checked on every load. Absent in records written
       * before it existed: such a record is treated as unverified and re-imported.
       */
      columnsChecksum?: string;
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
}

export const DATABASE_NAME = 'carrierflag';
export const DATABASE_VERSION = 1;

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
    };
    request.onblocked = () => reject(new Error('IndexedDB open is blocked by another connection'));
    request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
    request.onsuccess = () => resolve(wrap(request.result) as CarrierFlagDatabase);
  });
}
