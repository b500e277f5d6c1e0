/**
 * The managed policy an administrator sets (Chromium: `storage.managed_schema`, public/managed-schema.json;
 * Firefox: `policies.json`, `3rdparty.Extensions.<id>`), and its reader. The browser hands the
 * extension a plain object; every key here is checked with the validators the settings themselves
 * use, so a policy can never put into effect what the settings page would refuse.
 *
 * Each key names the setting it governs and holds an object: the organisation's value(s) and
 * `locked`. Locked: the value is applied over the user's settings every time and the settings page
 * shows the control disabled. Not locked: the value is applied once, when it first appears or
 * changes, and the user may change it afterwards (lib/policy/apply.ts).
 *
 * ```json
 * {
 *   "privacyMode": { "value": true, "locked": true },
 *   "resolver": { "value": "quad9" },
 *   "onFlagged": { "value": "warn", "locked": true },
 *   "blockFlaggedHosts": { "value": false },
 *   "allowlist": { "add": ["intranet.example.com"], "locked": true },
 *   "watchlist": {
 *     "enableGroups": ["pccw"], "disableGroups": [],
 *     "addGroups": [{ "name": "Our upstream", "code": "UP", "asns": [64500], "prefixes": ["1.0.0.0/24"] }],
 *     "locked": true
 *   },
 *   "dataUpdate": { "sources": ["https://mirror.example.com/asn-ipv4-num.csv"], "automatic": true, "locked": true }
 * }
 * ```
 */
import { validateRoutingSources } from '../data-update/source-url';
import { RESOLVER_PRESETS, validateResolverChoice, type ResolverChoice } from '../dns';
import {
  FLAG_ACTIONS,
  MAX_ALLOWLIST_ENTRIES,
  parseAllowlistEntry,
  type FlagAction,
  type Settings,
} from '../settings';
import { DEFAULT_WATCHLIST } from '../watchlist/defaults';
import type { WatchAsn, WatchGroup } from '../watchlist/model';
import { isRecord, validateWatchlist } from '../watchlist/validate';

/** A settings field a policy can lock (any of them: a field locked elsewhere needs no change here). */
export type LockableField = Exclude<keyof Settings, 'version'>;

/** The policy's keys, each named after the settings field it governs. */
export const POLICY_KEYS = [
  'privacyMode',
  'resolver',
  'onFlagged',
  'blockFlaggedHosts',
  'allowlist',
  'watchlist',
  'dataUpdate',
] as const satisfies readonly LockableField[];
export type PolicyKey = (typeof POLICY_KEYS)[number];

/** What the organisation does to the watchlist: built-in groups on or off, groups of its own. */
export interface WatchlistPolicy {
  enableGroups: string[];
  disableGroups: string[];
  /** Complete groups (ids `org-1`, `org-2`… in policy order), enabled, not built in. */
  addGroups: WatchGroup[];
}

/** The checked values, per key (absent: the policy does not set it). */
export interface PolicyValues {
  privacyMode?: boolean;
  resolver?: ResolverChoice;
  onFlagged?: FlagAction;
  blockFlaggedHosts?: boolean;
  /** Host names added to the user's allowlist. */
  allowlist?: string[];
  watchlist?: WatchlistPolicy;
  /** Either part may be left to the user. */
  dataUpdate?: { sources?: string[]; automatic?: boolean };
}

/** A read policy: what it sets, which settings fields it locks, and what in it was refused. */
export interface ManagedPolicy {
  values: PolicyValues;
  locked: ReadonlySet<LockableField>;
  /** One line per refused or unknown key, in English, for the settings page and the log. */
  problems: string[];
}

/** No policy: what a browser without `storage.managed`, or an empty one, gives. */
export const NO_POLICY: ManagedPolicy = Object.freeze({
  values: {},
  locked: new Set<LockableField>(),
  problems: [],
});

/** The ids of the built-in groups a policy may switch on or off. */
export const BUILTIN_GROUP_IDS: readonly string[] = DEFAULT_WATCHLIST.groups.map((g) => g.id);

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Reads what `storage.managed.get()` gave (or the cached copy of it). Never throws: a key that is
 * wrong is left out with a problem naming it, unknown keys too, and the rest still applies.
 */
