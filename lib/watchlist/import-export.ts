/**
 * The watchlist file format, version 2:
 * `{ "format": "carrierflag-watchlist", "version": 2, "builtins": [...], "groups": [...] }`.
 * `builtins` holds the user's state of the groups that ship with CarrierFlag (`{ id, enabled, asns,
 * prefixes }`: their names and codes always come from the running release), `groups` the user's own
 * groups. A file can therefore never create a built-in group (which could not be removed) nor give a
 * custom group a built-in's id. Version 1 files (every group in `groups`, built-ins marked
 * `"builtin": true`) are still read, under the same rules.
 *
 * An import is all or nothing, refuses files over MAX_IMPORT_CHARS before parsing them, and refuses
 * entries that can never be right (see `checkPrefixUseful`, `checkGroupName`).
 */
import { DEFAULT_WATCHLIST } from './defaults';
import {
  MAX_IMPORT_CHARS,
  WATCHLIST_FORMAT,
  WATCHLIST_FORMAT_VERSION,
  type WatchGroup,
  type Watchlist,
} from './model';
import { isRecord, validateWatchlist } from './validate';

export type ImportResult = { ok: true; watchlist: Watchlist } | { ok: false; reason: string };

const IMPORT_RULES = { refuseUseless: true } as const;
const BUILTIN_STATE_KEYS = new Set(['id', 'enabled', 'asns', 'prefixes']);
const MIB = 1024 * 1024;

/** Writes a watchlist as pretty-printed JSON in the export format (version 2). */
export function exportWatchlist(watchlist: Watchlist): string {
  const builtins = watchlist.groups
    .filter((g) => g.builtin)
    .map((g) => ({ id: g.id, enabled: g.enabled, asns: g.asns, prefixes: g.prefixes }));
  const groups = watchlist.groups
    .filter((g) => !g.builtin)
    .map((g) => ({
      id: g.id,
      name: g.name,
      code: g.code,
      enabled: g.enabled,
      asns: g.asns,
      prefixes: g.prefixes,
    }));
  return `${JSON.stringify(
    { format: WATCHLIST_FORMAT, version: WATCHLIST_FORMAT_VERSION, builtins, groups },
    null,
    2,
  )}\n`;
}

/**
 * Reads an exported file. All or nothing: any problem (too large, bad JSON, another format, an
 * unknown version, a group claiming to be built in, one invalid or useless entry) gives a reason
 * and no watchlist. Built-in groups the file does not mention keep this release's defaults.
 * `builtinGroups` is the release's own built-in groups (the default watchlist's). Never throws.
 */
export function importWatchlist(
  text: string,
  builtinGroups: readonly WatchGroup[] = DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
): ImportResult {
  const read = readWatchlistFile(text, builtinGroups);
  return read.ok ? { ok: true, watchlist: watchlistFromFile(read.file, builtinGroups) } : read;
}

/**
 * What a watchlist file holds, checked: the built-in groups it mentions (with this release's names
 * and codes and the file's state) and its own groups. Built-in groups it does not mention are not
 * here, so a merge can leave them as the user has them.
 */
export interface WatchlistFile {
  builtins: WatchGroup[];
  groups: WatchGroup[];
}

export type ReadFileResult = { ok: true; file: WatchlistFile } | { ok: false; reason: string };

/**
 * The watchlist a file stands for on its own (what "Replace my watchlist" stores): the file's
 * groups, and this release's defaults for the built-in groups it does not mention.
 */
export function watchlistFromFile(
  file: WatchlistFile,
  builtinGroups: readonly WatchGroup[] = DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
): Watchlist {
  const mentioned = new Map(file.builtins.map((g) => [g.id, g]));
  return {
    groups: [
      ...builtinGroups.map((g) => mentioned.get(g.id) ?? structuredClone(g)),
      ...file.groups,
    ],
  };
}

/**
 * Reads and checks an exported file, under the same rules as `importWatchlist`, and says which
 * built-in groups it mentions. All or nothing; never throws.
 */
