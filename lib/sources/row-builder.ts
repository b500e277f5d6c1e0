import { parseIpInto } from '../ip/parse';
import { MAX_V4, MAX_V6 } from './bigint';
import { orgProblem, quoteRow } from './text';
import type { SourceProblem, SourceReadResult, SourceRow } from './types';

/**
 * Collects rows and problems for one input file, with the checks every format shares: start ≤ end,
 * addresses inside the family, ASN in 1..4294967295, storable organisation names.
 */
export class RowCollector {
  readonly rows: SourceRow[] = [];
  readonly problems: SourceProblem[] = [];
  skipped = 0;
  notRouted = 0;
  // Per-family order check: the last start seen, to report unsorted input.
  private lastStart: [bigint, bigint] = [-1n, -1n];

  constructor(readonly file: string) {}

  /** Records a malformed row (skipped). */
  error(line: number, message: string, row?: string): void {
    this.skipped++;
    const suffix = row === undefined ? '' : `: ${quoteRow(row)}`;
    this.problems.push({ file: this.file, line, severity: 'error', message: message + suffix });
  }

  /** Records an inconsistency that a documented rule resolved. */
  warn(line: number, message: string): void {
    this.problems.push({ file: this.file, line, severity: 'warning', message });
  }

  /** Validates and adds one range; returns false (with an error recorded) if it is malformed. */
  add(
    family: 4 | 6,
    start: bigint,
    end: bigint,
    asn: number,
    org: string,
    line: number,
    row: string,
  ): boolean {
    const max = family === 4 ? MAX_V4 : MAX_V6;
    if (start < 0n || start > max || end < 0n || end > max) {
      this.error(line, `address outside the IPv${family} space`, row);
      return false;
    }
    if (start > end) {
      this.error(line, 'range start is after its end', row);
      return false;
    }
    if (!Number.isInteger(asn) || asn < 1 || asn > 4294967295) {
      this.error(line, `AS number ${asn} is not in 1..4294967295`, row);
      return false;
    }
    const bad = orgProblem(org);
    if (bad !== undefined) {
      this.error(line, bad, row);
      return false;
    }
    const slot = family === 4 ? 0 : 1;
    if (start < this.lastStart[slot]) {
      this.warn(
        line,
        `rows are not sorted: this IPv${family} range starts before the previous one`,
      );
    }
    this.lastStart[slot] = start;
    this.rows.push({ family, start, end, asn, org, file: this.file, line });
    return true;
  }

  result(): SourceReadResult {
    return {
      rows: this.rows,
      problems: this.problems,
      skipped: this.skipped,
      notRouted: this.notRouted,
    };
  }
}

const SCRATCH = new Uint32Array(4);

/**
 * A textual address as (family, integer), keeping IPv4-mapped text as IPv6 so that a range
 * written in IPv6 stays IPv6. Undefined when the text is not an address.
 */
export function textToNumber(text: string): { family: 4 | 6; value: bigint } | undefined {
  const family = parseIpInto(text, SCRATCH);
  if (family === 0) return undefined;
  if (family === 4) {
    const v = BigInt(SCRATCH[0]!);
    return text.includes(':')
      ? { family: 6, value: (0xffffn << 32n) | v }
      : { family: 4, value: v };
  }
  return {
    family: 6,
    value:
      (BigInt(SCRATCH[0]!) << 96n) |
      (BigInt(SCRATCH[1]!) << 64n) |
      (BigInt(SCRATCH[2]!) << 32n) |
      BigInt(SCRATCH[3]!),
  };
}