export function readPolicy(raw: unknown): ManagedPolicy {
  if (raw === undefined || raw === null) return NO_POLICY;
  if (!isRecord(raw)) return { ...NO_POLICY, problems: ['the policy must be an object'] };
  const values: PolicyValues = {};
  const locked = new Set<LockableField>();
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    if (!(POLICY_KEYS as readonly string[]).includes(key)) {
      problems.push(`unknown policy key ${JSON.stringify(key)} (ignored)`);
      continue;
    }
    const policyKey = key as PolicyKey;
    const checked = readEntry(policyKey, entry);
    if (!checked.ok) {
      problems.push(`policy ${key}: ${checked.reason} (ignored)`);
      continue;
    }
    (values as Record<PolicyKey, unknown>)[policyKey] = checked.value;
    if (isRecord(entry) && entry.locked === true) locked.add(policyKey);
  }
  return { values, locked, problems };
}

/** Each key's object holds these fields and an optional boolean `locked` (public/managed-schema.json agrees). */
export const POLICY_ENTRY_KEYS: Record<PolicyKey, readonly string[]> = {
  privacyMode: ['value'],
  resolver: ['value'],
  onFlagged: ['value'],
  blockFlaggedHosts: ['value'],
  allowlist: ['add'],
  watchlist: ['enableGroups', 'disableGroups', 'addGroups'],
  dataUpdate: ['sources', 'automatic'],
};

function readEntry(key: PolicyKey, entry: unknown): Checked<unknown> {
  if (!isRecord(entry)) return { ok: false, reason: 'must be an object' };
  const allowed = POLICY_ENTRY_KEYS[key];
  const extra = Object.keys(entry).find((k) => k !== 'locked' && !allowed.includes(k));
  if (extra !== undefined) return { ok: false, reason: `unknown field ${JSON.stringify(extra)}` };
  if ('locked' in entry && typeof entry.locked !== 'boolean') {
    return { ok: false, reason: 'locked must be true or false' };
  }
  switch (key) {
    case 'privacyMode':
    case 'blockFlaggedHosts':
      return typeof entry.value === 'boolean'
        ? { ok: true, value: entry.value }
        : { ok: false, reason: 'value must be true or false' };
    case 'onFlagged':
      return FLAG_ACTIONS.includes(entry.value as FlagAction)
        ? { ok: true, value: entry.value }
        : { ok: false, reason: `value must be one of ${FLAG_ACTIONS.join(', ')}` };
    case 'resolver':
      return readResolver(entry.value);
    case 'allowlist':
      return readAllowlist(entry.add);
    case 'watchlist':
      return readWatchlist(entry);
    case 'dataUpdate':
      return readDataUpdate(entry);
  }
}

/** A preset's id (`quad9`) or an https:// resolver URL, checked as the settings check a choice. */
function readResolver(value: unknown): Checked<ResolverChoice> {
  if (typeof value !== 'string') {
    return { ok: false, reason: 'value must be a preset id or an https:// URL' };
  }
  const isPreset = RESOLVER_PRESETS.some((p) => p.id === value);
  const checked = validateResolverChoice(
    isPreset ? { kind: 'preset', id: value } : { kind: 'custom', url: value },
  );
  if (checked.ok) return { ok: true, value: checked.choice };
  const presets = RESOLVER_PRESETS.map((p) => p.id).join(', ');
  return { ok: false, reason: `${checked.reason} (or one of ${presets})` };
}

function readAllowlist(add: unknown): Checked<string[]> {
  if (!Array.isArray(add)) return { ok: false, reason: 'add must be a list of site names' };
  if (add.length > MAX_ALLOWLIST_ENTRIES) {
    return { ok: false, reason: `add has more than ${MAX_ALLOWLIST_ENTRIES} entries` };
  }
  const hostnames: string[] = [];
  for (const entry of add as unknown[]) {
    // The settings page's own check: a public suffix or an address is refused here too.
    const parsed = parseAllowlistEntry(typeof entry === 'string' ? entry : '');
    if (!parsed.ok)
      return { ok: false, reason: `entry ${JSON.stringify(entry)}: ${parsed.reason}` };
    if (!hostnames.includes(parsed.hostname)) hostnames.push(parsed.hostname);
  }
  return { ok: true, value: hostnames };
}

