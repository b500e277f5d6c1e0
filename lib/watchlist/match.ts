/**
 * Matching an address (and the ASN that originates it) against the enabled groups.
 * The watchlist is compiled once per version into a Set of ASNs and numeric prefixes per group,
 * so a match costs a Set lookup plus a few integer comparisons per user-added prefix.
 */
import type { IpAddress } from '../ip/types';
import type { GroupMatch, Watchlist } from './model';
import { parsePrefixInput } from './validate';

interface CompiledPrefix {
  text: string;
  family: 4 | 6;
  prefixLength: number;
  /** Network and mask per 32-bit word (one word for IPv4, four for IPv6). */
  network: number[];
  mask: number[];
}

/** One enabled group, ready for matching. */
export interface CompiledGroup {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly asns: ReadonlySet<number>;
  readonly prefixes: readonly CompiledPrefix[];
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

/** Prepares the enabled groups of a watchlist for matching; disabled groups are dropped here. */
export function compileWatchlist(watchlist: Watchlist): CompiledWatchlist {
  const problems: string[] = [];
  const groups: CompiledGroup[] = [];
  for (const group of watchlist.groups) {
    if (!group.enabled) continue;
    const prefixes: CompiledPrefix[] = [];
    for (const text of group.prefixes) {
      const parsed = parsePrefixInput(text);
      if (!parsed.ok) {
        problems.push(`${group.name}: ${parsed.reason}`);
        continue;
      }
      prefixes.push(compilePrefix(parsed.prefix, parsed.cidr.address, parsed.cidr.prefixLength));
    }
    // Longest first, so the first hit is the most specific reason to show.
    prefixes.sort((a, b) => b.prefixLength - a.prefixLength);
    groups.push({
      id: group.id,
      name: group.name,
      code: group.code,
      asns: new Set(group.asns.map((a) => a.asn)),
      prefixes,
    });
  }
  return { groups, problems, match: (address, asn) => matchCompiled(groups, address, asn) };
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
  address: IpAddress,
  asn: number | null,
): GroupMatch[] {
  const matches: GroupMatch[] = [];
  for (const group of groups) {
    if (asn !== null && group.asns.has(asn)) {
      matches.push({
        groupId: group.id,
        groupName: group.name,
        code: group.code,
        reason: { kind: 'asn', asn },
      });
      continue;
    }
    const prefix = group.prefixes.find((p) => contains(p, address));
    if (prefix) {
      matches.push({
        groupId: group.id,
        groupName: group.name,
        code: group.code,
        reason: { kind: 'prefix', prefix: prefix.text },
      });
    }
  }
  return matches;
}

function compilePrefix(text: string, address: IpAddress, prefixLength: number): CompiledPrefix {
  const words = address.family === 4 ? [address.value] : [...address.words];
  const mask = words.map((_, i) => wordMask(prefixLength - 32 * i));
  return {
    text,
    family: address.family,
    prefixLength,
    network: words.map((w, i) => (w & (mask[i] ?? 0)) >>> 0),
    mask,
  };
}

function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function contains(prefix: CompiledPrefix, address: IpAddress): boolean {
  if (prefix.family !== address.family) return false;
  if (address.family === 4) {
    return (address.value & (prefix.mask[0] ?? 0)) >>> 0 === prefix.network[0];
  }
  for (let i = 0; i < 4; i++) {
    if ((address.words[i]! & prefix.mask[i]!) >>> 0 !== prefix.network[i]) return false;
  }
  return true;
}
