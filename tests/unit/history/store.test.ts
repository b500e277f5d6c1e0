// idb's wrap() checks instanceof against the global IDB classes: install fake ones.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createHistoryStore, type VisitRow } from '../../../lib/history';
import { DATABASE_NAME, openDatabase } from '../../../lib/storage/database';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 1);

function row(n: number, more: Partial<VisitRow> = {}): VisitRow {
  return {
    id: `1:nav-${n}`,
    site: `site${n}.test`,
    at: T0 + n * 1000,
    carriers: [{ id: 'china-telecom', name: 'China Telecom' }],
    networks: [{ asn: 4134, org: 'Chinanet' }],
    flaggedHosts: [],
    action: 'shown',
    ...more,
  };
}

async function setUp(now = T0 + 1_000_000) {
  const clock = { now };
  const db = await openDatabase(new IDBFactory());
  return { clock, db, store: createHistoryStore(db, () => clock.now) };
}

const BIG = { maxEntries: 10_000, maxAgeDays: 3650 };

describe('history store', () => {
  it('keeps exactly maxEntries rows on every write: the oldest goes', async () => {
    const { store } = await setUp();
    const bounds = { maxEntries: 10, maxAgeDays: 3650 };
    for (let n = 1; n <= 10; n++) await store.recordVisit(row(n), bounds);
    expect(await store.count()).toBe(10);
    await store.recordVisit(row(11), bounds);
    const ids = (await store.list()).map((r) => r.id);
    expect(ids).toHaveLength(10);
    expect(ids).not.toContain('1:nav-1');
    expect(ids[0]).toBe('1:nav-11');
    expect(ids.at(-1)).toBe('1:nav-2');
  });

  it('drops rows older than maxAgeDays on the next write, keeps the one just inside', async () => {
    const { store, clock } = await setUp(T0);
    const bounds = { maxEntries: 100, maxAgeDays: 2 };
    await store.recordVisit(row(0, { at: T0 - 2 * DAY - 1 }), BIG);
    await store.recordVisit(row(1, { at: T0 - 2 * DAY }), BIG);
    await store.recordVisit(row(2, { at: T0 }), bounds);
    expect((await store.list()).map((r) => r.id)).toEqual(['1:nav-2', '1:nav-1']);
    clock.now = T0 + 3 * DAY;
    expect(await store.prune(bounds)).toBe(2);
    expect(await store.list()).toEqual([]);
  });

  it('a repeated page merges into its row: hosts, carriers, networks as unions, first time kept', async () => {
    const { store } = await setUp();
    await store.recordVisit(row(1, { flaggedHosts: ['a.test'] }), BIG);
    await store.recordVisit(
      row(1, {
        at: T0 + 99_999,
        flaggedHosts: ['b.test', 'a.test'],
        carriers: [{ id: 'china-mobile', name: 'China Mobile' }],
        networks: [
          { asn: 9808, org: 'China Mobile' },
          { asn: 4134, org: 'Chinanet' },
        ],
      }),
      BIG,
    );
    const rows = await store.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(
      row(1, {
        flaggedHosts: ['a.test', 'b.test'],
        carriers: [
          { id: 'china-telecom', name: 'China Telecom' },
          { id: 'china-mobile', name: 'China Mobile' },
        ],
        networks: [
          { asn: 4134, org: 'Chinanet' },
          { asn: 9808, org: 'China Mobile' },
        ],
      }),
    );
  });

  it('an action updates the tab’s row of that site, never downwards; without one, a row is made', async () => {
    const { store, clock } = await setUp();
    await store.recordVisit(row(1, { id: '7:nav-a', at: clock.now - 1000 }), BIG);
    await store.recordVisit(row(2, { id: '8:nav-b', site: 'site1.test', at: clock.now }), BIG);
    await store.recordAction({ tabId: 7, site: 'site1.test', action: 'warned' }, BIG);
    await store.recordAction({ tabId: 7, site: 'site1.test', action: 'continued' }, BIG);
    await store.recordVisit(row(1, { id: '7:nav-a' }), BIG); // a later badge decision: 'shown'
    const byId = new Map((await store.list()).map((r) => [r.id, r]));
    expect(byId.get('7:nav-a')?.action).toBe('continued');
    expect(byId.get('8:nav-b')?.action).toBe('shown');

    const made = await store.recordAction(
      {
        tabId: 9,
        site: 'blocked.test',
        action: 'blocked',
        carriers: [{ id: 'china-unicom', name: 'China Unicom' }],
      },
      BIG,
    );
    expect(made).toMatchObject({ id: `9:action:${clock.now}`, site: 'blocked.test' });
    expect(await store.count()).toBe(3);
  });

  it('a warning shown before the site loaded is a visit of its own, never merged into an earlier one', async () => {
    const { store, clock } = await setUp();
    await store.recordVisit(row(1, { id: '7:nav-a', at: clock.now - 1000 }), BIG);
    const again = await store.recordAction(
      { tabId: 7, site: 'site1.test', action: 'warned', newVisit: true },
      BIG,
    );
    expect(again.id).toBe(`7:action:${clock.now}`);
    const byId = new Map((await store.list()).map((r) => [r.id, r]));
    expect(byId.get('7:nav-a')?.action).toBe('shown');
    expect(await store.count()).toBe(2);
  });

  it('lists by carrier and time range, newest first; clear empties it', async () => {
    const { store } = await setUp();
    await store.recordVisit(row(1), BIG);
    await store.recordVisit(row(2, { carriers: [{ id: 'china-mobile', name: 'CM' }] }), BIG);
    await store.recordVisit(row(3), BIG);
    const ids = (rows: VisitRow[]) => rows.map((r) => r.id);
    expect(ids(await store.list({ carrier: 'china-telecom' }))).toEqual(['1:nav-3', '1:nav-1']);
    expect(ids(await store.list({ from: T0 + 2000, to: T0 + 3000 }))).toEqual(['1:nav-2']);
    expect(ids(await store.list({ from: T0 + 2000 }))).toEqual(['1:nav-3', '1:nav-2']);
    expect(await store.clear()).toBe(3);
    expect(await store.list()).toEqual([]);
  });

  it('imports rows in one transaction, replacing the same ids, then applies the bounds', async () => {
    const { store } = await setUp();
    await store.recordVisit(row(1), BIG);
    const result = await store.importRows([row(1, { action: 'blocked' }), row(2), row(3)], {
      maxEntries: 2,
      maxAgeDays: 3650,
    });
    expect(result).toEqual({ stored: 2, removedByBounds: 1 });
    expect((await store.list()).map((r) => [r.id, r.action])).toEqual([
      ['1:nav-3', 'shown'],
      ['1:nav-2', 'shown'],
    ]);
  });
});

describe('database upgrade to version 3', () => {
  it('keeps a version 2 database’s prefix table and adds the history store', async () => {
    const factory = new IDBFactory();
    // Version 2 exactly as it was made: two stores, a table and its pointer.
    await new Promise<void>((resolve, reject) => {
      const open = factory.open(DATABASE_NAME, 2);
      open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('tables', { keyPath: 'id' });
        db.createObjectStore('pointers', { keyPath: 'name' });
        open.transaction!.objectStore('tables').put({ id: 'table-1', storedAt: 5 });
        open.transaction!.objectStore('pointers').put({ name: 'active', tableId: 'table-1' });
      };
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
      open.onerror = () => reject(open.error);
    });
    const db = await openDatabase(factory);
    expect(db.version).toBe(3);
    expect(await db.getAllKeys('tables')).toEqual(['table-1']);
    expect(await db.get('pointers', 'active')).toEqual({ name: 'active', tableId: 'table-1' });
    expect([...db.objectStoreNames].sort()).toEqual(['history', 'pointers', 'tables']);
    expect([...db.transaction('history').store.indexNames]).toEqual(['at']);
    await createHistoryStore(db, () => T0).recordVisit(row(1), BIG);
    expect(await db.count('history')).toBe(1);
  });
});
