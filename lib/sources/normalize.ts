import { formatIp } from '../ip/parse';
import { bigIntToAddress, MAX_V4, MAX_V6 } from './bigint';
import type { RoutedRange, SourceProblem, SourceRow } from './types';

export interface NormalizeOptions {
  /**
   * Report every overlap as a warning. True for range files (an overlap there is an upstream
   * error); false for prefix files such as pfx2as, where nested prefixes are the norm. Exact
   * duplicates are reported either way.
   */
  readonly reportOverlaps: boolean;
}

export interface NormalizeResult {
  /** Sorted by family then start; non-overlapping; adjacent ranges never share ASN and org. */
  readonly ranges: RoutedRange[];
  readonly problems: SourceProblem[];
}

interface MutableRange {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  asn: number;
  org: string;
}

function describe(row: SourceRow): string {
  const a = formatIp(bigIntToAddress(row.family, row.start));
  const b = formatIp(bigIntToAddress(row.family, row.end));
  return `${a}-${b} AS${row.asn}`;
}

/**
 * Turns rows from one or more files into sorted, non-overlapping ranges. Overlap rule: where ranges
 * overlap, the one that starts later wins (on equal starts, the shorter one): for nested prefixes
 * that is most-specific-wins; for a partial overlap the earlier range is clipped where the later
 * one begins, and resumes after it ends if it reaches further. Adjacent ranges with the same ASN and
 * org are merged, since lookups cannot tell them apart.
 */
export function normalizeRanges(
  rows: readonly SourceRow[],
  options: NormalizeOptions,
): NormalizeResult {
  const problems: SourceProblem[] = [];
  const ranges: MutableRange[] = [];
  for (const family of [4, 6] as const) {
    const sorted = rows.filter((r) => r.family === family);
    // Stable sort: start ascending, longer first, so that the later (winning) row is pushed last.
    sorted.sort((a, b) =>
      a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0,
    );
    const limitMax = (family === 4 ? MAX_V4 : MAX_V6) + 1n;
    const stack: SourceRow[] = [];
    let cursor = 0n;
    const emit = (r: SourceRow, from: bigint, to: bigint): void => {
      const last = ranges[ranges.length - 1];
      if (
        last !== undefined &&
        last.family === family &&
        last.end + 1n === from &&
        last.asn === r.asn &&
        last.org === r.org
      ) {
        last.end = to;
        return;
      }
      ranges.push({ family, start: from, end: to, asn: r.asn, org: r.org });
    };
    const flushUntil = (limit: bigint): void => {
      while (stack.length > 0 && cursor < limit) {
        const top = stack[stack.length - 1]!;
        if (top.end < cursor) {
          stack.pop();
          continue;
        }
        const e = top.end < limit - 1n ? top.end : limit - 1n;
        emit(top, cursor, e);
        cursor = e + 1n;
        if (top.end <= e) stack.pop();
      }
      while (stack.length > 0 && stack[stack.length - 1]!.end < limit) stack.pop();
    };
    for (const r of sorted) {
      flushUntil(r.start);
      const top = stack[stack.length - 1];
      if (top !== undefined) {
        const duplicate = top.start === r.start && top.end === r.end;
        if (duplicate || options.reportOverlaps) {
          const message = duplicate
            ? `duplicate range ${describe(r)}, also at ${top.file}:${top.line} (AS${top.asn}); the later row wins`
            : `range ${describe(r)} overlaps ${describe(top)} from ${top.file}:${top.line}; ` +
              'the later-starting range wins, the earlier one is clipped around it';
          problems.push({ file: r.file, line: r.line, severity: 'warning', message });
        }
      }
      stack.push(r);
      if (cursor < r.start) cursor = r.start;
    }
    flushUntil(limitMax);
  }
  return { ranges, problems };
}
