import { publishedAtOf, saneDate } from './data-update/dates';
import type { DownloadRecord } from './data-update/update';
import type { CarrierFlagDatabase, CarrierFlagSchema } from './storage/database';
import {
  decodeTable,
  imageChecksum,
  imageVersionOf,
  readTableMeta,
  tableFromColumns,
  tableFromImage,
  tableImage,
  type PrefixTable,
  type TableCodec,
  type TableMeta,
  TABLE_FORMAT_VERSION,
  TABLE_IMAGE_VERSION,
} from './prefix-table';

type StoredRecord = CarrierFlagSchema['tables']['value'];

export interface LoadedTable {
  table: PrefixTable;
  /** 'indexeddb': served from (or just written to) the database; 'bundled': decoded from the package only. */
  origin: 'indexeddb' | 'bundled';
  problems: string[];
  /** Present when the table in use was downloaded (lib/data-update) rather than bundled. */
  download?: DownloadRecord;
}

export interface TableLoaderDeps {
  /**
   * The bundled table's `tableIdOf(meta)`, when known without reading the file (the build embeds
   * it): a worker start whose stored table matches then never touches the 2 MB bundled file.
   */
  bundledTableId?: string;
  /** The bundled table file from the extension package. */
  fetchBundled(): Promise<Uint8Array>;
  openDatabase(): Promise<CarrierFlagDatabase>;
  codec: TableCodec;
  now(): number;
}

/**
 * Loads the prefix table once per worker life: from IndexedDB when it holds the bundled version or
 * a downloaded table published no earlier than the bundled data (an extension update that bundles
 * newer data replaces a downloaded table; one with older data does not), otherwise by decoding the
 * bundled file (checksum verified) and importing it. An import writes the
 * new table and switches the 'active' pointer in one transaction, then drops older tables, so a
 * worker killed half-way leaves the previous whole table in use. If IndexedDB fails in any way the
 * bundled table is used and the problem is reported, never thrown.
 */
export async function loadTable(deps: TableLoaderDeps): Promise<LoadedTable> {
  const problems: string[] = [];
  let bundled: Uint8Array | undefined;
  let bundledId: string | undefined = deps.bundledTableId || undefined;
  const readBundled = async (): Promise<void> => {
    try {
      bundled = await deps.fetchBundled();
      bundledId = tableIdOf(readTableMeta(bundled));
    } catch (error) {
      problems.push(`The bundled prefix table could not be read: ${messageOf(error)}`);
    }
  };
  if (!bundledId) await readBundled();

  let db: CarrierFlagDatabase | undefined;
  let staleId: string | undefined;
  try {
    db = await deps.openDatabase();
  } catch (error) {
    problems.push(`IndexedDB is unavailable (${messageOf(error)}); using the bundled table.`);
  }

  if (db) {
    try {
      const active = await db.get('pointers', 'active');
      const record = active ? await db.get('tables', active.tableId) : undefined;
      const keepDownloaded =
        record?.download !== undefined && downloadedIsCurrent(record, bundledId, deps.now());
      if (active && (!bundledId || active.tableId === bundledId || keepDownloaded)) {
        if (!record) {
          problems.push('The stored prefix table is missing; re-importing the bundled one.');
        } else {
          const stored = await storedTable(record, { validate: false });
          if (typeof stored !== 'string') {
            const { table, olderImage } = stored;
            // Stored by an earlier release in an older layout: stored again in this one, so the
            // next start reads it directly; the same record (a download stays a download).
            if (olderImage) {
              await importTable(db, table, record.storedAt, record.download).catch(
                (error: unknown) =>
                  problems.push(
                    `The prefix table could not be stored in IndexedDB (${messageOf(error)}).`,
                  ),
              );
            }
            return record.download
              ? { table, origin: 'indexeddb', problems, download: record.download }
              : { table, origin: 'indexeddb', problems };
          }
          problems.push(
            `The stored prefix table is damaged (${stored}); using the bundled table and storing it again.`,
          );
        }
      } else if (active) {
        staleId = active.tableId;
        // A downloaded table the pointer names but the database lost: not a silent step back.
        if (!record)
          problems.push('The stored prefix table is missing; re-importing the bundled one.');
      }
    } catch (error) {
      problems.push(`The stored prefix table is unreadable (${messageOf(error)}); re-importing.`);
    }
  }

  if (!bundled) await readBundled();
  if (!bundled && db && staleId) {
    // An older release's table is better than none while the bundled file is unreadable.
    const record = await db.get('tables', staleId).catch(() => undefined);
    // Written by an older release, whose columns may not meet this one's invariants: checked.
    const stored = record ? await storedTable(record, { validate: true }) : 'missing';
    if (typeof stored !== 'string') {
      problems.push('Using the previously stored prefix table.');
      return { table: stored.table, origin: 'indexeddb', problems };
    }
  }
  if (!bundled) throw new Error(problems.join(' '));
  const table = await decodeTable(bundled, deps.codec);
  if (db) {
    try {
      await importTable(db, table, deps.now());
      return { table, origin: 'indexeddb', problems };
    } catch (error) {
      problems.push(`The prefix table could not be stored in IndexedDB (${messageOf(error)}).`);
    }
  }
  return { table, origin: 'bundled', problems };
}

