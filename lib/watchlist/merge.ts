/**
 * What importing a watchlist file does to the user's watchlist, worked out before anything is
 * saved, so the settings page can show it and ask first.
 *
 * - "merge" (the default): the user's watchlist stays, and the file's groups are merged into it.
 *   A built-in group the file mentions is matched by id, a group of the file's own by name
 *   (case-insensitive; a new group whose id is taken gets a fresh one); a matched group keeps the user's id, name and code, gains the file's ASNs
 *   and prefixes it lacks (an ASN already listed keeps the user's note and confidence) and takes
 *   the file's on/off state. Unmatched groups are added. Nothing the user has is removed.
 * - "replace": the watchlist becomes the file's (`watchlistFromFile`): the user's own groups go,
 *   built-in groups the file does not mention return to this release's defaults.
 *
 * Every limit of model.ts still holds: a merge that would pass one is refused, with the reason, and
 * nothing changes. Pure: the inputs are never modified.
 */
import { DEFAULT_WATCHLIST } from './defaults';
import { freshId } from './edit';
import { watchlistFromFile, type WatchlistFile } from './import-export';
import {
  MAX_ASNS_PER_GROUP,
  MAX_GROUPS,
  MAX_PREFIXES_PER_GROUP,
  MAX_TOTAL_ASNS,
  MAX_TOTAL_PREFIXES,
  type WatchGroup,
  type Watchlist,
} from './model';
import { validateWatchlist } from './validate';

export type ImportMode = 'merge' | 'replace';

/** Why an import was refused, as data, so a page can say it in the user's language. */
export type ImportRefusal =
  | { kind: 'too-many-groups'; count: number; limit: number }
  | {
      kind: 'group-too-large';
      group: string;
      what: 'asns' | 'prefixes';
      count: number;
      limit: number;
    }
  | { kind: 'total-too-large'; what: 'asns' | 'prefixes'; count: number; limit: number }
  | { kind: 'code-taken'; group: string; code: string; takenBy: string }
  | { kind: 'invalid'; reason: string };

export interface ImportPlan {
  ok: true;
  /** The watchlist to store. */
  watchlist: Watchlist;
  /** Names of groups the import adds, changes (entries or on/off) and removes. */
  added: string[];
  changed: string[];
  removed: string[];
  /** How many groups are switched on afterwards: 0 means no site could ever be flagged. */
  enabledGroups: number;
  /**
   * The built-in carriers watched now that would not be afterwards (carriersNoLongerWatched), in
   * the order of WATCHED_CARRIERS: the preview warns about each, by name.
   */
  unwatchedCarriers: WatchedCarrier[];
}

/**
 * The built-in carrier groups the extension is for: an import that leaves one of them unwatched
 * is warned about. (PCCW is built in too, but off by default and not one of the three carriers.)
 */
export const WATCHED_CARRIERS = ['china-telecom', 'china-mobile', 'china-unicom'] as const;
export type WatchedCarrier = (typeof WATCHED_CARRIERS)[number];

/** The built-in group `id` watches something: it is there, switched on, and lists an ASN or prefix. */
function watchesCarrier(watchlist: Watchlist, id: WatchedCarrier): boolean {
  const group = watchlist.groups.find((g) => g.builtin && g.id === id);
  return !!group && group.enabled && (group.asns.length > 0 || group.prefixes.length > 0);
}

/**
 * The built-in carriers (China Telecom, China Mobile, China Unicom) that `before` watches and
 * `after` does not: the group is gone, switched off, or has no ASNs and no prefixes left. A carrier
 * the user had already switched off is not listed: the import does not change it, and the warning
 * says "no longer".
 */
export function carriersNoLongerWatched(before: Watchlist, after: Watchlist): WatchedCarrier[] {
  return WATCHED_CARRIERS.filter((id) => watchesCarrier(before, id) && !watchesCarrier(after, id));
}

export type ImportPlanResult = ImportPlan | { ok: false; refusal: ImportRefusal; reason: string };

/** A group's counts, for a summary of what a file holds. */
export interface GroupSummary {
  name: string;
  builtin: boolean;
  enabled: boolean;
  asns: number;
  prefixes: number;
}

/** What a file holds, group by group: the built-in groups it mentions first, then its own. */
export function summarizeFile(file: WatchlistFile): GroupSummary[] {
  return [...file.builtins, ...file.groups].map((g) => ({
    name: g.name,
    builtin: g.builtin,
    enabled: g.enabled,
    asns: g.asns.length,
    prefixes: g.prefixes.length,
  }));
}

/** Works out an import in `mode` without saving anything; see the module comment. */
export function planImport(
  current: Watchlist,
  file: WatchlistFile,
  mode: ImportMode,
  builtinGroups: readonly WatchGroup[] = DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
): ImportPlanResult {
  return mode === 'replace' ? planReplace(current, file, builtinGroups) : planMerge(current, file);
}

function planReplace(
  current: Watchlist,
  file: WatchlistFile,
  builtinGroups: readonly WatchGroup[],
): ImportPlanResult {
  const watchlist = watchlistFromFile(file, builtinGroups);
  const byId = new Map(current.groups.map((g) => [g.id, g]));
  const next = new Map(watchlist.groups.map((g) => [g.id, g]));
  return {
    ok: true,
    watchlist,
    added: watchlist.groups.filter((g) => !byId.has(g.id)).map((g) => g.name),
    changed: watchlist.groups
      .filter((g) => byId.has(g.id) && !sameGroup(byId.get(g.id)!, g))
      .map((g) => g.name),
    removed: current.groups.filter((g) => !next.has(g.id)).map((g) => g.name),
    enabledGroups: watchlist.groups.filter((g) => g.enabled).length,
    unwatchedCarriers: carriersNoLongerWatched(current, watchlist),
  };
}

