// Seeded address samples shared by every engine in the benchmark, so all of them answer the very
// same questions. Expected answers come straight from the CSV rows.

import type { AsnRows } from './asn-csv';
import { formatIpv6Words } from '../lib/ip/parse';

/** mulberry32: a tiny seeded PRNG returning uint32; quality is ample for picking samples. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A float in [0, 1) with 53 random bits, built from two uint32 draws. */
function unit(next: () => number): number {
  return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

/** Dotted-quad text of a uint32. */
export function formatV4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 text of a 128-bit integer (lib/ip's formatter, on the four 32-bit words). */
export function formatV6(value: bigint): string {
  const word = (shift: bigint): number => Number((value >> shift) & 0xffffffffn);
  return formatIpv6Words(word(96n), word(64n), word(32n), word(0n));
}

export interface Sample {
  /** Address text, the input every engine gets. */
  readonly text: string[];
  /** ASN of the CSV row holding each address, or 0 when no row does. */
  readonly expectedAsn: number[];
}

/** Index of the row containing `address`, or -1; rows sorted and disjoint. */
export function findRow<T extends number | bigint>(rows: AsnRows<T>, address: T): number {
  let lo = 0;
  let hi = rows.first.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (rows.first[mid]! <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && rows.last[hi]! >= address ? hi : -1;
}

/**
 * IPv4 sample: `count / 2` addresses uniform over the covered address space, then `count / 2`
 * row-uniform (a uniform row, then a uniform address inside it).
 */
export function sampleV4(rows: AsnRows<number>, count: number, seed: number): Sample {
  const next = createPrng(seed);
  const n = rows.first.length;
  const cumulative = new Float64Array(n + 1);
  for (let i = 0; i < n; i++)
    cumulative[i + 1] = cumulative[i]! + rows.last[i]! - rows.first[i]! + 1;
  const total = cumulative[n]!;
  const text: string[] = [];
  const expectedAsn: number[] = [];
  for (let k = 0; k < count; k++) {
    let row: number;
    let address: number;
    if (k < count / 2) {
      const offset = Math.floor(unit(next) * total);
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (cumulative[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      row = lo;
      address = rows.first[row]! + (offset - cumulative[row]!);
    } else {
      row = Math.floor(unit(next) * n);
      const span = rows.last[row]! - rows.first[row]! + 1;
      address = rows.first[row]! + Math.floor(unit(next) * span);
    }
    text.push(formatV4(address));
    expectedAsn.push(rows.asn[row]!);
  }
  return { text, expectedAsn };
}

/** IPv4 addresses uniform over the whole space, gaps included: exercises "not routed". */
export function sampleV4Anywhere(rows: AsnRows<number>, count: number, seed: number): Sample {
  const next = createPrng(seed);
  const text: string[] = [];
  const expectedAsn: number[] = [];
  for (let k = 0; k < count; k++) {
    const address = next();
    const row = findRow(rows, address);
    text.push(formatV4(address));
    expectedAsn.push(row < 0 ? 0 : rows.asn[row]!);
  }
  return { text, expectedAsn };
}

/** IPv6 sample: a uniform row, then a uniform 128-bit address inside it. */
export function sampleV6(rows: AsnRows<bigint>, count: number, seed: number): Sample {
  const next = createPrng(seed);
  const n = rows.first.length;
  const text: string[] = [];
  const expectedAsn: number[] = [];
  for (let k = 0; k < count; k++) {
    const row = Math.floor(unit(next) * n);
    const span = rows.last[row]! - rows.first[row]! + 1n;
    let r = 0n;
    for (let i = 0; i < 4; i++) r = (r << 32n) | BigInt(next());
    // Scaling a 128-bit draw keeps the pick uniform even when the span is close to 2^128.
    const address = rows.first[row]! + ((r * span) >> 128n);
    text.push(formatV6(address));
    expectedAsn.push(rows.asn[row]!);
  }
  return { text, expectedAsn };
}

/**
 * Copies of the texts as flat (sequential) strings. Texts built by concatenation are V8 cons
 * strings (a tree of pieces), which every reader pays to walk or flatten on first use; text that
 * arrives from a network answer or a file is flat. A round trip through bytes gives each text its
 * own flat copy (not internalized, unlike short JSON.parse results).
 */
export function flatTexts(texts: readonly string[]): string[] {
  return texts.map((t) => Buffer.from(t, 'latin1').toString('latin1'));
}

/**
 * How many of the texts are flat sequential one-byte strings, by comparing each one's V8 map with
 * that of a string known to be one (`%HaveSameMap`). Needs `node --allow-natives-syntax`; returns
 * undefined without it.
 */
export function countFlat(texts: readonly string[]): number | undefined {
  let haveSameMap: (a: unknown, b: unknown) => boolean;
  try {
    // Natives syntax only parses with the flag, hence the Function constructor.
    haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as typeof haveSameMap;
  } catch {
    return undefined;
  }
  const reference = Buffer.from('192.0.2.1', 'latin1').toString('latin1');
  let flat = 0;
  for (const t of texts) if (haveSameMap(reference, t)) flat++;
  return flat;
}
