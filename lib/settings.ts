import { DEFAULT_ROUTING_SOURCES, validateRoutingSources } from './data-update/source-url';
import {
  BLOCKED_SUFFIXES,
  DEFAULT_RESOLVER_ID,
  validateResolverChoice,
  type ResolverChoice,
} from './dns';
import { DEFAULT_WATCHLIST } from './watchlist/defaults';
import { MAX_ASNS_PER_GROUP, MAX_TOTAL_ASNS, type Watchlist } from './watchlist/model';
import { validateWatchlist } from './watchlist/validate';

/**
 * At most this many allowlist entries (README, "Limits"): checking a hostname costs one Set lookup
 * per label of the hostname whatever the count, but the list is shown and stored whole.
 */
export const MAX_ALLOWLIST_ENTRIES = 1000;

/**
 * Common public suffixes refused as allowlist entries, besides any single label (`com`, `cn`):
 * allowlisting one would stop every site under it from being checked. A short list of the
 * suffixes people actually type, on purpose not the whole Public Suffix List (over 9,000 entries
 * that would need updating): an entry missed here still only affects the user who typed it.
 */
export const COMMON_PUBLIC_SUFFIXES: ReadonlySet<string> = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'net.uk',
  'com.cn',
  'net.cn',
  'org.cn',
  'gov.cn',
  'edu.cn',
  'ac.cn',
  'com.hk',
  'net.hk',
  'org.hk',
  'edu.hk',
  'gov.hk',
  'com.tw',
  'net.tw',
  'org.tw',
  'edu.tw',
  'gov.tw',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'go.jp',
  'co.kr',
  'or.kr',
  'ac.kr',
  'go.kr',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'govt.nz',
  'com.br',
  'net.br',
  'org.br',
  'gov.br',
  'co.in',
  'net.in',
  'org.in',
  'gov.in',
  'ac.in',
  'com.sg',
  'edu.sg',
  'gov.sg',
  'com.mo',
  'com.my',
  'com.ph',
  'com.vn',
  'co.th',
  'co.id',
  'com.mx',
  'com.ar',
  'com.tr',
  'co.za',
  'com.ru',
  'com.ua',
  'github.io',
  'gitlab.io',
  'blogspot.com',
  'herokuapp.com',
  'vercel.app',
  'netlify.app',
  'pages.dev',
  'workers.dev',
  'web.app',
  'firebaseapp.com',
  'appspot.com',
  'cloudfront.net',
  'azurewebsites.net',
  'amazonaws.com',
]);

/** The settings format written by this release. Bump it and add a step to `migrateSettings` on change. */
export const SETTINGS_VERSION = 5;

// The resolver choice and its URL live in lib/dns (the CLI needs them without the settings);
// re-exported for the settings' own users.
export { resolverUrlOf, type ResolverChoice } from './dns';

/** Everything the user can change, stored as one record so a save is all-or-nothing. */
export interface Settings {
  version: typeof SETTINGS_VERSION;
  watchlist: Watchlist;
  resolver: ResolverChoice;
  /** Use only the address the browser connected to: no DNS-over-HTTPS queries at all. */
  privacyMode: boolean;
  /** Hostnames never looked up; an entry covers its subdomains too. */
  allowlist: string[];
  /** Show on the badge how many of the page's third-party hosts are flagged (version 2). */
  countThirdPartyHosts: boolean;
  /** Routing data updates (version 3; an ordered list of sources since version 4): lib/data-update. */
  dataUpdate: DataUpdateSettings;
  /** What happens when a site is flagged (version 5): only the badge, a warning page, or a block. */
  onFlagged: FlagAction;
  /** Block the page's requests to third-party hosts on watched networks (version 5). */
  blockFlaggedHosts: boolean;
  /** The local history of flagged visits (version 5): lib/history. */
  history: HistorySettings;
}

