// idb's wrap() checks instanceof against the global IDB classes: install fake ones.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  encodeTable,
  imageChecksum,
  tableFromImage,
  imageVersionOf,
  tableFromColumns,
  tableImage,
  TableFormatError,
  TABLE_IMAGE_VERSION,
  type PrefixTable,
  type TableColumns,
} from '../../lib/prefix-table';
import { CHECKSUM_LENGTH } from '../../lib/prefix-table/encode';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../lib/prefix-table/node-codec';
import type { RoutedRange } from '../../lib/sources/types';
import { openDatabase, type CarrierFlagSchema } from '../../lib/storage/database';
import { importTable, loadTable, tableIdOf } from '../../lib/table-loader';
import { version2Image } from './support/older-image';

const v4 = (a: number, b: number, c: number, d: number) =>
  BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
const RANGES: RoutedRange[] = [
  { family: 4, start: v4(1, 1, 1, 0), end: v4(1, 1, 1, 255), asn: 13335, org: 'Cloudflare' },
  { family: 4, start: v4(202, 96, 128, 0), end: v4(202, 96, 191, 255), asn: 4134, org: 'Chinanet' },
];

function tableFile(version: string): Uint8Array {
  return encodeTable(
    RANGES,
    { source: 'test', sourceVersion: version, builtFrom: 'fixture' },
    nodeTableEncoderCodec,
  );
}

function deps(factory: IDBFactory, file: Uint8Array) {
  return {
    fetchBundled: async () => file,
    openDatabase: () => openDatabase(factory),
    codec: nodeTableCodec,
    now: () => 0,
  };
}

type StoredTable = CarrierFlagSchema['tables']['value'];

const asnOf = (table: PrefixTable, ip: string) => {
  const r = table.lookup(ip);
  return r.kind === 'routed' ? r.asn : r.kind;
};

