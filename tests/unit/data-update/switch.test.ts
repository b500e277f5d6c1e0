// idb's wrap() checks instanceof against the global IDB classes: install fake ones.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  buildTableFromRanges,
  createDataUpdateService,
  type DownloadRecord,
  type LastUpdateAttempt,
} from '../../../lib/data-update';
import {
  encodeTable,
  imageChecksum,
  tableImage,
  type PrefixTable,
} from '../../../lib/prefix-table';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../../lib/prefix-table/node-codec';
import type { RoutedRange } from '../../../lib/sources/types';
import { openDatabase } from '../../../lib/storage/database';
import { importTable, loadTable, tableIdOf } from '../../../lib/table-loader';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import { startRoutingServer, syntheticData, toCsv } from '../support/routing-data';

const RANGE = (asn: number): RoutedRange[] => [
  {
    family: 4,
    start: 0x01010100n,
    end: 0x010101ffn,
    asn,
    org: asn === 4134 ? 'Chinanet' : 'Other',
  },
  {
    family: 6,
    start: 0x2001n << 112n,
    end: (0x2001n << 112n) + (1n << 96n) - 1n,
    asn: 6939,
    org: 'HE',
  },
];

/** A bundled file whose version says it was published on `day` (ip-location-db's YYYYMMDDHH). */
const bundledFile = (stamp: string) =>
  encodeTable(
    RANGE(13335),
    { source: '@ip-location-db/asn', sourceVersion: `2.3.${stamp}`, builtFrom: 'x' },
    nodeTableEncoderCodec,
  );

async function downloaded(
  publishedAt: string,
): Promise<{ table: PrefixTable; download: DownloadRecord }> {
  const { table } = await buildTableFromRanges(
    RANGE(4134),
    {
      source: 'https://data.example/',
      sourceVersion: publishedAt.replace(/\D/g, '').slice(0, 10),
      builtFrom: 'csv',
    },
    nodeTableCodec,
  );
  const download: DownloadRecord = {
    url: 'https://data.example/',
    files: [{ name: 'asn-ipv4-num.csv', etag: '"a"' }],
    publishedAt: Date.parse(publishedAt),
    fetchedAt: Date.parse(publishedAt),
  };
  return { table, download };
}

function deps(factory: IDBFactory, file: Uint8Array, withId = true) {
  return {
    ...(withId ? { bundledTableId: tableIdOf(encodeMetaOf(file)) } : {}),
    fetchBundled: async () => file,
    openDatabase: () => openDatabase(factory),
    codec: nodeTableCodec,
    now: () => Date.parse('2026-12-05T12:00:00Z'),
  };
}
// The header alone, as the build embeds it.
import { readTableMeta } from '../../../lib/prefix-table';
const encodeMetaOf = (file: Uint8Array) => readTableMeta(file);

describe('a downloaded table in IndexedDB', () => {
  it('stays in use across worker starts while the bundled data is older, with its download record', async () => {
    const factory = new IDBFactory();
    const file = bundledFile('2026061719');
    await loadTable(deps(factory, file));
    const next = await downloaded('2026-12-01T10:00:00Z');
    const db = await openDatabase(factory);
    await importTable(db, next.table, 1, next.download);
    for (const withId of [true, false]) {
      const loaded = await loadTable(deps(factory, file, withId));
      expect(loaded.table.lookup('1.1.1.1')).toMatchObject({ asn: 4134 });
      expect(loaded.download).toEqual(next.download);
    }
    // One table stored: the switch deleted the bundled one in the same transaction.
    expect(await db.getAllKeys('tables')).toEqual([tableIdOf(next.table.meta)]);
  });

  it('is replaced by an extension update that bundles newer data', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, bundledFile('2026061719')));
    const next = await downloaded('2026-12-01T10:00:00Z');
    await importTable(await openDatabase(factory), next.table, 1, next.download);
    const newer = await loadTable(deps(factory, bundledFile('2027010112')));
    expect(newer.table.lookup('1.1.1.1')).toMatchObject({ asn: 13335 });
    expect(newer.download).toBeUndefined();
  });

  it('dated in the future (taken by an earlier release), is replaced by the bundled data', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, bundledFile('2026061719')));
    const poisoned = await downloaded('2099-12-31T00:00:00Z');
    await importTable(await openDatabase(factory), poisoned.table, 1, poisoned.download);
    const restarted = await loadTable(deps(factory, bundledFile('2026061719')));
    expect(restarted.table.lookup('1.1.1.1')).toMatchObject({ asn: 13335 });
    expect(restarted.download).toBeUndefined();
  });

  it('is kept when an extension update bundles older data than it', async () => {
    const factory = new IDBFactory();
    await loadTable(deps(factory, bundledFile('2026061719')));
    const next = await downloaded('2026-12-01T10:00:00Z');
    await importTable(await openDatabase(factory), next.table, 1, next.download);
    const release = await loadTable(deps(factory, bundledFile('2026110100')));
    expect(release.table.lookup('1.1.1.1')).toMatchObject({ asn: 4134 });
  });

  it('is never mixed with the old table when the switch is interrupted', async () => {
    const factory = new IDBFactory();
    const file = bundledFile('2026061719');
    await loadTable(deps(factory, file));
    const next = await downloaded('2026-12-01T10:00:00Z');
    const db = await openDatabase(factory);
    const tx = db.transaction(['tables', 'pointers'], 'readwrite');
    const image = tableImage(next.table);
    await tx.objectStore('tables').put({
      id: tableIdOf(next.table.meta),
      meta: next.table.meta,
      image: new Blob([image]),
      imageChecksum: imageChecksum(image),
      storedAt: 1,
      download: next.download,
    });
    tx.abort();
    await tx.done.catch(() => {});
    const loaded = await loadTable(deps(factory, file));
    expect(loaded.table.lookup('1.1.1.1')).toMatchObject({ asn: 13335 });
    expect(loaded.download).toBeUndefined();
  });
});