/** "When a site is flagged": the badge only, a warning page with "continue", or a block page. */
export type FlagAction = 'nothing' | 'warn' | 'block';
export const FLAG_ACTIONS: readonly FlagAction[] = ['nothing', 'warn', 'block'];

/** Bounds of the history's settable limits (README, "Limits"). */
export const HISTORY_LIMITS = {
  minEntries: 10,
  maxEntries: 10_000,
  minAgeDays: 1,
  maxAgeDays: 3650,
} as const;

/** The local history of flagged visits: kept in IndexedDB, never sent anywhere. */
export interface HistorySettings {
  /** Record flagged visits at all. */
  enabled: boolean;
  /** Record them in privacy mode too (off: privacy mode keeps no history). */
  inPrivacyMode: boolean;
  /** At most this many rows; the oldest go first. */
  maxEntries: number;
  /** Rows older than this many days go. */
  maxAgeDays: number;
}

/** How the routing data is kept fresh without a release. */
export interface DataUpdateSettings {
  /** Check for new data once a week (an `alarms` schedule); "Update now" works either way. */
  automatic: boolean;
  /**
   * The "Routing data sources", in order: the first with usable, newer data is used, the next
   * cross-checks it (lib/data-update/source-url.ts says what each address stands for).
   */
  sources: string[];
}

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; reason: string };

/** A fresh copy of the defaults: the three carriers, Cloudflare, privacy mode off, empty allowlist. */
export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    watchlist: structuredClone(DEFAULT_WATCHLIST),
    resolver: { kind: 'preset', id: DEFAULT_RESOLVER_ID },
    privacyMode: false,
    allowlist: [],
    countThirdPartyHosts: true,
    dataUpdate: { automatic: true, sources: [...DEFAULT_ROUTING_SOURCES] },
    onFlagged: 'nothing',
    blockFlaggedHosts: false,
    history: defaultHistorySettings(),
  };
}

/** History defaults: on outside privacy mode, 1,000 rows, 90 days. */
export function defaultHistorySettings(): HistorySettings {
  return { enabled: true, inPrivacyMode: false, maxEntries: 1000, maxAgeDays: 90 };
}

/** Checks the history part of the settings. */
export function validateHistorySettings(
  value: unknown,
): { ok: true; history: HistorySettings } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: 'must be an object' };
  for (const key of ['enabled', 'inPrivacyMode'] as const) {
    if (typeof value[key] !== 'boolean')
      return { ok: false, reason: `${key} must be true or false` };
  }
  const whole = (v: unknown, min: number, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  const L = HISTORY_LIMITS;
  if (!whole(value.maxEntries, L.minEntries, L.maxEntries)) {
    return {
      ok: false,
      reason: `maxEntries must be a whole number from ${L.minEntries} to ${L.maxEntries}`,
    };
  }
  if (!whole(value.maxAgeDays, L.minAgeDays, L.maxAgeDays)) {
    return {
      ok: false,
      reason: `maxAgeDays must be a whole number from ${L.minAgeDays} to ${L.maxAgeDays}`,
    };
  }
  return {
    ok: true,
    history: {
      enabled: value.enabled as boolean,
      inPrivacyMode: value.inPrivacyMode as boolean,
      maxEntries: value.maxEntries as number,
      maxAgeDays: value.maxAgeDays as number,
    },
  };
}

/** Checks the data-update part of the settings; the URL comes back in its folder form. */
export function validateDataUpdateSettings(
  value: unknown,
): { ok: true; dataUpdate: DataUpdateSettings } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: 'must be an object' };
  if (typeof value.automatic !== 'boolean') {
    return { ok: false, reason: 'automatic must be true or false' };
  }
  if (!Array.isArray(value.sources) || !value.sources.every((s) => typeof s === 'string')) {
    return { ok: false, reason: 'sources must be a list of addresses' };
  }
  const sources = validateRoutingSources(value.sources as string[]);
  if (!sources.ok) return { ok: false, reason: `routing data sources: ${sources.reason}` };
  return { ok: true, dataUpdate: { automatic: value.automatic, sources: sources.sources } };
}

