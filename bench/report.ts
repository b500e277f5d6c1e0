// Text output helpers: aligned tables and human units.

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Prints rows as a table; columns after the first are right-aligned. */
export function printTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): void {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  console.log(`  ${line(header)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(`  ${line(r)}`);
}

export function section(title: string): void {
  console.log(`\n== ${title}`);
}

/** 1234567 → '1,234,567'. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function bytes(n: number): string {
  return `${int(n)} B`;
}

export function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

export function ms(n: number): string {
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

export function perSecond(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`;
}

/** A ratio such as '12.3×'; `—` when undefined. */
export function ratio(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)}×`;
}
