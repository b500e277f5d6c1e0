/** The upstream formats `readSource` understands. */
export type SourceKind = 'ip-location-db' | 'iptoasn' | 'pfx2as' | 'geolite2-asn';

export const SOURCE_KINDS: readonly SourceKind[] = [
  'ip-location-db',
  'iptoasn',
  'pfx2as',
  'geolite2-asn',
];

/**
 * An inclusive address range with its origin AS. Addresses are BigInt for both families: this is
 * build-time data (about 0.5 M rows), and one numeric type keeps the range arithmetic simple.
 */
export interface RoutedRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
  readonly asn: number;
  readonly org: string;
}

/** A range as read, with where it came from so that later problems can name the row. */
export interface SourceRow extends RoutedRange {
  readonly file: string;
  readonly line: number;
}

/**
 * Something wrong in the input. 'error': the row was malformed and skipped (fatal unless the
 * build is lenient). 'warning': the input was inconsistent and a documented rule resolved it.
 */
export interface SourceProblem {
  readonly file: string;
  readonly line: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface SourceReadResult {
  readonly rows: SourceRow[];
  readonly problems: SourceProblem[];
  /** Malformed rows left out. */
  readonly skipped: number;
  /** Rows that say "not routed" (iptoasn AS 0): expected, not problems. */
  readonly notRouted: number;
}

export interface ReadOptions {
  /** Shown in problems as file:line. */
  readonly file: string;
  /** For numeric ip-location-db files, which family the numbers are; else guessed from the name. */
  readonly family?: 4 | 6;
  /** ASN → organisation, for formats without names (pfx2as). */
  readonly names?: ReadonlyMap<number, string>;
}

/** "file:line: message", the form every tool prints problems in. */
export function formatProblem(problem: SourceProblem): string {
  return `${problem.file}:${problem.line}: ${problem.severity}: ${problem.message}`;
}