/**
 * Checks a whole settings object (from storage, an import or a message) field by field.
 * Never throws; the reason names the first field that is wrong.
 */
export function validateSettings(value: unknown): SettingsResult {
  if (!isRecord(value)) return { ok: false, reason: 'settings must be an object' };
  if (value.version !== SETTINGS_VERSION) {
    return { ok: false, reason: `unsupported settings version ${String(value.version)}` };
  }
  const watchlist = validateWatchlist(value.watchlist);
  if (!watchlist.ok) return { ok: false, reason: `watchlist: ${watchlist.reason}` };
  const resolver = validateResolverChoice(value.resolver);
  if (!resolver.ok) return { ok: false, reason: `resolver: ${resolver.reason}` };
  if (typeof value.privacyMode !== 'boolean') {
    return { ok: false, reason: 'privacyMode must be true or false' };
  }
  if (typeof value.countThirdPartyHosts !== 'boolean') {
    return { ok: false, reason: 'countThirdPartyHosts must be true or false' };
  }
  const dataUpdate = validateDataUpdateSettings(value.dataUpdate);
  if (!dataUpdate.ok) return { ok: false, reason: `data updates: ${dataUpdate.reason}` };
  if (!FLAG_ACTIONS.includes(value.onFlagged as FlagAction)) {
    return { ok: false, reason: `onFlagged must be one of ${FLAG_ACTIONS.join(', ')}` };
  }
  if (typeof value.blockFlaggedHosts !== 'boolean') {
    return { ok: false, reason: 'blockFlaggedHosts must be true or false' };
  }
  const history = validateHistorySettings(value.history);
  if (!history.ok) return { ok: false, reason: `history: ${history.reason}` };
  if (!Array.isArray(value.allowlist)) return { ok: false, reason: 'allowlist must be a list' };
  if (value.allowlist.length > MAX_ALLOWLIST_ENTRIES) {
    return { ok: false, reason: `the allowlist has more than ${MAX_ALLOWLIST_ENTRIES} entries` };
  }
  const allowlist: string[] = [];
  const seen = new Set<string>();
  for (const entry of value.allowlist) {
    // Stored entries get the structural check only: a suffix entry saved by an older release
    // should not make the whole settings record unreadable.
    const parsed = parseHostnameEntry(typeof entry === 'string' ? entry : '');
    if (!parsed.ok)
      return { ok: false, reason: `allowlist entry ${JSON.stringify(entry)}: ${parsed.reason}` };
    if (!seen.has(parsed.hostname)) allowlist.push(parsed.hostname);
    seen.add(parsed.hostname);
  }
  return {
    ok: true,
    settings: {
      version: SETTINGS_VERSION,
      watchlist: watchlist.watchlist,
      resolver: resolver.choice,
      privacyMode: value.privacyMode,
      allowlist,
      countThirdPartyHosts: value.countThirdPartyHosts,
      dataUpdate: dataUpdate.dataUpdate,
      onFlagged: value.onFlagged as FlagAction,
      blockFlaggedHosts: value.blockFlaggedHosts,
      history: history.history,
    },
  };
}

/**
 * Brings stored settings of any earlier version up to `SETTINGS_VERSION`.
 * Nothing stored yet gives the defaults; a record that cannot be read is not silently replaced:
 * the caller gets the defaults to run with plus a `problem` to show, and keeps the stored record.
 */
