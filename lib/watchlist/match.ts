/**
 * Matching an address (and the ASN that originates it) against the enabled groups.
 * The watchlist is compiled once per version: a Set of ASNs per group, and per address family one
 * hash table per prefix length that occurs, keyed by the masked network. A match therefore costs one
 * Set lookup per group plus one hash lookup per distinct prefix length (at most 33 for IPv4, 129 for
 * IPv6), however many prefixes the watchlist holds; compiling is linear in the number of entries.
 */
import type { IpAddress } from '../ip/types';
import type { GroupMatch, WatchAsn, Watchlist } from './model';
import { parseCidr } from '../ip/cidr';

/** One enabled group, ready for matching. */
export interface CompiledGroup {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  /** Ships with the extension (a carrier group may then add "likely (name match)" matches). */
  readonly builtin: boolean;
  /** Each listed ASN with how sure the claim is and its note, carried into every match. */
  readonly asns: ReadonlyMap<number, Pick<WatchAsn, 'confidence' | 'note'>>;
  /** How many prefixes of the group were compiled. */
  readonly prefixCount: number;
}

/** A watchlist prepared for fast matching; build it with `compileWatchlist`. */
export interface CompiledWatchlist {
  /** Enabled groups only, in watchlist order. */
  readonly groups: readonly CompiledGroup[];
  /** Stored prefixes that could not be parsed and were left out (empty for a validated list). */
  readonly problems: readonly string[];
  /** See `matchAddress`. */
  match(address: IpAddress, asn: number | null): GroupMatch[];
}

/** A prefix as stored in a length table: which group listed it, and its text for the reason. */
interface PrefixEntry {
  group: number;
  text: string;
}

/** All prefixes of one family: a table per prefix length, longest length first. */
interface FamilyIndex {
  lengths: number[];
  tables: Map<number, Map<string | number, PrefixEntry[]>>;
}

/** Prepares the enabled groups of a watchlist for matching; disabled groups are dropped here. */
export function compileWatchlist(watchlist: Watchlist): CompiledWatchlist {
  const problems: string[] = [];
  const groups: CompiledGroup[] = [];
  const v4: FamilyIndex = { lengths: [], tables: new Map() };
  const v6: FamilyIndex = { lengths: [], tables: new Map() };
  for (const group of watchlist.groups) {
    if (!group.enabled) continue;
    const index = groups.length;
    let prefixCount = 0;
    for (const text of group.prefixes) {
      // Stored prefixes were validated (canonical text), so the text is kept as it is.
      const parsed = parseCidr(text);
      if (!parsed.ok) {
        problems.push(`${group.name}: '${text.slice(0, 60)}': ${parsed.reason}`);
        continue;
      }
      const { address, prefixLength } = parsed.cidr;
      const family = address.family === 4 ? v4 : v6;
      let table = family.tables.get(prefixLength);
      if (!table) {
        table = new Map();
        family.tables.set(prefixLength, table);
      }
      const key = networkKey(address, prefixLength);
      const entries = table.get(key);
      const entry = { group: index, text };
      if (entries) entries.push(entry);
      else table.set(key, [entry]);
      prefixCount++;
    }
    groups.push({
      id: group.id,
      name: group.name,
      code: group.code,
      builtin: group.builtin,
      asns: new Map(group.asns.map((a) => [a.asn, { confidence: a.confidence, note: a.note }])),
      prefixCount,
    });
  }
  for (const family of [v4, v6]) {
    // Longest first, so the first hit for a group is its most specific reason to show.
    family.lengths = [...family.tables.keys()].sort((a, b) => b - a);
  }
  return {
    groups,
    problems,
    match: (address, asn) => matchCompiled(groups, address.family === 4 ? v4 : v6, address, asn),
  };
}

const compiledCache = new WeakMap<Watchlist, CompiledWatchlist>();

/**
 * The enabled groups an address belongs to, at most one match per group, in watchlist order.
 * A group matches when `asn` (the origin AS from the prefix table, null when unrouted) is listed,
 * or when one of its prefixes contains the address; the ASN reason wins, then the longest prefix.
 * Compiles the watchlist on first use and caches it per watchlist object (they are immutable).
 */
export function matchAddress(
  address: IpAddress,
  asn: number | null,
  watchlist: Watchlist,
): GroupMatch[] {
  let compiled = compiledCache.get(watchlist);
  if (!compiled) {
    compiled = compileWatchlist(watchlist);
    compiledCache.set(watchlist, compiled);
  }
  return compiled.match(address, asn);
}

function matchCompiled(
  groups: readonly CompiledGroup[],
  family: FamilyIndex,
  address: IpAddress,
  asn: number | null,
): GroupMatch[] {
  // The longest prefix of each group that contains the address, found by masking the address once
  // per prefix length in use; the address is read once, here.
  const words = address.family === 4 ? [address.value >>> 0] : address.words.map((w) => w >>> 0);
  const longest = new Map<number, string>();
  for (const length of family.lengths) {
    const entries = family.tables.get(length)!.get(maskedKey(words, length));
    if (!entries) continue;
    for (const entry of entries) {
      if (!longest.has(entry.group)) longest.set(entry.group, entry.text);
    }
  }
  const matches: GroupMatch[] = [];
  for (const [index, group] of groups.entries()) {
    const listed = asn === null ? undefined : group.asns.get(asn);
    if (asn !== null && listed) {
      const match: GroupMatch = {
        groupId: group.id,
        groupName: group.name,
        code: group.code,
        reason: { kind: 'asn', asn },
      };
      // Own properties only when set: matches are stored in storage.session and compared in tests.
      if (listed.confidence) match.confidence = listed.confidence;
      if (listed.note) match.note = listed.note;
      matches.push(match);
      continue;
    }
    const prefix = longest.get(index);
    if (prefix !== undefined) {
      matches.push({
        groupId: group.id,
        groupName: group.name,
        code: group.code,
        reason: { kind: 'prefix', prefix },
      });
    }
  }
  return matches;
}

/** The hash key of a network: the masked value for IPv4, the four masked words for IPv6. */
function networkKey(address: IpAddress, prefixLength: number): string | number {
  const words = address.family === 4 ? [address.value >>> 0] : address.words.map((w) => w >>> 0);
  return maskedKey(words, prefixLength);
}

function maskedKey(words: readonly number[], prefixLength: number): string | number {
  if (words.length === 1) return (words[0]! & wordMask(prefixLength)) >>> 0;
  let key = '';
  for (let i = 0; i < 4; i++) {
    const bits = prefixLength - 32 * i;
    if (bits <= 0) break;
    key += `${(words[i]! & wordMask(bits)) >>> 0}:`;
  }
  return key;
}

function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}
