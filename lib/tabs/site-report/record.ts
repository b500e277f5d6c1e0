/**
 * A tab's record as stored (`tab:<id>` in storage.session: the shown report and a pending one) and
 * the bound on a report's size.
 */
import type { Verdict } from '../../verdict';
import type { BrowserOnlyReason, DohState, TabRecord, TabReport } from '../types';

/** The most addresses one report keeps (see `boundAddresses`); a DNS answer can hold thousands. */
export const REPORT_MAX_ADDRESSES = 64;

/** A stored value as a record; anything else (an older build's shape, damage) reads as empty. */
export function asRecord(value: unknown): TabRecord {
  if (typeof value !== 'object' || value === null) return {};
  const { shown, pending } = value as TabRecord;
  const record: TabRecord = {};
  if (isReport(shown)) record.shown = shown;
  if (isReport(pending)) record.pending = pending;
  return record;
}

export function isReport(value: unknown): value is TabReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TabReport).tabId === 'number' &&
    typeof (value as TabReport).navigationId === 'string'
  );
}

export function withoutFlag(report: TabReport): TabReport {
  if (!report.notSaved) return report;
  const { notSaved: _, ...rest } = report;
  return rest;
}

/**
 * At most REPORT_MAX_ADDRESSES of a DoH answer, chosen so the verdict cannot change: first one
 * address per matched group, then the other matched ones, then public addresses with no row in the
 * table (they keep a site "unchecked" rather than "clean"), then the other public addresses (they
 * make a site "clean" rather than "unchecked"), then the rest; kept in the answer's order.
 */
export function boundAddresses(addresses: readonly string[], verdict: Verdict): string[] {
  const evidence = new Map(verdict.addresses.map((a) => [a.ip, a]));
  const rank = (ip: string, seenGroups: Set<string>): number => {
    const e = evidence.get(ip);
    if (!e) return 5;
    const newGroup = e.matches.find((m) => !seenGroups.has(m.groupId));
    if (newGroup) {
      for (const m of e.matches) seenGroups.add(m.groupId);
      return 0;
    }
    if (e.matches.length > 0) return 1;
    if (e.lookup.kind === 'unrouted') return 2;
    return e.lookup.kind === 'routed' ? 3 : 4;
  };
  const seenGroups = new Set<string>();
  const ranked = addresses.map((ip, index) => ({ ip, index, rank: rank(ip, seenGroups) }));
  const kept = ranked
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .slice(0, REPORT_MAX_ADDRESSES)
    .sort((a, b) => a.index - b.index);
  return kept.map((k) => k.ip);
}

export function browserOnly(doh: DohState): doh is { state: 'skipped'; why: BrowserOnlyReason } {
  return doh.state === 'skipped' && (doh.why === 'privacy-mode' || doh.why === 'private-name');
}
