/**
 * Where a tab's record lives: a write-through copy in memory (the truth while this worker lives,
 * even when the store refused the last write, so the badge is always set) and `tab:<id>` in
 * storage.session for a worker the browser stops and restarts.
 */
import { TAB_KEY_PREFIX } from '../../storage/session-keys';
import type { SessionArea, TabRecord, TabReport } from '../types';
import { asRecord, withoutFlag } from './record';

const tabKey = (tabId: number) => `${TAB_KEY_PREFIX}${tabId}`;

export function createReportStore(deps: {
  session: SessionArea;
  log(message: string, error?: unknown): void;
}) {
  const records = new Map<number, TabRecord>();

  async function readRecord(tabId: number): Promise<TabRecord> {
    const cached = records.get(tabId);
    if (cached) return cached;
    let stored: unknown;
    try {
      stored = (await deps.session.get(tabKey(tabId)))[tabKey(tabId)];
    } catch (error) {
      deps.log(`tab ${tabId}: stored state unreadable`, error);
    }
    // A write may have landed while the store was read (getReport is not queued): it is newer.
    const written = records.get(tabId);
    if (written) return written;
    const record = asRecord(stored);
    records.set(tabId, record);
    return record;
  }

  /**
   * Keeps `record` in memory and tries to store it. A refused write (quota) is logged and marked
   * on the reports (`notSaved`) instead of thrown, and the stale stored copy is removed, so a
   * restarted worker finds nothing rather than an older page's verdict.
   */
  async function writeRecord(tabId: number, record: TabRecord): Promise<void> {
    const stored: TabRecord = {};
    if (record.shown) stored.shown = withoutFlag(record.shown);
    if (record.pending) stored.pending = withoutFlag(record.pending);
    let saved = true;
    try {
      if (stored.shown || stored.pending) await deps.session.set({ [tabKey(tabId)]: stored });
      else await deps.session.remove(tabKey(tabId));
    } catch (error) {
      saved = false;
      deps.log(`tab ${tabId}: state could not be saved`, error);
      await deps.session.remove(tabKey(tabId)).catch(() => undefined);
    }
    const flagged = (r: TabReport | undefined) =>
      r && (saved ? withoutFlag(r) : { ...r, notSaved: true });
    const kept: TabRecord = {};
    if (record.shown) kept.shown = flagged(record.shown);
    if (record.pending) kept.pending = flagged(record.pending);
    if (kept.shown || kept.pending) records.set(tabId, kept);
    else records.delete(tabId);
  }

  /** Every tab's record: memory first, the store for tabs this worker has not touched yet. */
  async function allRecords(): Promise<TabRecord[]> {
    const everything = await deps.session.get(null);
    const byTab = new Map<number, TabRecord>();
    for (const [key, value] of Object.entries(everything)) {
      if (!key.startsWith(TAB_KEY_PREFIX)) continue;
      const record = asRecord(value);
      const tabId = (record.shown ?? record.pending)?.tabId;
      if (tabId !== undefined) byTab.set(tabId, record);
    }
    for (const [tabId, record] of records) byTab.set(tabId, record);
    return [...byTab.values()].filter((r) => r.shown ?? r.pending);
  }

  return { readRecord, writeRecord, allRecords };
}
