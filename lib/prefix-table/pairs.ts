import type { TableColumns } from './types';

/**
 * Each (AS number, organisation) pair of a table, in pair-id order: the names the table holds
 * for its networks, read from the columns without building anything per range.
 */
export function forEachPair(
  columns: Pick<TableColumns, 'pairAsns' | 'names' | 'nameStarts' | 'dupPairs' | 'dupTargets'>,
  visit: (asn: number, org: string) => void,
): void {
  const decoder = new TextDecoder();
  const nameOfPair: string[] = [];
  let nextName = 0;
  let dup = 0;
  for (let pair = 1; pair < columns.pairAsns.length; pair++) {
    let org: string;
    if (dup < columns.dupPairs.length && columns.dupPairs[dup] === pair) {
      org = nameOfPair[columns.dupTargets[dup]!] ?? '';
      dup++;
    } else {
      const start = columns.nameStarts[nextName]!;
      const end = columns.nameStarts[nextName + 1]! - 1;
      org = decoder.decode(columns.names.subarray(start, Math.max(start, end)));
      nextName++;
    }
    nameOfPair[pair] = org;
    visit(columns.pairAsns[pair]!, org);
  }
}

/** The (AS number, organisation) pairs of a table as a list, for code that wants an iterable. */
export function pairsOf(
  columns: Pick<TableColumns, 'pairAsns' | 'names' | 'nameStarts' | 'dupPairs' | 'dupTargets'>,
): { asn: number; org: string }[] {
  const pairs: { asn: number; org: string }[] = [];
  forEachPair(columns, (asn, org) => pairs.push({ asn, org }));
  return pairs;
}

/** AS number → the organisation name the table gives it (its first pair's). */
export function namesByAsn(
  columns: Pick<TableColumns, 'pairAsns' | 'names' | 'nameStarts' | 'dupPairs' | 'dupTargets'>,
): Map<number, string> {
  const names = new Map<number, string>();
  forEachPair(columns, (asn, org) => {
    if (!names.has(asn) && org !== '') names.set(asn, org);
  });
  return names;
}
