/**
 * The watchlist file format: `{ "format": "carrierflag-watchlist", "version": 1, "groups": [...] }`.
 * The tag and version let a later release migrate old files and refuse files it does not know.
 */
import { WATCHLIST_FORMAT, WATCHLIST_FORMAT_VERSION, type Watchlist } from './model';
import { isRecord, validateWatchlist } from './validate';

/** Writes a watchlist as pretty-printed JSON in the export format. */
export function exportWatchlist(watchlist: Watchlist): string {
  return `${JSON.stringify(
    { format: WATCHLIST_FORMAT, version: WATCHLIST_FORMAT_VERSION, groups: watchlist.groups },
    null,
    2,
  )}\n`;
}

/**
 * Reads an exported file. All or nothing: any problem (bad JSON, another format, an unknown version,
 * one invalid field) gives a reason and no watchlist. Never throws.
 */
export function importWatchlist(
  text: string,
): { ok: true; watchlist: Watchlist } | { ok: false; reason: string } {
  if (typeof text !== 'string' || !text.trim()) return { ok: false, reason: 'the file is empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
  if (!isRecord(value))
    return { ok: false, reason: 'not a CarrierFlag watchlist: expected an object' };
  if (value.format !== WATCHLIST_FORMAT) {
    return {
      ok: false,
      reason: `not a CarrierFlag watchlist: "format" must be "${WATCHLIST_FORMAT}"`,
    };
  }
  if (value.version !== WATCHLIST_FORMAT_VERSION) {
    return {
      ok: false,
      reason: `watchlist file version ${JSON.stringify(value.version) ?? 'missing'} is not supported (this release reads version ${WATCHLIST_FORMAT_VERSION})`,
    };
  }
  const extra = Object.keys(value).find((k) => !['format', 'version', 'groups'].includes(k));
  if (extra !== undefined) return { ok: false, reason: `unknown field '${extra}'` };
  return validateWatchlist({ groups: value.groups });
}
