/**
 * The local history of flagged visits (issue 21 §2): one row per flagged top-level page visit,
 * kept in IndexedDB (the `history` store, lib/storage/database.ts), never sent anywhere. A row
 * holds host names only: never a path, a query or a full URL.
 */

/**
 * What happened on the visit, from the weakest to the strongest:
 * - `shown`: the badge said so (nothing was stopped);
 * - `warned`: a warning page was shown instead of the site;
 * - `blocked`: a block page was shown (no way on);
 * - `continued`: the person went on to the site past a warning.
 * A row's action only ever moves up this order (`strongerAction`): a later badge decision for the
 * same page ('shown') never hides that a warning was shown, and 'continued' is the last word on a
 * warned visit, since the data then did go to the site.
 */
export type HistoryAction = 'shown' | 'warned' | 'blocked' | 'continued';
export const HISTORY_ACTIONS: readonly HistoryAction[] = [
  'shown',
  'warned',
  'blocked',
  'continued',
];

/** A watchlist group that matched (the site's or a third-party host's address). */
export interface HistoryCarrier {
  id: string;
  name: string;
}

/** A watched network the visit's data went to. */
export interface HistoryNetwork {
  asn: number;
  org: string;
}

/** One flagged visit. */
export interface VisitRow {
  /**
   * `<tabId>:<the page's navigation id>` for a visit seen by the badge (so the same page judged
   * again updates its row), `<tabId>:action:<at>` for a visit only an action saw (a warning page
   * shown before the site loaded). Imported rows keep the id they were exported with.
   */
  id: string;
  /** The top-level page's host name only. */
  site: string;
  /** When the visit was first recorded (ms since the epoch). */
  at: number;
  /** Every matched group, each once, in the order first seen. */
  carriers: HistoryCarrier[];
  /** Every watched network (by ASN), each once. */
  networks: HistoryNetwork[];
  /** The page's third-party hosts on watched networks, each once, in the order first seen. */
  flaggedHosts: string[];
  action: HistoryAction;
}

/** Caps that keep a single row, and an imported file, bounded whatever a page or a file holds. */
export const ROW_LIMITS = {
  maxIdChars: 200,
  maxHostChars: 253,
  maxCarriers: 50,
  maxCarrierChars: 200,
  maxNetworks: 100,
  maxOrgChars: 300,
  maxFlaggedHosts: 500,
} as const;

const MS_PER_DAY = 86_400_000;

/** The oldest `at` kept when rows older than `maxAgeDays` go. */
export function ageCutoff(now: number, maxAgeDays: number): number {
  return now - maxAgeDays * MS_PER_DAY;
}

/** The stronger of two actions (see HistoryAction): a row's action never moves down. */
export function strongerAction(a: HistoryAction, b: HistoryAction): HistoryAction {
  return HISTORY_ACTIONS.indexOf(b) > HISTORY_ACTIONS.indexOf(a) ? b : a;
}

/** `a` with the items of `b` whose key is new, in order, at most `max` in all. */
export function unionBy<T>(
  a: readonly T[],
  b: readonly T[],
  key: (item: T) => string,
  max: number,
) {
  const seen = new Set(a.map(key));
  const out = [...a];
  for (const item of b) {
    if (out.length >= max) break;
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

/** `row` with what `more` adds (carriers, networks, hosts as unions; the stronger action). */
export function mergeVisit(
  row: VisitRow,
  more: Pick<VisitRow, 'carriers' | 'networks' | 'flaggedHosts' | 'action'>,
): VisitRow {
  return {
    ...row,
    carriers: unionBy(row.carriers, more.carriers, (c) => c.id, ROW_LIMITS.maxCarriers),
    networks: unionBy(row.networks, more.networks, (n) => String(n.asn), ROW_LIMITS.maxNetworks),
    flaggedHosts: unionBy(
      row.flaggedHosts,
      more.flaggedHosts,
      (h) => h,
      ROW_LIMITS.maxFlaggedHosts,
    ),
    action: strongerAction(row.action, more.action),
  };
}

/** Whether two rows say the same (a write that changes nothing is skipped). */
export function sameVisit(a: VisitRow, b: VisitRow): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A host name as a row may hold it: letters, digits, `-`, `_`, `.`, or an IPv6 literal's hex and
 * colons (in brackets or not). Refuses anything with a path, query, port, credentials or spaces.
 */
export function isHostName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= ROW_LIMITS.maxHostChars &&
    /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[?[0-9a-f:.]+\]?)$/i.test(value)
  );
}