describe('table loader', () => {
  it('imports the bundled table on first start, then serves it from IndexedDB', async () => {
    const factory = new IDBFactory();
    const first = await loadTable(deps(factory, tableFile('v1')));
    expect(first.problems).toEqual([]);
    expect(first.origin).toBe('indexeddb');
    expect(asnOf(first.table, '202.96.128.86')).toBe(4134);

    // A bundled file that fails to decode proves the second start never decoded it. The damage is
    // in the payload's last byte: the checksum after it (the table's id) stays the same.
    const corrupt = tableFile('v1');
    corrupt[corrupt.length - 1 - CHECKSUM_LENGTH]! ^= 0xff;
    const second = await loadTable(deps(factory, corrupt));
    expect(second.origin).toBe('indexeddb');
    expect(asnOf(second.table, '1.1.1.1')).toBe(13335);
  });

  it('switches to a new release and deletes the old table', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, tableFile('v1')));
    const upgraded = await loadTable(deps(factory, tableFile('v2')));
    expect(upgraded.table.meta.sourceVersion).toBe('v2');
    const db = await openDatabase(factory);
    expect(await db.getAllKeys('tables')).toEqual([tableIdOf(upgraded.table.meta)]);
    expect((await db.get('pointers', 'active'))?.tableId).toBe(tableIdOf(upgraded.table.meta));
  });

  it('keeps the previous whole table when an import is interrupted', async () => {
    const factory = new IDBFactory();
    const old = await loadTable(deps(factory, tableFile('v1')));
    const db = await openDatabase(factory);
    const next = (await loadTable(deps(new IDBFactory(), tableFile('v2')))).table;
    // Abort the import transaction half-way: the new table is written but the pointer is not.
    const tx = db.transaction(['tables', 'pointers'], 'readwrite');
    const image = tableImage(next);
    await tx.objectStore('tables').put({
      id: tableIdOf(next.meta),
      meta: next.meta,
      image: new Blob([image]),
      imageChecksum: imageChecksum(image),
      storedAt: 1,
    });
    tx.abort();
    await tx.done.catch(() => {});
    expect((await db.get('pointers', 'active'))?.tableId).toBe(tableIdOf(old.table.meta));
    expect(await db.getAllKeys('tables')).toEqual([tableIdOf(old.table.meta)]);
    await importTable(db, next, 2);
    expect((await db.get('pointers', 'active'))?.tableId).toBe(tableIdOf(next.meta));
  });

  it('says so when the active pointer names a table the database no longer holds', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, tableFile('v1')));
    const db = await openDatabase(factory);
    await db.put('pointers', { name: 'active', tableId: 'a downloaded table that was lost' });
    db.close();
    const loaded = await loadTable(deps(factory, tableFile('v1')));
    expect(loaded.problems).toEqual([
      'The stored prefix table is missing; re-importing the bundled one.',
    ]);
    expect(asnOf(loaded.table, '202.96.128.86')).toBe(4134);
  });

  it('falls back to the bundled table and says why when IndexedDB cannot open', async () => {
    const broken = {
      open: () => {
        throw new Error('quota exceeded');
      },
    } as unknown as IDBFactory;
    const loaded = await loadTable(deps(broken, tableFile('v1')));
    expect(loaded.origin).toBe('bundled');
    expect(loaded.problems.join(' ')).toMatch(/IndexedDB is unavailable \(quota exceeded\)/);
    expect(asnOf(loaded.table, '202.96.128.86')).toBe(4134);
  });

  it('keeps a table an earlier release stored in an older image layout, download record and all, and stores it anew', async () => {
    const factory = new IDBFactory();
    const first = await loadTable(deps(factory, tableFile('v1')));
    const db = await openDatabase(factory);
    const id = tableIdOf(first.table.meta);
    const older = version2Image(first.table);
    const download = {
      url: 'https://data.test/asn/',
      files: [{ name: 'asn-ipv4-num.csv', etag: '"1"' }],
      publishedAt: 5,
      fetchedAt: 6,
    };
    const record = (await db.get('tables', id))!;
    await db.put('tables', {
      ...record,
      image: new Blob([older]),
      imageChecksum: imageChecksum(older),
      download,
    });
    // The bundled file cannot decode (its id unchanged): the table must come from the older image.
    const corrupt = tableFile('v1');
    corrupt[corrupt.length - 1 - CHECKSUM_LENGTH]! ^= 0xff;
    const loaded = await loadTable(deps(factory, corrupt));
    expect(loaded.problems).toEqual([]);
    expect(loaded.origin).toBe('indexeddb');
    expect(loaded.download).toEqual(download);
    expect(asnOf(loaded.table, '202.96.128.86')).toBe(4134);
    const stored = (await db.get('tables', id))!;
    expect(imageVersionOf(new Uint8Array(await stored.image.arrayBuffer()))).toBe(
      TABLE_IMAGE_VERSION,
    );
    expect(stored.download).toEqual(download);
    expect(stored.storedAt).toBe(record.storedAt);
  });

  it('re-imports when the stored record is corrupt', async () => {
    const factory = new IDBFactory();
    const first = await loadTable(deps(factory, tableFile('v1')));
    const db = await openDatabase(factory);
    const record = await db.get('tables', tableIdOf(first.table.meta));
    await db.put('tables', { ...record!, image: new Blob([new Uint8Array([1, 2, 3])]) });
    const again = await loadTable(deps(factory, tableFile('v1')));
    expect(again.problems.join(' ')).toMatch(/stored prefix table is damaged/);
    expect(asnOf(again.table, '202.96.128.86')).toBe(4134);
  });

  /**
   * Loads once (importing), damages the stored record, then loads as a restarted worker would.
   * `damage` gets the record, its image's bytes and the columns as views into those bytes: what it
   * changes there is written back as the record's image.
   */
  async function restartAfterDamage(
    damage: (record: StoredTable, image: Uint8Array<ArrayBuffer>, columns: TableColumns) => void,
  ) {
    const factory = new IDBFactory();
    const file = tableFile('v1');
    const first = await loadTable(deps(factory, file));
    const db = await openDatabase(factory);
    const id = tableIdOf(first.table.meta);
    const record = (await db.get('tables', id))!;
    const image = new Uint8Array(await record.image.arrayBuffer());
    damage(record, image, tableFromImage(image).toColumns());
    await db.put('tables', { ...record, image: new Blob([image]) });
    const restarted = await loadTable({ ...deps(factory, file), bundledTableId: id });
    const stored = (await db.get('tables', id))!;
    const storedColumns = tableFromImage(
      new Uint8Array(await stored.image.arrayBuffer()),
    ).toColumns();
    return { restarted, stored, storedColumns };
  }

  it('refuses a stored table with a flipped byte in a column and falls back to the bundled one', async () => {
    // Pair 2 is Chinanet (AS4134); the flip would make 202.96.128.86 answer AS4135.
    const { restarted, storedColumns } = await restartAfterDamage((_record, _image, columns) => {
      columns.pairAsns[2]! ^= 1;
    });
    expect(asnOf(restarted.table, '202.96.128.86')).toBe(4134);
    expect(restarted.problems.join(' ')).toMatch(
      /stored prefix table is damaged \(checksum mismatch\)/,
    );
    // Stored again, whole: the next start is clean.
    expect(storedColumns.pairAsns[2]).toBe(4134);
  });

  it('trusts a stored image whose checksum matches: a restart runs no second invariant pass', async () => {
    // A name offset out of order fails tableFromColumns' invariant pass; with the checksum written
    // to match, only the checksum stands between the columns and the lookup, and it is satisfied.
    const { restarted } = await restartAfterDamage((record, image, columns) => {
      columns.nameStarts[0] = 1;
      expect(() => tableFromColumns(columns)).toThrow(TableFormatError);
      record.imageChecksum = imageChecksum(image);
    });
    expect(restarted.problems).toEqual([]);
    expect(restarted.origin).toBe('indexeddb');
    expect(asnOf(restarted.table, '202.96.128.86')).toBe(4134);
  });

  it('refuses a stored table whose header fields were changed', async () => {
    const { restarted } = await restartAfterDamage((_record, image) => {
      // The image's own header: '"source":"test"' becomes '"source":"tess"'.
      const at = Buffer.from(image).indexOf('"source":"test"');
      expect(at).toBeGreaterThan(0);
      image[at + 13] = 's'.charCodeAt(0);
    });
    expect(restarted.table.meta.source).toBe('test');
    expect(restarted.problems.join(' ')).toMatch(/damaged \(checksum mismatch\)/);
  });

  it('refuses a stored table whose record names another header than its image', async () => {
    const { restarted } = await restartAfterDamage((record) => {
      record.meta = { ...record.meta, source: 'someone else' };
    });
    expect(restarted.table.meta.source).toBe('test');
    expect(restarted.problems.join(' ')).toMatch(/damaged \(its header does not match/);
  });

  it('refuses a stored image whose bytes were cut short, even with a matching checksum', async () => {
    const factory = new IDBFactory();
    const file = tableFile('v1');
    const first = await loadTable(deps(factory, file));
    const db = await openDatabase(factory);
    const id = tableIdOf(first.table.meta);
    const record = (await db.get('tables', id))!;
    const cut = new Uint8Array(await record.image.arrayBuffer()).slice(0, 200);
    await db.put('tables', {
      ...record,
      image: new Blob([cut]),
      imageChecksum: imageChecksum(cut),
    });
    const restarted = await loadTable({ ...deps(factory, file), bundledTableId: id });
    expect(restarted.problems.join(' ')).toMatch(/damaged \(table image: /);
    expect(asnOf(restarted.table, '202.96.128.86')).toBe(4134);
  });

  it('refuses a stored table without a checksum (written before checksums existed)', async () => {
    const { restarted } = await restartAfterDamage((record) => {
      delete (record as Partial<StoredTable>).imageChecksum;
    });
    expect(restarted.problems.join(' ')).toMatch(/damaged \(it has no checksum\)/);
    expect(asnOf(restarted.table, '202.96.128.86')).toBe(4134);
  });

  it('refuses a corrupt bundled table when nothing is stored', async () => {
    const corrupt = tableFile('v1');
    corrupt[corrupt.length - 1]! ^= 0xff;
    await expect(loadTable(deps(new IDBFactory(), corrupt))).rejects.toThrow(/checksum|corrupt/i);
  });
});