/**
 * Whether a downloaded table stays in use with this bundled table: the same table format, and its
 * data published no earlier than the bundled data (when the bundled version carries no date, the
 * download, which always does, is kept).
 */
function downloadedIsCurrent(
  record: { meta: TableMeta; download?: DownloadRecord },
  bundledId: string | undefined,
  now: number,
): boolean {
  if (!record.download || record.meta.formatVersion !== TABLE_FORMAT_VERSION) return false;
  // A download dated in the future (an earlier release took one) is not believed: the bundled
  // data replaces it, or such a date would keep every later release's data out for good.
  if (saneDate(record.download.publishedAt, now) === undefined) return false;
  if (!bundledId) return true;
  const parts = bundledId.split('|');
  const bundledPublished = publishedAtOf(parts[parts.length - 2] ?? '');
  return bundledPublished === undefined || record.download.publishedAt >= bundledPublished;
}

/**
 * Writes `table`, points 'active' at it and deletes every other table, all in one transaction:
 * the bundled import and a downloaded update (with its `download` record) switch the same way, so
 * a worker stopped at any moment leaves the old table or the new one, whole.
 */
export async function importTable(
  db: CarrierFlagDatabase,
  table: PrefixTable,
  now: number,
  download?: DownloadRecord,
): Promise<void> {
  const id = tableIdOf(table.meta);
  // Imaged and hashed before the transaction opens: nothing unrelated is awaited inside it.
  const image = tableImage(table);
  const checksum = imageChecksum(image);
  const blob = new Blob([image]);
  const tx = db.transaction(['tables', 'pointers'], 'readwrite');
  const tables = tx.objectStore('tables');
  await tables.put({
    id,
    meta: table.meta,
    image: blob,
    imageChecksum: checksum,
    storedAt: now,
    ...(download ? { download } : {}),
  });
  await tx.objectStore('pointers').put({ name: 'active', tableId: id });
  for (const key of await tables.getAllKeys()) {
    if (key !== id) await tables.delete(key);
  }
  await tx.done;
}

/**
 * Identifies a table release. The file checksum covers the header too, so it alone would tell
 * releases apart; the readable fields keep the id self-explaining in IndexedDB and in logs.
 */
export function tableIdOf(meta: TableMeta): string {
  return [meta.formatVersion, meta.source, meta.sourceVersion, meta.sha256].join('|');
}

/**
 * The table of a stored record, or why it must not be used: the image is read in one piece and
 * must hash to the checksum written at import (a flipped byte would otherwise answer with a wrong
 * ASN, since the lookups trust the columns) and carry the header its record names. Only a table
 * that `decodeTable` had validated is ever imaged and stored (importTable), and the checksum proves
 * these are its bytes, so the invariant pass of `tableFromColumns` is skipped unless `validate`
 * (an older release's table) asks for it: the worker restart is the step with the tightest budget
 * (issue 10: 10 ms).
 */
async function storedTable(
  record: StoredRecord,
  options: { validate: boolean },
): Promise<{ table: PrefixTable; olderImage: boolean } | string> {
  if (record.imageChecksum === undefined) return 'it has no checksum';
  if (!(record.image instanceof Blob)) return 'it has no table image';
  try {
    const image = new Uint8Array(await record.image.arrayBuffer());
    if (imageChecksum(image) !== record.imageChecksum) return 'checksum mismatch';
    const imaged = tableFromImage(image);
    if (tableIdOf(imaged.meta) !== record.id || tableIdOf(record.meta) !== record.id) {
      return 'its header does not match its record';
    }
    // An older layout is validated by tableFromImage as it rebuilds the columns.
    const olderImage = imageVersionOf(image) !== TABLE_IMAGE_VERSION;
    const table = options.validate && !olderImage ? tableFromColumns(imaged.toColumns()) : imaged;
    return { table, olderImage };
  } catch (error) {
    return messageOf(error);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