function readGroupIds(value: unknown, field: string): Checked<string[]> {
  if (value === undefined) return { ok: true, value: [] };
  if (!Array.isArray(value)) return { ok: false, reason: `${field} must be a list of group ids` };
  for (const id of value as unknown[]) {
    if (typeof id !== 'string' || !BUILTIN_GROUP_IDS.includes(id)) {
      return {
        ok: false,
        reason: `${field}: ${JSON.stringify(id)} is not a built-in group (${BUILTIN_GROUP_IDS.join(', ')})`,
      };
    }
  }
  return { ok: true, value: [...new Set(value as string[])] };
}

/** The fields of a group in `watchlist.addGroups`. */
export const ADDED_GROUP_KEYS = ['name', 'code', 'asns', 'prefixes'];

function readWatchlist(entry: Record<string, unknown>): Checked<WatchlistPolicy> {
  const enable = readGroupIds(entry.enableGroups, 'enableGroups');
  if (!enable.ok) return enable;
  const disable = readGroupIds(entry.disableGroups, 'disableGroups');
  if (!disable.ok) return disable;
  const both = enable.value.find((id) => disable.value.includes(id));
  if (both) return { ok: false, reason: `${both} is both enabled and disabled` };
  const added = entry.addGroups ?? [];
  if (!Array.isArray(added)) return { ok: false, reason: 'addGroups must be a list of groups' };
  const addGroups: WatchGroup[] = [];
  for (const [index, group] of (added as unknown[]).entries()) {
    if (!isRecord(group)) return { ok: false, reason: `addGroups[${index}] must be an object` };
    const extra = Object.keys(group).find((k) => !ADDED_GROUP_KEYS.includes(k));
    if (extra !== undefined) {
      return { ok: false, reason: `addGroups[${index}]: unknown field ${JSON.stringify(extra)}` };
    }
    const asns = group.asns ?? [];
    if (!Array.isArray(asns) || !asns.every((a) => typeof a === 'number')) {
      return { ok: false, reason: `addGroups[${index}]: asns must be a list of numbers` };
    }
    addGroups.push({
      id: `org-${index + 1}`,
      name: group.name as string,
      code: group.code as string,
      enabled: true,
      builtin: false,
      asns: (asns as number[]).map((asn): WatchAsn => ({ asn })),
      prefixes: (group.prefixes ?? []) as string[],
    });
  }
  // The groups are checked by the watchlist's own validator, beside the built-in ones: names,
  // codes, ASNs, canonical prefixes, every limit, and no clash with a built-in name or code.
  const checked = validateWatchlist(
    { groups: [...DEFAULT_WATCHLIST.groups, ...addGroups] },
    { refuseUseless: true },
  );
  if (!checked.ok) {
    // The validator counts every group; the administrator counts the groups they added.
    const builtin = DEFAULT_WATCHLIST.groups.length;
    const reason = checked.reason.replace(
      /^group (\d+)/,
      (_, n: string) => `addGroups[${Number(n) - builtin - 1}]`,
    );
    return { ok: false, reason };
  }
  return {
    ok: true,
    value: {
      enableGroups: enable.value,
      disableGroups: disable.value,
      addGroups: checked.watchlist.groups.slice(DEFAULT_WATCHLIST.groups.length),
    },
  };
}

function readDataUpdate(
  entry: Record<string, unknown>,
): Checked<NonNullable<PolicyValues['dataUpdate']>> {
  const value: NonNullable<PolicyValues['dataUpdate']> = {};
  if (entry.automatic !== undefined) {
    if (typeof entry.automatic !== 'boolean') {
      return { ok: false, reason: 'automatic must be true or false' };
    }
    value.automatic = entry.automatic;
  }
  if (entry.sources !== undefined) {
    if (!Array.isArray(entry.sources) || !entry.sources.every((s) => typeof s === 'string')) {
      return { ok: false, reason: 'sources must be a list of addresses' };
    }
    const sources = validateRoutingSources(entry.sources as string[]);
    if (!sources.ok) return { ok: false, reason: `sources: ${sources.reason}` };
    value.sources = sources.sources;
  }
  if (value.sources === undefined && value.automatic === undefined) {
    return { ok: false, reason: 'sets neither sources nor automatic' };
  }
  return { ok: true, value };
}