export function migrateSettings(stored: unknown): {
  settings: Settings;
  changed: boolean;
  problem?: string;
} {
  if (stored === undefined || stored === null) {
    return { settings: defaultSettings(), changed: true };
  }
  let record: unknown = stored;
  let changed = false;
  // Version 2 added the third-party host count on the badge, on by default.
  if (isRecord(record) && record.version === 1) {
    record = { ...record, version: 2, countThirdPartyHosts: true };
    changed = true;
  }
  // Version 3 added routing data updates: weekly from the upstream's published files, on by default.
  if (isRecord(record) && record.version === 2) {
    record = {
      ...record,
      version: 3,
      dataUpdate: { automatic: true, sourceUrl: OLD_DEFAULT_ROUTING_DATA_URL },
    };
    changed = true;
  }
  // Version 4 made the routing data source an ordered list: the old default (the npm package's
  // jsDelivr copy, frozen upstream since June 2026) becomes the new defaults, and a folder of the
  // user's own keeps meaning the files it held (asn-ipv4-num.csv and asn-ipv6-num.csv). It also
  // moved HKBN from its own built-in minority-stake group into China Mobile's (China Mobile Hong
  // Kong has controlled HKBN since September 2025), and the built-in groups gained the networks
  // the widened audit found. Built-in groups are stored whole, so a release's changes to them
  // reach a stored watchlist only through a step like this one.
  if (isRecord(record) && record.version === 3) {
    const dataUpdate = isRecord(record.dataUpdate) ? record.dataUpdate : {};
    const { sourceUrl, ...rest } = dataUpdate;
    const sources =
      typeof sourceUrl !== 'string' || sourceUrl === OLD_DEFAULT_ROUTING_DATA_URL
        ? [...DEFAULT_ROUTING_SOURCES]
        : [sourceUrl.endsWith('/') ? `${sourceUrl}asn-ipv4-num.csv` : sourceUrl];
    record = {
      ...record,
      version: 4,
      dataUpdate: { ...rest, sources },
      watchlist: builtinGroupsV4(record.watchlist),
    };
    changed = true;
  }
  // Version 5 added acting on a flag (off: the badge only, as before) and the local history.
  if (isRecord(record) && record.version === 4) {
    record = {
      ...record,
      version: 5,
      onFlagged: 'nothing',
      blockFlaggedHosts: false,
      history: defaultHistorySettings(),
    };
    changed = true;
  }
  const checked = validateSettings(record);
  if (checked.ok) return { settings: checked.settings, changed };
  return {
    settings: defaultSettings(),
    changed: false,
    problem: `Stored settings could not be read (${checked.reason}); using the defaults until you save.`,
  };
}

/** The version 3 default source, replaced in version 4 (see `migrateSettings`). */
const OLD_DEFAULT_ROUTING_DATA_URL = 'https://cdn.jsdelivr.net/npm/@ip-location-db/asn/';

/** The built-in group version 4 retired: HKBN, now in China Mobile's group. */
const RETIRED_HKBN_GROUP = 'hkbn';
const HKBN_ASNS = [9269, 9381, 10103, 17444, 17537, 136501];

/** ASNs version 4 added to built-in groups (their entries come from this release's defaults). */
const BUILTIN_ASNS_ADDED_V4: Readonly<Record<string, readonly number[]>> = {
  'china-telecom': [134421],
  'china-mobile': [...HKBN_ASNS, 270215],
};

/**
 * A stored (not yet validated) watchlist brought to version 4's built-in groups: the retired HKBN
 * group is dropped and its six ASNs join China Mobile's group with the other additions, each only
 * if the group lacks it. What the user had added to the HKBN group stays, as a group of their
 * own. Anything malformed is passed through for validation to report; a watchlist at the size
 * limits gets no additions rather than become unreadable.
 */
