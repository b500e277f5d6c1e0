import type { TableColumns, TableMeta } from '../prefix-table';
import type { WatchGroup } from '../watchlist/model';

/** The documented bounds a downloaded table must keep to replace the current one (README). */
export interface UpdateGuardLimits {
  /**
   * Malformed rows (skipped by the reader) allowed over both files. The pinned data has none; a
   * handful can be an upstream slip, hundreds mean the format changed or the file is damaged.
   */
  maxMalformedRows: number;
  /**
   * Each family's range count must stay within [low, high] times the current table's. Routing data
   * grows by a few per cent a year, so a new table a quarter smaller or half as large again as the
   * current one is a broken or different data set, not a newer one.
   */
  rangeBandLow: number;
  rangeBandHigh: number;
  /**
   * Each built-in carrier group's covered addresses (IPv4 addresses and IPv6 /64s, each family on
   * its own) may fall by at most this share: a carrier losing a fifth of its address space in one
   * update is far likelier a broken file than a real change, and would silently unflag its sites.
   */
  maxCarrierCoverageDrop: number;
}

export const DEFAULT_GUARD_LIMITS: UpdateGuardLimits = {
  maxMalformedRows: 100,
  rangeBandLow: 0.75,
  rangeBandHigh: 1.5,
  maxCarrierCoverageDrop: 0.2,
};

/** Addresses a set of AS numbers originates: IPv4 addresses and IPv6 /64 blocks. */
export interface Coverage {
  v4Addresses: number;
  v6Blocks64: number;
}

/**
 * How many addresses each group's ASNs originate in a table, from its columns. IPv6 is counted in
 * /64s as doubles: exact enough for a ratio (the error is below one /56 in a /32).
 */
export function groupCoverage(
  columns: TableColumns,
  groups: readonly Pick<WatchGroup, 'id' | 'asns'>[],
): Map<string, Coverage> {
  const byAsn = new Map<number, string[]>();
  for (const group of groups) {
    for (const { asn } of group.asns) {
      const ids = byAsn.get(asn) ?? [];
      ids.push(group.id);
      byAsn.set(asn, ids);
    }
  }
  // Pair id → the groups its AS number belongs to, once, instead of a map lookup per range.
  const pairGroups: (string[] | undefined)[] = [];
  for (let id = 1; id < columns.pairAsns.length; id++)
    pairGroups[id] = byAsn.get(columns.pairAsns[id]!);
  const out = new Map<string, Coverage>();
  for (const group of groups) out.set(group.id, { v4Addresses: 0, v6Blocks64: 0 });
  const { v4Keys, v4Values, v6KeysHigh, v6KeysMid, v6Values } = columns;
  for (let i = 0; i < v4Keys.length; i++) {
    const ids = pairGroups[v4Values[i]!];
    if (!ids) continue;
    const size = (i + 1 < v4Keys.length ? v4Keys[i + 1]! : 2 ** 32) - v4Keys[i]!;
    for (const id of ids) out.get(id)!.v4Addresses += size;
  }
  const top = (i: number) => v6KeysHigh[i]! * 2 ** 32 + v6KeysMid[i]!;
  for (let i = 0; i < v6Values.length; i++) {
    const ids = pairGroups[v6Values[i]!];
    if (!ids) continue;
    const size = (i + 1 < v6Values.length ? top(i + 1) : 2 ** 64) - top(i);
    for (const id of ids) out.get(id)!.v6Blocks64 += size;
  }
  return out;
}

export interface GuardInput {
  current: { meta: TableMeta; columns: TableColumns };
  candidate: { meta: TableMeta; columns: TableColumns };
  malformedRows: number;
  /** The built-in carrier groups (DEFAULT_WATCHLIST's), whatever the user switched off. */
  carrierGroups: readonly Pick<WatchGroup, 'id' | 'name' | 'asns'>[];
  limits?: Partial<UpdateGuardLimits>;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/**
 * Why a downloaded table must not replace the current one, in plain words, or an empty list when
 * it may. Checked in order: malformed rows, range counts per family, each carrier's coverage.
 */
export function refusalReasons(input: GuardInput): string[] {
  const limits = { ...DEFAULT_GUARD_LIMITS, ...input.limits };
  const reasons: string[] = [];
  if (input.malformedRows > limits.maxMalformedRows) {
    reasons.push(
      `The new data has ${input.malformedRows} unreadable rows; at most ${limits.maxMalformedRows} are accepted.`,
    );
  }
  const families = [
    ['IPv4', input.current.meta.v4Ranges, input.candidate.meta.v4Ranges],
    ['IPv6', input.current.meta.v6Ranges, input.candidate.meta.v6Ranges],
  ] as const;
  for (const [family, before, after] of families) {
    if (before === 0) continue;
    const ratio = after / before;
    if (ratio < limits.rangeBandLow) {
      reasons.push(
        `The new data has ${after} ${family} ranges, ${percent(1 - ratio)} fewer than the ${before} in use (at most ${percent(1 - limits.rangeBandLow)} fewer are accepted): the file looks incomplete.`,
      );
    } else if (ratio > limits.rangeBandHigh) {
      reasons.push(
        `The new data has ${after} ${family} ranges, ${percent(ratio - 1)} more than the ${before} in use (at most ${percent(limits.rangeBandHigh - 1)} more are accepted): it looks like a different data set.`,
      );
    }
  }
  const before = groupCoverage(input.current.columns, input.carrierGroups);
  const after = groupCoverage(input.candidate.columns, input.carrierGroups);
  for (const group of input.carrierGroups) {
    const b = before.get(group.id)!;
    const a = after.get(group.id)!;
    const checks = [
      ['IPv4 addresses', b.v4Addresses, a.v4Addresses],
      ['IPv6 addresses', b.v6Blocks64, a.v6Blocks64],
    ] as const;
    for (const [what, was, now] of checks) {
      if (was > 0 && now < was * (1 - limits.maxCarrierCoverageDrop)) {
        reasons.push(
          `In the new data ${group.name} would lose ${percent(1 - now / was)} of its ${what} (at most ${percent(limits.maxCarrierCoverageDrop)} is accepted): its sites would no longer be flagged.`,
        );
      }
    }
  }
  return reasons;
}
