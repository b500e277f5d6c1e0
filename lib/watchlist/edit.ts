/**
 * Pure editing helpers for the options page. Each returns a new watchlist and leaves its input
 * untouched (unchanged groups are shared, which is safe because nothing mutates them), or a reason
 * the edit was refused. Duplicates are refused rather than ignored so the user learns why nothing
 * changed.
 */
import { parseAsnInput } from './asn';
import {
  MAX_ASNS_PER_GROUP,
  MAX_GROUPS,
  MAX_PREFIXES_PER_GROUP,
  MAX_TOTAL_ASNS,
  MAX_TOTAL_PREFIXES,
} from './model';
import type { WatchGroup, Watchlist, WatchlistRefusal, WatchlistResult } from './model';
import { checkGroupCode, checkGroupName, checkPrefixUseful, parsePrefixInput } from './validate';

/** Adds an AS number typed by the user (`AS4134`, `4134`, asdot `1.10`) to a group. */
export function addAsn(watchlist: Watchlist, groupId: string, text: string): WatchlistResult {
  const parsed = parseAsnInput(text);
  if (!parsed.ok) return { ...parsed, refusal: { kind: 'bad-asn', input: String(text).trim() } };
  return updateGroup(watchlist, groupId, (group) => {
    if (group.asns.some((a) => a.asn === parsed.asn)) {
      return {
        ok: false,
        reason: `AS${parsed.asn} is already in ${group.name}`,
        refusal: { kind: 'already-listed', entry: `AS${parsed.asn}`, group: nameOf(group) },
      };
    }
    if (group.asns.length >= MAX_ASNS_PER_GROUP) {
      return {
        ok: false,
        reason: `${group.name} already has ${MAX_ASNS_PER_GROUP} ASNs`,
        refusal: { kind: 'group-full', limit: MAX_ASNS_PER_GROUP, group: nameOf(group) },
      };
    }
    if (countOf(watchlist, 'asns') >= MAX_TOTAL_ASNS) {
      return {
        ok: false,
        reason: `the watchlist already has ${MAX_TOTAL_ASNS} ASNs, the limit`,
        refusal: { kind: 'watchlist-full', limit: MAX_TOTAL_ASNS },
      };
    }
    return { ok: true, group: { ...group, asns: [...group.asns, { asn: parsed.asn }] } };
  });
}

/** Removes an AS number (a number, or text as `parseAsnInput` reads it) from a group. */
export function removeAsn(
  watchlist: Watchlist,
  groupId: string,
  asn: number | string,
): WatchlistResult {
  const value = typeof asn === 'number' ? asn : parseAsnInput(asn);
  const number = typeof value === 'number' ? value : value.ok ? value.asn : null;
  if (number === null) return { ok: false, reason: (value as { reason: string }).reason };
  return updateGroup(watchlist, groupId, (group) => {
    if (!group.asns.some((a) => a.asn === number)) {
      return {
        ok: false,
        reason: `AS${number} is not in ${group.name}`,
        refusal: { kind: 'not-listed', entry: `AS${number}`, group: nameOf(group) },
      };
    }
    return { ok: true, group: { ...group, asns: group.asns.filter((a) => a.asn !== number) } };
  });
}

/** Adds a CIDR prefix typed by the user; it is stored in canonical form. */
export function addPrefix(watchlist: Watchlist, groupId: string, text: string): WatchlistResult {
  const parsed = parsePrefixInput(text);
  const badPrefix = { kind: 'bad-prefix', input: String(text).trim() } as const;
  if (!parsed.ok) return { ...parsed, refusal: badPrefix };
  const useful = checkPrefixUseful(parsed.cidr);
  if (!useful.ok) return { ...useful, refusal: badPrefix };
  return updateGroup(watchlist, groupId, (group) => {
    if (group.prefixes.includes(parsed.prefix)) {
      return {
        ok: false,
        reason: `${parsed.prefix} is already in ${group.name}`,
        refusal: { kind: 'already-listed', entry: parsed.prefix, group: nameOf(group) },
      };
    }
    if (group.prefixes.length >= MAX_PREFIXES_PER_GROUP) {
      return {
        ok: false,
        reason: `${group.name} already has ${MAX_PREFIXES_PER_GROUP} prefixes`,
        refusal: { kind: 'group-full', limit: MAX_PREFIXES_PER_GROUP, group: nameOf(group) },
      };
    }
    if (countOf(watchlist, 'prefixes') >= MAX_TOTAL_PREFIXES) {
      return {
        ok: false,
        reason: `the watchlist already has ${MAX_TOTAL_PREFIXES} prefixes, the limit`,
        refusal: { kind: 'watchlist-full', limit: MAX_TOTAL_PREFIXES },
      };
    }
    return { ok: true, group: { ...group, prefixes: [...group.prefixes, parsed.prefix] } };
  });
}