export function readWatchlistFile(
  text: string,
  builtinGroups: readonly WatchGroup[] = DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
): ReadFileResult {
  if (typeof text !== 'string' || !text.trim()) return { ok: false, reason: 'the file is empty' };
  // Checked before parsing: JSON.parse of a huge file would freeze the page first.
  if (text.length > MAX_IMPORT_CHARS) return tooLarge();
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
  if (value.version !== 1 && value.version !== WATCHLIST_FORMAT_VERSION) {
    return {
      ok: false,
      reason: `watchlist file version ${JSON.stringify(value.version) ?? 'missing'} is not supported (this release reads versions 1 and ${WATCHLIST_FORMAT_VERSION})`,
    };
  }
  const known =
    value.version === 1
      ? ['format', 'version', 'groups']
      : ['format', 'version', 'builtins', 'groups'];
  const extra = Object.keys(value).find((k) => !known.includes(k));
  if (extra !== undefined) return { ok: false, reason: `unknown field '${extra}'` };
  if (!Array.isArray(value.groups)) return { ok: false, reason: "the file has no 'groups' list" };

  const builtinById = new Map(builtinGroups.map((g) => [g.id, g]));
  const states = new Map<string, Record<string, unknown>>();
  const custom: unknown[] = [];
  if (value.version === 1) {
    // Version 1 wrote built-in groups into `groups` with "builtin": true.
    for (const [index, raw] of (value.groups as unknown[]).entries()) {
      if (isRecord(raw) && raw.builtin === true) {
        const claimed = checkBuiltinClaim(raw, index, builtinById);
        if (!claimed.ok) return claimed;
        if (states.has(claimed.id)) return twice(claimed.id);
        states.set(claimed.id, raw);
      } else {
        custom.push(raw);
      }
    }
  } else {
    if (!Array.isArray(value.builtins)) {
      return { ok: false, reason: "the file has no 'builtins' list" };
    }
    for (const [index, raw] of (value.builtins as unknown[]).entries()) {
      const label = `built-in entry ${index + 1}`;
      if (!isRecord(raw)) return { ok: false, reason: `${label}: must be an object` };
      const extraKey = Object.keys(raw).find((k) => !BUILTIN_STATE_KEYS.has(k));
      if (extraKey !== undefined) {
        return {
          ok: false,
          reason: `${label}: unknown field '${extraKey}' (a built-in group's name and code come from CarrierFlag itself)`,
        };
      }
      if (typeof raw.id !== 'string' || !builtinById.has(raw.id)) return notBuiltin(label, raw.id);
      if (states.has(raw.id)) return twice(raw.id);
      states.set(raw.id, raw);
    }
    for (const [index, raw] of (value.groups as unknown[]).entries()) {
      if (isRecord(raw) && raw.builtin === true) return claimsBuiltin(index, raw);
      custom.push(raw);
    }
  }
  for (const [index, raw] of custom.entries()) {
    if (!isRecord(raw)) continue; // validateWatchlist says what is wrong with it
    if (typeof raw.id === 'string' && builtinById.has(raw.id)) {
      return {
        ok: false,
        reason: `group ${index + 1}: id '${raw.id}' belongs to the built-in group ${builtinById.get(raw.id)!.name}; a group of your own needs another id`,
      };
    }
  }
  const groups: unknown[] = builtinGroups.map((group) => {
    const state = states.get(group.id);
    if (!state) return group;
    return {
      id: group.id,
      name: group.name,
      code: group.code,
      enabled: state.enabled,
      builtin: true,
      asns: state.asns,
      prefixes: state.prefixes,
    };
  });
  const customGroups = custom.map((raw) =>
    isRecord(raw) && !('builtin' in raw) ? { ...raw, builtin: false } : raw,
  );
  const checked = validateWatchlist({ groups: [...groups, ...customGroups] }, IMPORT_RULES);
  if (!checked.ok) {
    // Say where in the file: a custom group's problem is numbered as in its own list.
    const inCustom = validateWatchlist({ groups: customGroups }, IMPORT_RULES);
    return inCustom.ok ? checked : inCustom;
  }
  return {
    ok: true,
    file: {
      builtins: checked.watchlist.groups.filter((g) => g.builtin && states.has(g.id)),
      groups: checked.watchlist.groups.filter((g) => !g.builtin),
    },
  };
}

/** The parts of a picked file the import needs (a DOM `File` has them). */
export interface ImportFile {
  readonly size: number;
  text(): Promise<string>;
}

/**
 * Imports a file the user picked and stores the result with `store` (which resolves to null, or to
 * the reason it refused). The size is checked before a byte is read; a store that throws (a full
 * storage quota) gives a plain reason, and nothing has changed in every failure. Never throws.
 */
export async function importWatchlistFile(
  file: ImportFile,
  store: (watchlist: Watchlist) => Promise<string | null>,
): Promise<ImportResult> {
  if (file.size > MAX_IMPORT_CHARS) return tooLarge(file.size);
  let text: string;
  try {
    text = await file.text();
  } catch {
    return { ok: false, reason: 'the file could not be read' };
  }
  const imported = importWatchlist(text);
  if (!imported.ok) return imported;
  let problem: string | null;
  try {
    problem = await store(imported.watchlist);
  } catch (error) {
    problem = describeSaveFailure(error);
  }
  return problem === null ? imported : { ok: false, reason: problem };
}

/**
 * Plain words for a save that threw: a full storage quota says so, anything else gives the
 * browser's message. Either way the previous settings are still in place (one record, one write).
 */
export function describeSaveFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/quota|QUOTA_BYTES|storage is full|NS_ERROR_DOM_QUOTA/i.test(message)) {
    return "the browser's storage for this extension is full, so the settings could not be saved; your previous settings are unchanged";
  }
  return `the settings could not be saved (${message}); your previous settings are unchanged`;
}

function tooLarge(size?: number): { ok: false; reason: string } {
  const shown = size === undefined ? '' : ` (${(size / MIB).toFixed(1)} MiB)`;
  return {
    ok: false,
    reason: `the file is too large${shown}: the limit is ${MAX_IMPORT_CHARS / MIB} MiB, which holds the largest watchlist CarrierFlag allows`,
  };
}

function checkBuiltinClaim(
  raw: Record<string, unknown>,
  index: number,
  builtinById: ReadonlyMap<string, WatchGroup>,
): { ok: true; id: string } | { ok: false; reason: string } {
  if (typeof raw.id === 'string' && builtinById.has(raw.id)) return { ok: true, id: raw.id };
  return claimsBuiltin(index, raw);
}

function claimsBuiltin(index: number, raw: Record<string, unknown>): { ok: false; reason: string } {
  const name = typeof raw.name === 'string' ? ` '${raw.name.slice(0, 60)}'` : '';
  return {
    ok: false,
    reason: `group ${index + 1}${name} claims to be built in: only the groups that ship with CarrierFlag are built in (remove "builtin": true to import it as a group of your own)`,
  };
}

function notBuiltin(label: string, id: unknown): { ok: false; reason: string } {
  return {
    ok: false,
    reason: `${label}: ${JSON.stringify(id) ?? 'a missing id'} is not a built-in group of this release`,
  };
}

function twice(id: string): { ok: false; reason: string } {
  return { ok: false, reason: `the built-in group '${id}' appears twice in the file` };
}