/** What is wrong with one field of a row, for a message that names the row and the field. */
export interface RowProblem {
  field: keyof VisitRow | string;
  reason: string;
}

/**
 * Checks one row as read from an import (or anywhere untrusted); returns a clean copy holding only
 * the known fields, or the first problem found.
 */
export function validateRow(
  value: unknown,
): { ok: true; row: VisitRow } | { ok: false; problem: RowProblem } {
  const fail = (field: string, reason: string) =>
    ({ ok: false, problem: { field, reason } }) as const;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('row', 'must be an object');
  }
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > ROW_LIMITS.maxIdChars) {
    return fail('id', `must be text of 1 to ${ROW_LIMITS.maxIdChars} characters`);
  }
  if (!isHostName(v.site)) return fail('site', 'must be a host name only (no path or query)');
  if (typeof v.at !== 'number' || !Number.isSafeInteger(v.at) || v.at < 0) {
    return fail('at', 'must be a time in whole milliseconds since 1970');
  }
  if (!Array.isArray(v.carriers) || v.carriers.length > ROW_LIMITS.maxCarriers) {
    return fail('carriers', `must be a list of at most ${ROW_LIMITS.maxCarriers}`);
  }
  const carriers: HistoryCarrier[] = [];
  for (const [i, c] of v.carriers.entries()) {
    const item = c as Partial<HistoryCarrier> | null;
    const text = (x: unknown) =>
      typeof x === 'string' && x.length > 0 && x.length <= ROW_LIMITS.maxCarrierChars;
    if (typeof item !== 'object' || item === null || !text(item.id) || !text(item.name)) {
      return fail(`carriers[${i}]`, 'must be { id, name }, both text');
    }
    carriers.push({ id: item.id!, name: item.name! });
  }
  if (!Array.isArray(v.networks) || v.networks.length > ROW_LIMITS.maxNetworks) {
    return fail('networks', `must be a list of at most ${ROW_LIMITS.maxNetworks}`);
  }
  const networks: HistoryNetwork[] = [];
  for (const [i, n] of v.networks.entries()) {
    const item = n as Partial<HistoryNetwork> | null;
    const asnOk =
      typeof item?.asn === 'number' &&
      Number.isInteger(item.asn) &&
      item.asn >= 0 &&
      item.asn <= 0xffff_ffff;
    const orgOk = typeof item?.org === 'string' && item.org.length <= ROW_LIMITS.maxOrgChars;
    if (!asnOk || !orgOk) {
      return fail(`networks[${i}]`, 'must be { asn: a whole number, org: text }');
    }
    networks.push({ asn: item.asn!, org: item.org! });
  }
  if (!Array.isArray(v.flaggedHosts) || v.flaggedHosts.length > ROW_LIMITS.maxFlaggedHosts) {
    return fail('flaggedHosts', `must be a list of at most ${ROW_LIMITS.maxFlaggedHosts}`);
  }
  for (const [i, host] of v.flaggedHosts.entries()) {
    if (!isHostName(host)) return fail(`flaggedHosts[${i}]`, 'must be a host name only');
  }
  if (!HISTORY_ACTIONS.includes(v.action as HistoryAction)) {
    return fail('action', `must be one of ${HISTORY_ACTIONS.join(', ')}`);
  }
  return {
    ok: true,
    row: {
      id: v.id,
      site: v.site,
      at: v.at,
      carriers,
      networks,
      flaggedHosts: [...(v.flaggedHosts as string[])],
      action: v.action as HistoryAction,
    },
  };
}

/** What the settings page asks for: rows of one carrier and/or in a time range (ms, `to` excluded). */
export interface HistoryFilter {
  carrier?: string;
  from?: number;
  to?: number;
}

/** Whether `row` passes `filter`. */
export function matchesFilter(row: VisitRow, filter: HistoryFilter): boolean {
  if (filter.carrier && !row.carriers.some((c) => c.id === filter.carrier)) return false;
  if (filter.from !== undefined && row.at < filter.from) return false;
  if (filter.to !== undefined && row.at >= filter.to) return false;
  return true;
}
