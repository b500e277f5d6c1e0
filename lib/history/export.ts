/**
 * The history as files: CSV for a spreadsheet, JSON for a team's own analysis and for importing
 * again. Both are made in the settings page from rows the worker listed; nothing is sent anywhere.
 */
import { HISTORY_LIMITS } from '../settings';
import { validateRow, type VisitRow } from './model';

export const HISTORY_FORMAT = 'carrierflag-history';
export const HISTORY_FORMAT_VERSION = 1;

/** The JSON export's shape. */
export interface HistoryFile {
  format: typeof HISTORY_FORMAT;
  version: typeof HISTORY_FORMAT_VERSION;
  /** ISO 8601, UTC. */
  exportedAt: string;
  rows: VisitRow[];
}

/** The largest file an import reads: 10,000 full rows fit well within it. */
export const MAX_HISTORY_IMPORT_CHARS = 16 * 1024 * 1024;
/** The most rows an import takes: the most the history can be set to keep. */
export const MAX_HISTORY_IMPORT_ROWS = HISTORY_LIMITS.maxEntries;

/** The CSV's columns, in order (the header row). */
export const CSV_COLUMNS = [
  'time',
  'site',
  'carriers',
  'networks',
  'flagged_hosts',
  'action',
  'id',
] as const;

/** Joins a list inside one cell; `;` so a cell never needs splitting on the CSV's comma. */
const LIST_SEPARATOR = '; ';

/**
 * One CSV cell, RFC 4180: quoted when it holds a comma, a quote, CR or LF (quotes doubled). A cell
 * a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, or a tab or CR, which
 * some spreadsheets strip first) gets a leading `'` (OWASP "CSV injection"): a carrier's name or an
 * organisation comes from a watchlist or the routing data, which a user may have imported.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The rows as CSV: a header row, then one line per row, CRLF line ends (RFC 4180). It starts with
 * a byte-order mark so spreadsheets read it as UTF-8 (Chinese carrier names); `names` words a
 * carrier in the user's language (the settings page passes lib-words' groupName).
 */
export function historyToCsv(
  rows: readonly VisitRow[],
  names: (carrier: { id: string; name: string }) => string = (c) => c.name,
): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const cells = [
      new Date(row.at).toISOString(),
      row.site,
      row.carriers.map(names).join(LIST_SEPARATOR),
      row.networks.map((n) => `AS${n.asn} ${n.org}`.trim()).join(LIST_SEPARATOR),
      row.flaggedHosts.join(LIST_SEPARATOR),
      row.action,
      row.id,
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The rows as the JSON export (`HistoryFile`), indented for a reader. */
export function historyToJson(rows: readonly VisitRow[], exportedAt: number): string {
  const file: HistoryFile = {
    format: HISTORY_FORMAT,
    version: HISTORY_FORMAT_VERSION,
    exportedAt: new Date(exportedAt).toISOString(),
    rows: [...rows],
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads a JSON export: every row's every field is checked, and the first problem is reported as
 * "row N, field F: …" (N counts from 1), with nothing taken. A good file gives clean rows holding
 * only the known fields.
 */
export function readHistoryFile(
  text: string,
): { ok: true; rows: VisitRow[] } | { ok: false; reason: string } {
  if (text.length > MAX_HISTORY_IMPORT_CHARS) {
    return { ok: false, reason: `the file is larger than ${MAX_HISTORY_IMPORT_CHARS} characters` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${error instanceof Error ? error.message : ''})` };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { ok: false, reason: 'not a CarrierFlag history file' };
  }
  const file = parsed as Partial<Record<keyof HistoryFile, unknown>>;
  if (file.format !== HISTORY_FORMAT) {
    return { ok: false, reason: `format must be "${HISTORY_FORMAT}"` };
  }
  if (file.version !== HISTORY_FORMAT_VERSION) {
    return {
      ok: false,
      reason: `version ${String(file.version)} is not known (this release reads version ${HISTORY_FORMAT_VERSION})`,
    };
  }
  if (!Array.isArray(file.rows)) return { ok: false, reason: 'rows must be a list' };
  if (file.rows.length > MAX_HISTORY_IMPORT_ROWS) {
    return {
      ok: false,
      reason: `${file.rows.length} rows: at most ${MAX_HISTORY_IMPORT_ROWS} can be imported`,
    };
  }
  const rows: VisitRow[] = [];
  const ids = new Set<string>();
  for (const [index, value] of file.rows.entries()) {
    const checked = validateRow(value);
    if (!checked.ok) {
      return {
        ok: false,
        reason: `row ${index + 1}, field ${checked.problem.field}: ${checked.problem.reason}`,
      };
    }
    if (ids.has(checked.row.id)) {
      return { ok: false, reason: `row ${index + 1}, field id: "${checked.row.id}" appears twice` };
    }
    ids.add(checked.row.id);
    rows.push(checked.row);
  }
  return { ok: true, rows };
}