function builtinGroupsV4(watchlist: unknown): unknown {
  if (!isRecord(watchlist) || !Array.isArray(watchlist.groups)) return watchlist;
  const stored: unknown[] = watchlist.groups;
  const isRetired = (g: unknown): g is Record<string, unknown> =>
    isRecord(g) && g.builtin === true && g.id === RETIRED_HKBN_GROUP;
  const retired = stored.find(isRetired);
  const kept = stored.filter((g) => !isRetired(g));
  const asnCount = (g: unknown) => (isRecord(g) && Array.isArray(g.asns) ? g.asns.length : 0);
  let total = kept.reduce((n: number, g) => n + asnCount(g), 0);
  const groups = kept.map((g) => {
    if (!isRecord(g) || g.builtin !== true || typeof g.id !== 'string') return g;
    const added = BUILTIN_ASNS_ADDED_V4[g.id];
    const defaults = DEFAULT_WATCHLIST.groups.find((d) => d.id === g.id);
    if (!added || !defaults || !Array.isArray(g.asns)) return g;
    const asns: unknown[] = g.asns;
    const have = new Set(asns.map((a) => (isRecord(a) ? a.asn : undefined)));
    const extra = defaults.asns.filter((a) => added.includes(a.asn) && !have.has(a.asn));
    if (
      extra.length === 0 ||
      asns.length + extra.length > MAX_ASNS_PER_GROUP ||
      total + extra.length > MAX_TOTAL_ASNS
    ) {
      return g;
    }
    total += extra.length;
    return { ...g, asns: [...asns, ...structuredClone(extra)] };
  });
  if (retired) {
    const own = Array.isArray(retired.asns)
      ? retired.asns.filter((a: unknown) => !(isRecord(a) && HKBN_ASNS.includes(a.asn as number)))
      : [];
    const prefixes = Array.isArray(retired.prefixes) ? retired.prefixes : [];
    if (own.length > 0 || prefixes.length > 0) {
      groups.push({
        id: RETIRED_HKBN_GROUP,
        name: 'HKBN (your own entries)',
        code: 'HK',
        enabled: retired.enabled === true,
        builtin: false,
        asns: own,
        prefixes,
      });
    }
  }
  return { ...watchlist, groups };
}

/** Why a typed allowlist entry was refused, as data, so the settings page can say it in words. */
export type AllowlistRefusal =
  | 'empty'
  | 'not-a-hostname'
  | 'has-path'
  | 'has-port'
  | 'ip-address'
  | 'localhost'
  | 'local-name'
  | 'top-level'
  | 'public-suffix';

export type AllowlistEntryResult =
  { ok: true; hostname: string } | { ok: false; refusal: AllowlistRefusal; reason: string };

