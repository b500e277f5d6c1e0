import type { RoutedRange } from '../sources';
import type { WatchGroup } from '../watchlist/model';

/**
 * Two independent sources should agree on where the carriers' networks are. A file that passes
 * every guard of its own can still have had a carrier's ranges swapped for equally many clean
 * ones (every count unchanged, the carrier's sites unflagged): only a second source shows that.
 */

/** How far the two sources may disagree about one carrier group before the update is refused. */
export interface CrossCheckLimits {
  /**
   * Share of the group's IPv4 addresses (in either source) that the two attribute differently.
   * Routing-derived sources agree on about 99 % of origins where both cover; a fifth is a broken
   * or tampered file, not timing.
   */
  maxDisagreementV4: number;
  /** The same for IPv6, looser: sources differ more on which large IPv6 aggregates they carry. */
  maxDisagreementV6: number;
}

export const DEFAULT_CROSS_CHECK_LIMITS: CrossCheckLimits = {
  maxDisagreementV4: 0.2,
  maxDisagreementV6: 0.5,
};

/** Each carrier group's address space in one source: merged, sorted, inclusive intervals. */
export type CarrierSpace = Map<string, { v4: [bigint, bigint][]; v6: [bigint, bigint][] }>;

/** The built-in carrier groups' ranges in a source's rows (any order, overlaps allowed). */
export function carrierSpaceOf(
  ranges: Iterable<Pick<RoutedRange, 'family' | 'start' | 'end' | 'asn'>>,
  groups: readonly Pick<WatchGroup, 'id' | 'asns'>[],
): CarrierSpace {
  const byAsn = new Map<number, string[]>();
  for (const group of groups) {
    for (const { asn } of group.asns) byAsn.set(asn, [...(byAsn.get(asn) ?? []), group.id]);
  }
  const space: CarrierSpace = new Map();
  for (const group of groups) space.set(group.id, { v4: [], v6: [] });
  for (const range of ranges) {
    for (const id of byAsn.get(range.asn) ?? []) {
      const entry = space.get(id)!;
      (range.family === 4 ? entry.v4 : entry.v6).push([range.start, range.end]);
    }
  }
  for (const entry of space.values()) {
    entry.v4 = merged(entry.v4);
    entry.v6 = merged(entry.v6);
  }
  return space;
}

/** The AS numbers of the carrier groups, for a reader that keeps only their rows. */
export function carrierAsnSet(groups: readonly Pick<WatchGroup, 'asns'>[]): Set<number> {
  return new Set(groups.flatMap((g) => g.asns.map((a) => a.asn)));
}

function merged(intervals: [bigint, bigint][]): [bigint, bigint][] {
  intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [start, end] of intervals) {
    const last = out[out.length - 1];
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else out.push([start, end]);
  }
  return out;
}

function size(intervals: readonly [bigint, bigint][]): bigint {
  let total = 0n;
  for (const [start, end] of intervals) total += end - start + 1n;
  return total;
}

/** Addresses in both of two merged interval lists. */
function overlap(a: readonly [bigint, bigint][], b: readonly [bigint, bigint][]): bigint {
  let total = 0n;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [as, ae] = a[i]!;
    const [bs, be] = b[j]!;
    const start = as > bs ? as : bs;
    const end = ae < be ? ae : be;
    if (start <= end) total += end - start + 1n;
    if (ae < be) i++;
    else j++;
  }
  return total;
}

/** The share of a group's addresses (in either source) that only one of them gives it. */
export function disagreement(
  a: readonly [bigint, bigint][],
  b: readonly [bigint, bigint][],
): number {
  const both = overlap(a, b);
  const union = size(a) + size(b) - both;
  if (union === 0n) return 0;
  return Number(((union - both) * 1_000_000n) / union) / 1_000_000;
}

export interface CrossCheckResult {
  /** Why the new data is not taken, in plain words; empty when the sources agree. */
  reasons: string[];
  /** Per group and family, the share the sources disagree on (for the update's summary). */
  shares: { group: string; family: 'IPv4' | 'IPv6'; share: number }[];
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/**
 * Compares the carrier groups' address space in the new data with an independent source's. A
 * group on which they disagree beyond the limit refuses the update, naming both sources.
 */
export function crossCheckCarriers(
  candidate: CarrierSpace,
  other: CarrierSpace,
  groups: readonly Pick<WatchGroup, 'id' | 'name'>[],
  names: { candidate: string; other: string },
  limits: Partial<CrossCheckLimits> = {},
): CrossCheckResult {
  const bound = { ...DEFAULT_CROSS_CHECK_LIMITS, ...limits };
  const result: CrossCheckResult = { reasons: [], shares: [] };
  for (const group of groups) {
    const a = candidate.get(group.id);
    const b = other.get(group.id);
    if (!a || !b) continue;
    for (const [family, mine, theirs, max] of [
      ['IPv4', a.v4, b.v4, bound.maxDisagreementV4],
      ['IPv6', a.v6, b.v6, bound.maxDisagreementV6],
    ] as const) {
      const share = disagreement(mine, theirs);
      result.shares.push({ group: group.id, family, share });
      if (share > max) {
        result.reasons.push(
          `${names.candidate} and ${names.other} disagree about ${percent(share)} of ${group.name}'s ${family} addresses (at most ${percent(max)} is accepted): one of them may be damaged or tampered with, so the data in use stays.`,
        );
      }
    }
  }
  return result;
}
