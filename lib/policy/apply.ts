/**
 * From the user's stored settings and a read policy to the settings in effect, and the guard on a
 * save. The user's own record is never overwritten by a locked value: remove the policy and their
 * choices come back.
 */
import { validateSettings, type Settings } from '../settings';
import { DEFAULT_WATCHLIST } from '../watchlist/defaults';
import type { Watchlist } from '../watchlist/model';
import { validateWatchlist } from '../watchlist/validate';
import {
  POLICY_KEYS,
  type LockableField,
  type ManagedPolicy,
  type PolicyKey,
  type PolicyValues,
  type WatchlistPolicy,
} from './read';

/**
 * The settings in effect: every locked key's value applied over the user's settings. Unlocked
 * values are not applied here; `adoptPolicy` applies them once, into the user's own record.
 */
export function applyPolicy(settings: Settings, policy: ManagedPolicy): Settings {
  let effective = settings;
  for (const key of POLICY_KEYS) {
    if (policy.locked.has(key)) effective = applyKey(effective, key, policy.values);
  }
  return effective;
}

/**
 * Which unlocked policy value was last applied to the user's settings, per key, as JSON: kept
 * (storage.local) so a value is applied once, not at every start, and not again after a policy that
 * was briefly missing (Chromium's cold start) comes back unchanged.
 */
export type AdoptedPolicyValues = Partial<Record<PolicyKey, string>>;

/**
 * The user's settings with every unlocked policy value that is new or changed since it was last
 * adopted applied once; after that the value is the user's to change. `changed` tells the caller
 * whether to store the settings, and `adopted` is the record to keep for next time.
 */
export function adoptPolicy(
  settings: Settings,
  policy: ManagedPolicy,
  adopted: AdoptedPolicyValues,
): { settings: Settings; changed: boolean; adopted: AdoptedPolicyValues } {
  let next = settings;
  const record: AdoptedPolicyValues = { ...adopted };
  for (const key of POLICY_KEYS) {
    const value = policy.values[key];
    if (policy.locked.has(key) || value === undefined) continue;
    const json = JSON.stringify(value);
    if (record[key] === json) continue;
    next = applyKey(next, key, policy.values);
    record[key] = json;
  }
  return { settings: next, changed: next !== settings, adopted: record };
}

/**
 * Guards a save (the settings page, an import): a locked field keeps the user's stored value,
 * whatever was sent, so the policy stays in force and a later unlock gives back the user's own
 * choice. `ignored` lists the locked fields the sender tried to change (compared with what is in
 * effect), so the page can say that their change was not applied.
 */
export function guardLockedFields(
  incoming: Settings,
  stored: Settings,
  effective: Settings,
  locked: ReadonlySet<LockableField>,
): { settings: Settings; ignored: LockableField[] } {
  const settings: Settings = { ...incoming };
  const ignored: LockableField[] = [];
  for (const field of locked) {
    if (JSON.stringify(incoming[field]) !== JSON.stringify(effective[field])) ignored.push(field);
    (settings as unknown as Record<string, unknown>)[field] = stored[field];
  }
  return { settings, ignored };
}

/** One key's value put into the settings; a result the settings would refuse leaves them as they were. */
function applyKey(settings: Settings, key: PolicyKey, values: PolicyValues): Settings {
  const next = changedByKey(settings, key, values);
  if (next === settings) return settings;
  const checked = validateSettings(next);
  return checked.ok ? checked.settings : settings;
}

function changedByKey(settings: Settings, key: PolicyKey, values: PolicyValues): Settings {
  switch (key) {
    case 'privacyMode':
    case 'blockFlaggedHosts':
    case 'onFlagged':
    case 'resolver': {
      const value = values[key];
      return value === undefined ? settings : { ...settings, [key]: value };
    }
    case 'allowlist': {
      const added = values.allowlist;
      if (!added) return settings;
      const missing = added.filter((h) => !settings.allowlist.includes(h));
      return missing.length
        ? { ...settings, allowlist: [...missing, ...settings.allowlist] }
        : settings;
    }
    case 'watchlist':
      return values.watchlist
        ? { ...settings, watchlist: watchlistWith(settings.watchlist, values.watchlist) }
        : settings;
    case 'dataUpdate': {
      const update = values.dataUpdate;
      return update ? { ...settings, dataUpdate: { ...settings.dataUpdate, ...update } } : settings;
    }
  }
}

/**
 * The watchlist with the organisation's changes: built-in groups switched, its own groups (ids
 * `org-…`) in place of any earlier copies, and a user group that shares a name or code with one of
 * them left out (two groups with one badge code could not be told apart). If the result would
 * break a limit with the user's groups, the organisation's changes apply to the built-in groups.
 */
function watchlistWith(watchlist: Watchlist, policy: WatchlistPolicy): Watchlist {
  const names = new Set(policy.addGroups.map((g) => g.name.toLowerCase()));
  const codes = new Set(policy.addGroups.map((g) => g.code));
  const build = (base: Watchlist): Watchlist => ({
    groups: [
      ...base.groups
        .filter(
          (g) =>
            g.builtin ||
            (!g.id.startsWith('org-') && !names.has(g.name.toLowerCase()) && !codes.has(g.code)),
        )
        .map((g) => {
          if (!g.builtin) return g;
          if (policy.enableGroups.includes(g.id)) return { ...g, enabled: true };
          if (policy.disableGroups.includes(g.id)) return { ...g, enabled: false };
          return g;
        }),
      ...structuredClone(policy.addGroups),
    ],
  });
  const combined = build(watchlist);
  if (validateWatchlist(combined).ok) return combined;
  return build(DEFAULT_WATCHLIST);
}