const HOST_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Reads an allowlist entry as the user types it and gives the host name to store: lowercase, an
 * internationalised name as its punycode (`bücher.example` → `xn--bcher-kva.example`, through the
 * URL parser's IDNA, the same in Node and in browsers). A pasted `https://a.com` or `https://a.com/`
 * is read as `a.com`; anything more (a path, a query, a fragment, a port, a user name) is refused
 * rather than stripped, so an entry is never broader or other than what the user meant. Refused
 * too: what is not a host name (`not a host!`), IP addresses, `localhost`, private-use names that
 * are never looked up anyway (`.local`, `.lan` …), a whole top-level domain and common public
 * suffixes (allowlisting `co.uk` would stop every site under it being checked).
 */
export function parseAllowlistEntry(text: string): AllowlistEntryResult {
  const refuse = (refusal: AllowlistRefusal, reason: string): AllowlistEntryResult => ({
    ok: false,
    refusal,
    reason,
  });
  const input = typeof text === 'string' ? text.trim() : '';
  if (!input) return refuse('empty', 'enter a site such as example.com');
  const shown = JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input);
  let rest = input;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1]!)) {
      return refuse(
        'not-a-hostname',
        `${shown} is not a web address; enter a site such as example.com`,
      );
    }
    rest = rest.slice(scheme[0].length).replace(/\/$/, '');
  }
  if (/[/?#\\]/.test(rest)) {
    return refuse(
      'has-path',
      `${shown} has a path; enter only the site's name, such as example.com`,
    );
  }
  if (rest.includes('@')) return refuse('not-a-hostname', `${shown} is not a site name`);
  if (rest.startsWith('[') || (rest.match(/:/g)?.length ?? 0) > 1) {
    return refuse('ip-address', `${shown} is an IP address; the allowlist takes site names`);
  }
  if (rest.includes(':'))
    return refuse('has-port', `${shown} has a port; enter only the site's name`);
  let hostname: string;
  try {
    hostname = new URL(`http://${rest}`).hostname;
  } catch {
    return refuse('not-a-hostname', `${shown} is not a site name`);
  }
  hostname = hostname.replace(/\.$/, '');
  const labels = hostname.split('.');
  if (/^(?:0x[0-9a-f]*|[0-9]+)$/.test(labels[labels.length - 1] ?? '')) {
    return refuse('ip-address', `${shown} is an IP address; the allowlist takes site names`);
  }
  if (hostname.length > 253 || !labels.every((label) => HOST_LABEL.test(label))) {
    return refuse('not-a-hostname', `${shown} is not a site name`);
  }
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    return refuse('localhost', `${shown} is this computer, which is never looked up`);
  }
  const local = BLOCKED_SUFFIXES.find((s) => hostname === s || hostname.endsWith(`.${s}`));
  if (local) {
    return refuse('local-name', `${shown} is a local name (.${local}), which is never looked up`);
  }
  if (labels.length === 1) {
    return refuse(
      'top-level',
      `"${hostname}" is a whole top-level domain (or a local name, which is never looked up anyway): allowlisting it would stop every site under it being checked; enter a site such as example.${hostname}`,
    );
  }
  if (COMMON_PUBLIC_SUFFIXES.has(hostname)) {
    return refuse(
      'public-suffix',
      `"${hostname}" is a public suffix shared by many unrelated sites: allowlisting it would stop all of them being checked; enter a site such as example.${hostname}`,
    );
  }
  return { ok: true, hostname };
}

function parseHostnameEntry(
  text: string,
): { ok: true; hostname: string } | { ok: false; reason: string } {
  const trimmed = text.trim().toLowerCase();
  if (!trimmed) return { ok: false, reason: 'enter a site such as example.com' };
  let hostname: string;
  try {
    hostname = new URL(trimmed.includes('://') ? trimmed : `http://${trimmed}`).hostname;
  } catch {
    return { ok: false, reason: `"${text.trim()}" is not a site name or URL` };
  }
  hostname = hostname.replace(/\.$/, '');
  if (!hostname || hostname.startsWith('.') || hostname.includes('..')) {
    return { ok: false, reason: `"${text.trim()}" is not a site name or URL` };
  }
  return { ok: true, hostname };
}

// Settings are replaced, never mutated, so each allowlist array is turned into a Set once.
const allowlistSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * True when `hostname` is an allowlist entry or a subdomain of one. Costs one Set lookup per label
 * of the hostname (a suffix walk), not a pass over the allowlist.
 */
export function isAllowlisted(hostname: string, allowlist: readonly string[]): boolean {
  let entries = allowlistSets.get(allowlist);
  if (!entries) {
    entries = new Set(allowlist);
    allowlistSets.set(allowlist, entries);
  }
  if (entries.size === 0) return false;
  let host = hostname.toLowerCase().replace(/\.$/, '');
  for (;;) {
    if (entries.has(host)) return true;
    const dot = host.indexOf('.');
    if (dot < 0) return false;
    host = host.slice(dot + 1);
  }
}

/**
 * The allowlist without the entries that cover `hostname` (the name itself or a parent domain of
 * it), and those entries: what "Remove from allowlist" takes out so the site is checked again.
 */
export function allowlistWithout(
  hostname: string,
  allowlist: readonly string[],
): { kept: string[]; removed: string[] } {
  const kept: string[] = [];
  const removed: string[] = [];
  for (const entry of allowlist) (isAllowlisted(hostname, [entry]) ? removed : kept).push(entry);
  return { kept, removed };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
