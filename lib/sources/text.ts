// Small text helpers shared by the readers.

/** Calls `onLine(text, lineNumber)` for each line (1-based), without the line break. */
export function forEachLine(
  text: string,
  onLine: (line: string, lineNumber: number) => void,
): void {
  let start = 0;
  let lineNumber = 0;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = len;
    lineNumber++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    onLine(text.slice(start, stop), lineNumber);
    start = end + 1;
  }
}

/**
 * Parses an AS number field: decimal digits only, 0..4294967295. Returns -1 when malformed so the
 * caller can word the problem; 0 is returned as 0 (its meaning depends on the format).
 */
export function parseAsn(text: string): number {
  const len = text.length;
  if (len === 0 || len > 10) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  if (len > 1 && text.charCodeAt(0) === 48) return -1;
  return n > 4294967295 ? -1 : n;
}

/** Parses a non-negative decimal integer of up to 39 digits, or returns undefined. */
export function parseDecimal(text: string): bigint | undefined {
  const len = text.length;
  if (len === 0 || len > 39) return undefined;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (len > 1 && text.charCodeAt(0) === 48) return undefined;
  return BigInt(text);
}

/** Why an organisation name cannot be stored as is, or undefined if it can. */
export function orgProblem(org: string): string | undefined {
  // Names are stored newline-separated in the table, and control characters are never meant.
  for (let i = 0; i < org.length; i++) {
    const c = org.charCodeAt(i);
    if (c < 32 || c === 127)
      return `organisation name contains control character U+${c.toString(16).padStart(4, '0')}`;
  }
  return undefined;
}

/** A readable, bounded quote of a bad row for problem messages. */
export function quoteRow(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 77) + '...' : text);
}