/** Removes a prefix; any spelling of the same prefix (e.g. upper-case IPv6) finds it. */
export function removePrefix(watchlist: Watchlist, groupId: string, text: string): WatchlistResult {
  const parsed = parsePrefixInput(text);
  const prefix = parsed.ok ? parsed.prefix : text;
  return updateGroup(watchlist, groupId, (group) => {
    if (!group.prefixes.includes(prefix)) {
      return {
        ok: false,
        reason: `${prefix} is not in ${group.name}`,
        refusal: { kind: 'not-listed', entry: prefix, group: nameOf(group) },
      };
    }
    return { ok: true, group: { ...group, prefixes: group.prefixes.filter((p) => p !== prefix) } };
  });
}

/**
 * Adds an empty, enabled custom group. The code is upper-cased (it is only ever shown that way);
 * the id is derived from the name and returned so the caller can select the new group.
 */
export function addGroup(
  watchlist: Watchlist,
  name: string,
  code: string,
):
  | { ok: true; watchlist: Watchlist; groupId: string }
  | { ok: false; reason: string; refusal?: WatchlistRefusal } {
  const trimmedName = typeof name === 'string' ? name.trim() : name;
  const checkedName = checkGroupName(trimmedName);
  if (!checkedName.ok) return { ...checkedName, refusal: { kind: 'bad-group-name' } };
  const checkedCode = checkGroupCode(typeof code === 'string' ? code.trim().toUpperCase() : code);
  if (!checkedCode.ok) return { ...checkedCode, refusal: { kind: 'bad-group-code' } };
  if (watchlist.groups.length >= MAX_GROUPS) {
    return {
      ok: false,
      reason: `there are already ${MAX_GROUPS} groups`,
      refusal: { kind: 'too-many-groups', limit: MAX_GROUPS },
    };
  }
  const lower = checkedName.value.toLowerCase();
  const sameName = watchlist.groups.find((g) => g.name.toLowerCase() === lower);
  if (sameName) {
    return {
      ok: false,
      reason: `a group named '${sameName.name}' already exists`,
      refusal: { kind: 'name-taken', name: sameName.name },
    };
  }
  const sameCode = watchlist.groups.find((g) => g.code === checkedCode.value);
  if (sameCode) {
    return {
      ok: false,
      reason: `code ${checkedCode.value} is already used by ${sameCode.name}`,
      refusal: { kind: 'code-taken', code: checkedCode.value, group: nameOf(sameCode) },
    };
  }
  const groupId = freshId(watchlist, checkedName.value);
  const group: WatchGroup = {
    id: groupId,
    name: checkedName.value,
    code: checkedCode.value,
    enabled: true,
    builtin: false,
    asns: [],
    prefixes: [],
  };
  return { ok: true, watchlist: { ...watchlist, groups: [...watchlist.groups, group] }, groupId };
}

/** Removes a custom group; built-in groups can only be disabled, so the defaults stay recoverable. */
export function removeGroup(watchlist: Watchlist, groupId: string): WatchlistResult {
  const group = watchlist.groups.find((g) => g.id === groupId);
  if (!group) return { ok: false, reason: `no group with id '${groupId}'` };
  if (group.builtin) {
    return {
      ok: false,
      reason: `${group.name} is built in: disable it instead of removing it`,
      refusal: { kind: 'built-in', group: nameOf(group) },
    };
  }
  return {
    ok: true,
    watchlist: { ...watchlist, groups: watchlist.groups.filter((g) => g !== group) },
  };
}

/** Switches a group on or off; setting the state it already has is not an error. */
export function setGroupEnabled(
  watchlist: Watchlist,
  groupId: string,
  enabled: boolean,
): WatchlistResult {
  if (typeof enabled !== 'boolean') return { ok: false, reason: 'enabled must be true or false' };
  return updateGroup(watchlist, groupId, (group) => ({ ok: true, group: { ...group, enabled } }));
}

function updateGroup(
  watchlist: Watchlist,
  groupId: string,
  change: (group: WatchGroup) => { ok: true; group: WatchGroup } | { ok: false; reason: string },
): WatchlistResult {
  const index = watchlist.groups.findIndex((g) => g.id === groupId);
  const group = watchlist.groups[index];
  if (!group) return { ok: false, reason: `no group with id '${groupId}'` };
  const result = change(group);
  if (!result.ok) return result;
  const groups = [...watchlist.groups];
  groups[index] = result.group;
  return { ok: true, watchlist: { ...watchlist, groups } };
}

function countOf(watchlist: Watchlist, field: 'asns' | 'prefixes'): number {
  return watchlist.groups.reduce((sum, g) => sum + g[field].length, 0);
}

/** An id for a new custom group named `name` that no group in `watchlist` has yet (`custom-<slug>[-n]`). */
export function freshId(watchlist: Watchlist, name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const base = slug ? `custom-${slug}` : 'custom';
  const taken = new Set(watchlist.groups.map((g) => g.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }
}

/** The group a refusal names: its id (for a built-in group's name in the user's language) and name. */
function nameOf(group: WatchGroup): { id: string; name: string } {
  return { id: group.id, name: group.name };
}