describe('the update service', () => {
  it('runs one attempt at a time, switches on success and keeps the outcome in words', async () => {
    const server = await startRoutingServer();
    try {
      const data = syntheticData();
      const lastModified = 'Tue, 01 Dec 2026 10:00:00 GMT';
      server.serve('asn-ipv4-num.csv', {
        kind: 'file',
        body: toCsv(data.v4),
        etag: '"4"',
        lastModified,
      });
      server.serve('asn-ipv6-num.csv', {
        kind: 'file',
        body: toCsv(data.v6),
        etag: '"6"',
        lastModified,
      });
      let current: { table: PrefixTable; download?: DownloadRecord } | null = null;
      let switches = 0;
      const saved: LastUpdateAttempt[] = [];
      const progressWhileSwitching: unknown[] = [];
      const service: ReturnType<typeof createDataUpdateService> = createDataUpdateService({
        fetch: (url, init) => fetch(url, init),
        codec: nodeTableCodec,
        now: () => Date.parse('2026-12-02T00:00:00Z'),
        sources: () => [server.url + 'asn-ipv4-num.csv'],
        automatic: () => true,
        current: async () => current,
        switchTo: async (table, download) => {
          switches++;
          progressWhileSwitching.push((await service.status()).progress);
          current = { table, download };
        },
        loadLast: async () => null,
        saveLast: async (a) => void saved.push(a),
        carrierGroups: DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
      });
      const [a, b] = await Promise.all([service.updateNow(), service.updateNow()]);
      expect(a).toBe(b);
      expect(switches).toBe(1);
      // The settings page says "Saving the new table…" while the switch runs.
      expect(progressWhileSwitching).toEqual([{ phase: 'storing' }]);
      expect(a.result).toBe('updated');
      // The same as a code, for the pages' words in other languages (components/lib-words.ts).
      expect(a.code).toEqual({ kind: 'updated', publishedAt: Date.parse('2026-12-01T10:00:00Z') });
      expect(a.message).toMatch(
        /^Updated to the data published on 2026-12-01: \d+ IPv4 and \d+ IPv6 ranges/,
      );
      const status = await service.status();
      expect(status).toMatchObject({
        running: false,
        table: {
          source: server.url + 'asn-ipv4-num.csv',
          version: '2026120110',
          downloaded: true,
          publishedAt: Date.parse(lastModified),
        },
      });
      const again = await service.updateNow();
      expect(again).toMatchObject({
        result: 'unchanged',
        message: expect.stringContaining('has not changed'),
        code: { kind: 'unchanged' },
      });
      server.serve('asn-ipv4-num.csv', { kind: 'status', status: 500 });
      server.serve('asn-ipv6-num.csv', { kind: 'status', status: 500 });
      const failed = await service.updateNow();
      expect(failed.message).toBe(
        `Not updated, the data in use stays. ${new URL(server.url).host}: download failed: asn-ipv4-num.csv: the server answered with an error (HTTP 500 Internal Server Error).`,
      );
      expect(failed.code).toEqual({ kind: 'refused', refusal: 'sources-failed' });
      expect(switches).toBe(1);
      expect(saved.map((s) => s.result)).toEqual(['updated', 'unchanged', 'refused']);
    } finally {
      await server.close();
    }
  });
});