function planMerge(current: Watchlist, file: WatchlistFile): ImportPlanResult {
  const groups = [...current.groups];
  const added: string[] = [];
  const changed: string[] = [];
  for (const incoming of [...file.builtins, ...file.groups]) {
    const index = groups.findIndex((g) => matches(g, incoming));
    const mine = groups[index];
    if (mine) {
      const merged = mergeGroup(mine, incoming);
      if (!sameGroup(mine, merged)) changed.push(mine.name);
      groups[index] = merged;
      continue;
    }
    const takenBy = groups.find((g) => g.code === incoming.code);
    if (takenBy) {
      return refuse({
        kind: 'code-taken',
        group: incoming.name,
        code: incoming.code,
        takenBy: takenBy.name,
      });
    }
    const taken = groups.some((g) => g.id === incoming.id);
    const id = taken ? freshId({ groups }, incoming.name) : incoming.id;
    groups.push({ ...incoming, id });
    added.push(incoming.name);
  }
  const limit = checkLimits(groups);
  if (limit) return refuse(limit);
  // The checks above give the reasons people need; this one makes sure nothing else slipped by.
  const checked = validateWatchlist({ groups });
  if (!checked.ok) return refuse({ kind: 'invalid', reason: checked.reason });
  return {
    ok: true,
    watchlist: checked.watchlist,
    added,
    changed,
    removed: [],
    enabledGroups: checked.watchlist.groups.filter((g) => g.enabled).length,
    unwatchedCarriers: carriersNoLongerWatched(current, checked.watchlist),
  };
}

/** A built-in group matches by id; a group of the file's own by name (case-insensitive). */
function matches(mine: WatchGroup, incoming: WatchGroup): boolean {
  if (incoming.builtin) return mine.builtin && mine.id === incoming.id;
  if (mine.builtin) return false;
  // A custom group's id is made from its name on the machine that made it, so two people's
  // different groups can share one; the name is what the user knows the group by.
  return mine.name.toLowerCase() === incoming.name.toLowerCase();
}

function mergeGroup(mine: WatchGroup, incoming: WatchGroup): WatchGroup {
  const asns = new Set(mine.asns.map((a) => a.asn));
  const prefixes = new Set(mine.prefixes);
  return {
    ...mine,
    enabled: incoming.enabled,
    asns: [...mine.asns, ...incoming.asns.filter((a) => !asns.has(a.asn))],
    prefixes: [...mine.prefixes, ...incoming.prefixes.filter((p) => !prefixes.has(p))],
  };
}

function sameGroup(a: WatchGroup, b: WatchGroup): boolean {
  return (
    a.enabled === b.enabled &&
    a.asns.length === b.asns.length &&
    a.prefixes.length === b.prefixes.length &&
    a.asns.every((x, i) => x.asn === b.asns[i]?.asn) &&
    a.prefixes.every((p, i) => p === b.prefixes[i])
  );
}

function checkLimits(groups: readonly WatchGroup[]): ImportRefusal | null {
  if (groups.length > MAX_GROUPS) {
    return { kind: 'too-many-groups', count: groups.length, limit: MAX_GROUPS };
  }
  for (const g of groups) {
    if (g.asns.length > MAX_ASNS_PER_GROUP) {
      const count = g.asns.length;
      return {
        kind: 'group-too-large',
        group: g.name,
        what: 'asns',
        count,
        limit: MAX_ASNS_PER_GROUP,
      };
    }
    if (g.prefixes.length > MAX_PREFIXES_PER_GROUP) {
      const count = g.prefixes.length;
      return {
        kind: 'group-too-large',
        group: g.name,
        what: 'prefixes',
        count,
        limit: MAX_PREFIXES_PER_GROUP,
      };
    }
  }
  const asns = groups.reduce((sum, g) => sum + g.asns.length, 0);
  if (asns > MAX_TOTAL_ASNS) {
    return { kind: 'total-too-large', what: 'asns', count: asns, limit: MAX_TOTAL_ASNS };
  }
  const prefixes = groups.reduce((sum, g) => sum + g.prefixes.length, 0);
  if (prefixes > MAX_TOTAL_PREFIXES) {
    return {
      kind: 'total-too-large',
      what: 'prefixes',
      count: prefixes,
      limit: MAX_TOTAL_PREFIXES,
    };
  }
  return null;
}

/** The refusal, with its reason in English words (for the CLI, logs and tests). */
function refuse(refusal: ImportRefusal): { ok: false; refusal: ImportRefusal; reason: string } {
  return { ok: false, refusal, reason: describeRefusal(refusal) };
}

/** English words for a refusal; the settings page has its own, in every language. */
export function describeRefusal(refusal: ImportRefusal): string {
  switch (refusal.kind) {
    case 'too-many-groups':
      return `the merged watchlist would have ${refusal.count} groups; the limit is ${refusal.limit}`;
    case 'group-too-large':
      return `${refusal.group} would have ${refusal.count} ${refusal.what === 'asns' ? 'ASNs' : 'prefixes'}; the limit for one group is ${refusal.limit}`;
    case 'total-too-large':
      return `the merged watchlist would have ${refusal.count} ${refusal.what === 'asns' ? 'ASNs' : 'prefixes'} in all groups together; the limit is ${refusal.limit}`;
    case 'code-taken':
      return `the file's group ${refusal.group} uses the badge code ${refusal.code}, which your group ${refusal.takenBy} already uses`;
    case 'invalid':
      return refusal.reason;
  }
}