describe('table loader with the table id known at build time', () => {
  it('never fetches the bundled file when the stored table is the bundled one', async () => {
    const factory = new IDBFactory();
    const file = tableFile('v1');
    const first = await loadTable(deps(factory, file));
    let fetched = 0;
    const again = await loadTable({
      ...deps(factory, file),
      bundledTableId: tableIdOf(first.table.meta),
      fetchBundled: async () => {
        fetched++;
        return file;
      },
    });
    expect(fetched).toBe(0);
    expect(again.origin).toBe('indexeddb');
    expect(asnOf(again.table, '202.96.128.86')).toBe(4134);
  });

  it('imports a new release when the built-in id differs from the stored one', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, tableFile('v1')));
    const next = tableFile('v2');
    const loaded = await loadTable({
      ...deps(factory, next),
      bundledTableId: tableIdOf((await loadTable(deps(new IDBFactory(), next))).table.meta),
    });
    expect(loaded.table.meta.sourceVersion).toBe('v2');
  });

  it('keeps the older stored table when the new bundled file is unreadable', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, tableFile('v1')));
    const loaded = await loadTable({
      ...deps(factory, tableFile('v2')),
      bundledTableId: 'a release that is not stored',
      fetchBundled: async () => {
        throw new Error('HTTP 404');
      },
    });
    expect(loaded.table.meta.sourceVersion).toBe('v1');
    expect(loaded.problems.join(' ')).toMatch(/HTTP 404.*previously stored/);
  });
});
