/**
 * The watchlist: named groups of ASNs and CIDR prefixes whose addresses get a site flagged.
 * Plain JSON-compatible data so it can be stored, exported and sent between worker and pages as is.
 * Every function in lib/watchlist treats these objects as immutable.
 */

/** One watched autonomous system, with where the claim comes from. */
export interface WatchAsn {
  asn: number;
  /** For people, shown in the options page: what the network is, in plain words. */
  note?: string;
  confidence?: 'high' | 'medium' | 'low';
  /** The research trail behind the claim (sites, repositories, data sets); not shown. */
  sources?: string[];
}

/** A carrier (built in) or a list the user made; only enabled groups are matched. */
export interface WatchGroup {
  id: string;
  name: string;
  /** 2–3 uppercase letters or digits, shown on the toolbar badge. */
  code: string;
  enabled: boolean;
  /** Built-in groups ship with the extension: they can be disabled but not removed. */
  builtin: boolean;
  asns: WatchAsn[];
  /** CIDR text, IPv4 or IPv6, in canonical form (as `formatCidr` writes it). */
  prefixes: string[];
}

export interface Watchlist {
  groups: WatchGroup[];
}

/**
 * Why an address belongs to a group: its origin ASN is listed, a listed prefix contains it, or
 * (built-in carrier groups only) its origin ASN is on no list but its registry name names the
 * carrier: "likely (name match)", always low confidence (name-match.ts).
 */
export type MatchReason =
  { kind: 'asn'; asn: number } | { kind: 'prefix'; prefix: string } | { kind: 'name'; asn: number };

export interface GroupMatch {
  groupId: string;
  groupName: string;
  code: string;
  reason: MatchReason;
  /**
   * How sure the listed ASN's claim is, and its note: set for an ASN match whose entry has them.
   * A prefix match has none: the prefix is the user's own statement.
   */
  confidence?: Confidence;
  note?: string;
}

export type Confidence = NonNullable<WatchAsn['confidence']>;

export const CONFIDENCE_LEVELS: readonly Confidence[] = ['high', 'medium', 'low'];

/** The tag and version written by `exportWatchlist`; an import must carry this tag and a known version. */
export const WATCHLIST_FORMAT = 'carrierflag-watchlist';
export const WATCHLIST_FORMAT_VERSION = 2;

/*
 * The documented limits (README, "Limits"). They bound every cost a watchlist can cause: validation
 * and compiling are linear in the number of entries, a match costs one hash lookup per distinct
 * prefix length (at most 33 for IPv4, 129 for IPv6) whatever the number of prefixes, and the largest
 * allowed watchlist (MAX_GROUPS groups holding MAX_TOTAL_ASNS ASNs and MAX_TOTAL_PREFIXES prefixes)
 * exports to less than MAX_IMPORT_CHARS, so whatever can be built can be imported again.
 */
export const MAX_GROUPS = 64;
export const MAX_ASNS_PER_GROUP = 5000;
export const MAX_PREFIXES_PER_GROUP = 5000;
/** All groups together: one group may use its whole share, but not every group at once. */
export const MAX_TOTAL_ASNS = 10_000;
export const MAX_TOTAL_PREFIXES = 10_000;
export const MAX_NAME_LENGTH = 60;
export const MAX_NOTE_LENGTH = 500;
export const MAX_SOURCES_PER_ASN = 20;
export const MAX_SOURCE_LENGTH = 500;
/**
 * An import file longer than this (in characters, which is never more than its size in bytes) is
 * refused before it is parsed: 2 MiB holds the largest allowed watchlist with room to spare.
 */
export const MAX_IMPORT_CHARS = 2 * 1024 * 1024;

/**
 * Why an edit was refused, for code: the settings page words it in the user's language
 * (components/lib-words.ts); `reason` says it in English (the CLI, English pages). `group` is the
 * group the edit was for, named by the page (a built-in one in the user's language).
 */
export type WatchlistRefusal =
  | { kind: 'bad-asn'; input: string }
  | { kind: 'bad-prefix'; input: string }
  | { kind: 'already-listed'; entry: string; group: { id: string; name: string } }
  | { kind: 'not-listed'; entry: string; group: { id: string; name: string } }
  | { kind: 'group-full'; limit: number; group: { id: string; name: string } }
  | { kind: 'watchlist-full'; limit: number }
  | { kind: 'too-many-groups'; limit: number }
  | { kind: 'bad-group-name' }
  | { kind: 'bad-group-code' }
  | { kind: 'name-taken'; name: string }
  | { kind: 'code-taken'; code: string; group: { id: string; name: string } }
  | { kind: 'built-in'; group: { id: string; name: string } };

/** Result of every editing helper: a new watchlist, or why nothing changed (with its code when set). */
export type WatchlistResult =
  { ok: true; watchlist: Watchlist } | { ok: false; reason: string; refusal?: WatchlistRefusal };
