/**
 * Where a tab's record lives: `tab:<id>` in the one session-record store (lib/storage/
 * session-records.ts), whose memory copy is the truth while this worker lives, even when the area
 * refused the last write, so the badge is always set; storage.session keeps it for a worker the
 * browser stops and restarts. A refused write (quota) marks the tab's reports `notSaved` (the popup
 * says so) and removes the older stored copy, so a restarted worker finds nothing rather than an
 * older page's verdict.
 */
import { createSessionRecords, type SessionRecordArea } from '../../storage/session-records';
import { TAB_KEY_PREFIX } from '../../storage/session-keys';
import type { SessionArea, TabRecord, TabReport } from '../types';
import { asRecord, withoutFlag } from './record';

/** The stored shape's version (bump it when TabRecord changes shape). */
const TAB_RECORD_VERSION = 1;
const tabKey = (tabId: number) => `${TAB_KEY_PREFIX}${tabId}`;

/** The tab code's storage.session (one key at a time) as the store's area. */
function recordArea(session: SessionArea): SessionRecordArea {
  return {
    async get(keys) {
      if (keys === null) return session.get(null);
      const found = await Promise.all(keys.map((key) => session.get(key)));
      return Object.assign({}, ...found) as Record<string, unknown>;
    },
    set: (items) => session.set(items),
    async remove(keys) {
      for (const key of keys) await session.remove(key);
    },
  };
}

export function createReportStore(deps: {
  session: SessionArea;
  log(message: string, error?: unknown): void;
}) {
  const store = createSessionRecords<TabRecord>(recordArea(deps.session), {
    version: TAB_RECORD_VERSION,
    isValid: (data): data is TabRecord => typeof data === 'object' && data !== null,
    whenRefused: 'remove',
    log: deps.log,
  });

  /** The record as the store holds it, its reports marked when its last write was refused. */
  function withSaved(tabId: number, record: TabRecord): TabRecord {
    if (store.saved(tabKey(tabId))) return record;
    const flagged = (r: TabReport) => ({ ...r, notSaved: true });
    const out: TabRecord = {};
    if (record.shown) out.shown = flagged(record.shown);
    if (record.pending) out.pending = flagged(record.pending);
    return out;
  }

  async function readRecord(tabId: number): Promise<TabRecord> {
    return withSaved(tabId, asRecord(await store.get(tabKey(tabId))));
  }

  /** Keeps `record` (memory at once) and waits for its write to be done or refused. */
  async function writeRecord(tabId: number, record: TabRecord): Promise<void> {
    const stored: TabRecord = {};
    if (record.shown) stored.shown = withoutFlag(record.shown);
    if (record.pending) stored.pending = withoutFlag(record.pending);
    if (stored.shown || stored.pending) store.set(tabKey(tabId), stored);
    else store.delete(tabKey(tabId));
    await store.settled(tabKey(tabId));
  }

  /** Every tab's record: memory first, the area for tabs this worker has not touched yet. */
  async function allRecords(): Promise<TabRecord[]> {
    const records: TabRecord[] = [];
    for (const key of await store.keys(TAB_KEY_PREFIX)) {
      const tabId = Number(key.slice(TAB_KEY_PREFIX.length));
      const record = withSaved(tabId, asRecord(await store.get(key)));
      if (record.shown ?? record.pending) records.push(record);
    }
    return records;
  }

  return { readRecord, writeRecord, allRecords };
}
