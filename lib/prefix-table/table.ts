import { classifyIpv4, classifyIpv6 } from '../ip/classify';
import {
  formatIpv4,
  formatIpv6Words,
  lastParseReason,
  parseIpInto,
  parseIpv4Fast,
} from '../ip/parse';
import type { IpAddress } from '../ip/types';
import {
  GAP,
  TableFormatError,
  type LookupResult,
  type PrefixTable,
  type TableColumns,
} from './types';

const UNROUTED: LookupResult = Object.freeze({ kind: 'unrouted' });

/** What a routed result needs to produce its lazy fields: one per table. */
interface ResultSource {
  /** The first address of v4 boundary `index`. */
  v4Key(index: number): number;
  v4Count: number;
  /** Writes the first address of v6 boundary `index`, or of the next one minus 1, into `out`. */
  v6Bound(index: number, next: boolean, out: Uint32Array): void;
}

const FORMAT_WORDS = new Uint32Array(4);

/** A routed result as a table's lookups construct it. */
type RoutedResultClass = new (
  asn: number,
  org: string,
  family: 4 | 6,
  index: number,
) => LookupResult & { kind: 'routed' };

/**
 * The class of one table's routed answers, whose range text is produced only when read:
 * formatting the two ends costs more than the search itself, and most callers (the watchlist
 * match, the bench, bulk checks) need only the ASN and org. One class per table, so the table it
 * formats from is the closure's, not a field: an answer holds kind, asn, org and one number for
 * family and boundary (issue 10: a slimmer result is a cheaper lookup). The getters live on the
 * prototype, so `structuredClone` and object spread do not see them: anything that stores a
 * result must pass it through `plainLookup` first.
 */
function routedResultClass(source: ResultSource): RoutedResultClass {
  return class RoutedResult {
    readonly kind = 'routed' as const;
    // Private field: not an own enumerable property, so results compare and print as their data.
    /** boundary index × 2, plus 1 for IPv6. */
    readonly #at: number;
    constructor(
      readonly asn: number,
      // The org is read by nearly every caller and is cached per pair id: eager costs less than a getter.
      readonly org: string,
      family: 4 | 6,
      index: number,
    ) {
      this.#at = index * 2 + (family === 6 ? 1 : 0);
    }
    get rangeStart(): string {
      return this.#format(false);
    }
    get rangeEnd(): string {
      return this.#format(true);
    }
    /** The first address of the boundary, or (end) the next boundary's minus one. */
    #format(end: boolean): string {
      const i = Math.floor(this.#at / 2);
      if (this.#at % 2 === 0) {
        if (!end) return formatIpv4(source.v4Key(i));
        return formatIpv4(i + 1 < source.v4Count ? source.v4Key(i + 1) - 1 : 0xffffffff);
      }
      const w = FORMAT_WORDS;
      source.v6Bound(i, end, w);
      return formatIpv6Words(w[0]!, w[1]!, w[2]!, w[3]!);
    }
    toJSON(): LookupResult {
      return plainLookup(this);
    }
  };
}

/** A copy of a lookup result with every field as an own property: safe to clone, store or send. */
export function plainLookup(result: LookupResult): LookupResult {
  if (result.kind !== 'routed') return result;
  const { asn, org, rangeStart, rangeEnd } = result;
  return { kind: 'routed', asn, org, rangeStart, rangeEnd };
}

/**
 * False when the first word of an IPv6 address puts it in 2000::/3 outside the two /16s where
 * lib/ip/classify.ts has special-purpose ranges (2001::/16, 3fff::/16): global unicast, so the
 * lookup skips classifyIpv6. True means "ask classifyIpv6".
 */
export function maybeSpecialV6(w0: number): boolean {
  const top = w0 >>> 16;
  return top < 0x2000 || top >= 0x3fff || top === 0x2001;
}

/** Above this many keys in a /16 the v4 search is binary; at or below, a linear scan. */
const V4_LINEAR_MAX = 8;

/** One v6 key in this many is copied into the cached top level of the search. */
const V6_STEP = 16;

/** First octets under which lib/ip/classify.ts has special-purpose ranges; others skip the call. */
export const MAYBE_SPECIAL_V4 = new Uint8Array(256);
for (const a of [0, 10, 100, 127, 169, 172, 192, 198, 203]) MAYBE_SPECIAL_V4[a] = 1;
for (let a = 224; a < 256; a++) MAYBE_SPECIAL_V4[a] = 1;

function fail(message: string): never {
  throw new TableFormatError(`inconsistent table columns: ${message}`);
}

/** Checks that the v6 keys, with their sparse low 64 bits, strictly increase. */
export function checkV6Order(c: TableColumns): void {
  const n6 = c.v6KeysHigh.length;
  let li = 0;
  let prevW2 = 0;
  let prevW3 = 0;
  for (let i = 0; i < n6; i++) {
    let w2 = 0;
    let w3 = 0;
    if (li < c.v6LowIndex.length && c.v6LowIndex[li] === i) {
      w2 = c.v6LowWords[2 * li]!;
      w3 = c.v6LowWords[2 * li + 1]!;
      li++;
    }
    if (i > 0) {
      const h = c.v6KeysHigh[i]!;
      const ph = c.v6KeysHigh[i - 1]!;
      const m = c.v6KeysMid[i]!;
      const pm = c.v6KeysMid[i - 1]!;
      const greater =
        h > ph ||
        (h === ph && (m > pm || (m === pm && (w2 > prevW2 || (w2 === prevW2 && w3 > prevW3)))));
      if (!greater) fail('v6 order');
    }
    prevW2 = w2;
    prevW3 = w3;
  }
}

/** Checks the invariants lookups rely on, so a damaged stored copy fails loudly, not subtly. */
function validate(c: TableColumns): void {
  const arrays: (keyof TableColumns)[] = [
    'v4Keys',
    'v4Values',
    'v6KeysHigh',
    'v6KeysMid',
    'v6Values',
    'v6LowIndex',
    'v6LowWords',
    'pairAsns',
    'nameStarts',
    'dupPairs',
    'dupTargets',
  ];
  for (const k of arrays) if (!(c[k] instanceof Uint32Array)) fail(`${k} is not a Uint32Array`);
  if (!(c.names instanceof Uint8Array)) fail('names is not a Uint8Array');
  const pairCount = c.pairAsns.length - 1;
  const dups = c.dupPairs.length;
  if (pairCount < 0 || c.dupTargets.length !== dups || dups > pairCount) fail('duplicate lengths');
  if (c.nameStarts.length !== pairCount - dups + 1) fail('name and pair counts differ');
  if (c.v4Keys.length < 1 || c.v4Keys.length !== c.v4Values.length) fail('v4 lengths');
  const n6 = c.v6KeysHigh.length;
  if (n6 < 1 || c.v6KeysMid.length !== n6 || c.v6Values.length !== n6) fail('v6 lengths');
  if (c.v6LowWords.length !== 2 * c.v6LowIndex.length) fail('v6 low-bit lengths');
  if (c.v4Keys[0] !== 0 || c.v6KeysHigh[0] !== 0 || c.v6KeysMid[0] !== 0)
    fail('keys must start at 0');
  for (let i = 1; i < c.v4Keys.length; i++) if (c.v4Keys[i]! <= c.v4Keys[i - 1]!) fail('v4 order');
  for (let i = 0; i < c.v6LowIndex.length; i++) {
    if (c.v6LowIndex[i]! >= n6 || (i > 0 && c.v6LowIndex[i]! <= c.v6LowIndex[i - 1]!))
      fail('v6 low index');
  }
  checkV6Order(c);
  for (const values of [c.v4Values, c.v6Values]) {
    for (let i = 0; i < values.length; i++)
      if (values[i]! > pairCount) fail('value beyond the pairs');
  }
  for (let i = 0; i < dups; i++) {
    const id = c.dupPairs[i]!;
    const target = c.dupTargets[i]!;
    if (id > pairCount || (i > 0 && id <= c.dupPairs[i - 1]!)) fail('duplicate pairs');
    if (target < 1 || target >= id || dupIndex(c.dupPairs, target) >= 0) fail('duplicate targets');
  }
  if (c.nameStarts.length > 1 && c.nameStarts[0] !== 0) fail('name offsets');
  for (let i = 1; i < c.nameStarts.length; i++) {
    if (c.nameStarts[i]! <= c.nameStarts[i - 1]! || c.nameStarts[i]! > c.names.length + 1) {
      fail('name offsets');
    }
  }
}

/** Index of `id` in the sorted dupPairs, or -(insertion point) - 1. */
function dupIndex(dupPairs: Uint32Array, id: number): number {
  let lo = 0;
  let hi = dupPairs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dupPairs[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < dupPairs.length && dupPairs[lo] === id ? lo : -lo - 1;
}

/**
 * The structures a table derives from its columns for its lookups. Built by `tableFromColumns`,
 * or read back from a stored table image (lib/prefix-table/table-image.ts), so a restarted worker
 * does not rebuild them. They replace the 32-bit v4 keys and the 32-bit values, which the table
 * does not keep: `toColumns` rebuilds those when asked.
 */
export interface TableIndexes {
  /**
   * The IPv4 /16 index, two words per /16 b (65,536 pairs and a sentinel pair):
   * v4Index[2b] = the first boundary at or above b << 16 (the boundaries inside b are
   * v4Index[2b] .. v4Index[2b + 2] - 1), and v4Index[2b + 1] = 1 + the value that covers the
   * whole /16 when no boundary lies strictly inside it, else 0. A lookup in such a /16 reads the
   * index alone; in the others it searches their few 16-bit keys.
   */
  v4Index: Uint32Array;
  /**
   * One word per v4 boundary: its low 16 bits (the high 16 bits are its /16 in v4Index) above
   * the low 16 bits of its value, so the search and its answer read the same cache line. The
   * value's higher bits are in v4ValueHigh (see valueHighBits).
   */
  v4Entries: Uint32Array;
  /** The bits of each v4 value above its low 16, valueHighBits(pairs) per boundary, packed. */
  v4ValueHigh: Uint8Array;
  /** The low 16 bits of each v6 value; the rest in v6ValueHigh, packed like v4ValueHigh. */
  v6ValueLow: Uint16Array;
  v6ValueHigh: Uint8Array;
  /**
   * Every V6_STEP-th v6 key (upper 64 bits, two words each) in a small array that stays in cache:
   * the search runs there, then over at most V6_STEP neighbouring keys (the top 16 bits would not
   * narrow it: most keys share a handful of /16s such as 2001: and 2a0x:).
   */
  v6Summary: Uint32Array;
}

/** Length of TableIndexes.v4Index. */
export const V4_INDEX_LENGTH = 2 * 65536 + 2;

/** Length of TableIndexes.v6Summary for a table with `v6Count` v6 boundaries. */
export function v6SummaryLength(v6Count: number): number {
  return 2 * Math.ceil(v6Count / V6_STEP);
}

/**
 * The columns a table keeps: all but the 32-bit v4 keys and the 32-bit values, which its indexes
 * hold in fewer bytes (`toColumns` rebuilds them when asked).
 */
export type KeptColumns = Omit<TableColumns, 'v4Keys' | 'v4Values' | 'v6Values'>;

/**
 * How many bits of a value (a pair id) a table keeps above the low 16, for `pairCount` pairs: the
 * fewest of 1, 2, 4 and 8 that hold every id (a table of today's ~91,000 pairs needs 1). A value
 * then costs 2 bytes and a bit or two instead of 4 bytes.
 */
export function valueHighBits(pairCount: number): 1 | 2 | 4 | 8 {
  for (const bits of [1, 2, 4, 8] as const) if (pairCount < 2 ** (16 + bits)) return bits;
  fail(`${pairCount} pairs: more than a table holds`);
}

/** Length of a packed array of `count` values of `bits` bits each. */
export const packedLength = (count: number, bits: number): number => Math.ceil((count * bits) / 8);

/** A family's values as a table keeps them: the low 16 bits, and the rest packed (valueHighBits). */
export interface PackedValues {
  low: Uint16Array;
  high: Uint8Array;
}

/** Collects values one at a time into their packed form (the decoder writes them so). */
export function createValuePacker(count: number, bits: number) {
  const low = new Uint16Array(count);
  const high = new Uint8Array(packedLength(count, bits));
  return {
    set(i: number, value: number): void {
      low[i] = value & 0xffff;
      const at = i * bits;
      high[at >>> 3]! |= (value >>> 16) << (at & 7);
    },
    packed: (): PackedValues => ({ low, high }),
  };
}

function pack(values: Uint32Array, bits: number): PackedValues {
  const packer = createValuePacker(values.length, bits);
  for (let i = 0; i < values.length; i++) packer.set(i, values[i]!);
  return packer.packed();
}

/** The bits above the low 16 of value i, in place, from a plane of `bits` bits per value. */
function highBitsOf(high: Uint8Array, bits: number, i: number): number {
  const at = i * bits;
  return ((high[at >>> 3]! >>> (at & 7)) & ((1 << bits) - 1)) << 16;
}

/** Value i of packed values with `bits` high bits each. */
function packedValue(values: PackedValues, bits: number, i: number): number {
  return values.low[i]! | highBitsOf(values.high, bits, i);
}

/** Columns as a decoder produces them: the values already packed. */
export type PackedColumns = Omit<TableColumns, 'v4Values' | 'v6Values'> & {
  v4Values: PackedValues;
  v6Values: PackedValues;
};

/**
 * Builds the lookup indexes of valid columns: one pass over the v4 keys, a strided copy of v6.
 * With `intoKeys`, the v4 entries are written over the v4 keys (the caller gives them up).
 */
function buildIndexes(columns: PackedColumns, intoKeys: boolean): TableIndexes {
  const { v4Keys, v4Values, v6KeysHigh, v6KeysMid, v6Values } = columns;
  const bits = valueHighBits(columns.pairAsns.length - 1);
  const n4 = v4Keys.length;
  const v4Index = new Uint32Array(V4_INDEX_LENGTH);
  let i = 0; // the first boundary at or above the current /16's floor
  for (let b = 0; b < 65536; b++) {
    const floor = b * 65536;
    while (i < n4 && v4Keys[i]! < floor) i++;
    v4Index[2 * b] = i;
    // Whole: no boundary in (floor, floor + 65535]; the covering one is at floor or before it.
    const inside = i < n4 && v4Keys[i] === floor ? i + 1 : i;
    if (inside >= n4 || v4Keys[inside]! >= floor + 65536) {
      v4Index[2 * b + 1] = 1 + packedValue(v4Values, bits, inside - 1);
    }
  }
  v4Index[2 * 65536] = n4;
  // After the /16 index, which reads the keys.
  const v4Entries = intoKeys ? v4Keys : new Uint32Array(n4);
  const v4Low = v4Values.low;
  for (let k = 0; k < n4; k++) v4Entries[k] = (((v4Keys[k]! & 0xffff) << 16) | v4Low[k]!) >>> 0;
  const n6s = v6SummaryLength(v6KeysHigh.length) / 2;
  const v6Summary = new Uint32Array(2 * n6s);
  for (let j = 0; j < n6s; j++) {
    v6Summary[2 * j] = v6KeysHigh[j * V6_STEP]!;
    v6Summary[2 * j + 1] = v6KeysMid[j * V6_STEP]!;
  }
  return {
    v4Index,
    v4Entries,
    v4ValueHigh: v4Values.high,
    v6ValueLow: v6Values.low,
    v6ValueHigh: v6Values.high,
    v6Summary,
  };
}

/** What a table built here is made of, for `partsOf` (the PrefixTable interface stays lean). */
const TABLE_PARTS = new WeakMap<PrefixTable, { columns: KeptColumns; indexes: TableIndexes }>();

/** The kept columns and lookup indexes of a table built by this module (else undefined). */
export function partsOf(
  table: PrefixTable,
): { columns: KeptColumns; indexes: TableIndexes } | undefined {
  return TABLE_PARTS.get(table);
}

/**
 * Builds a queryable table from its columns (as produced by `decodeTable(...).toColumns()`).
 * Validates the invariants in one linear pass and builds the lookup indexes (a few ms). Throws
 * TableFormatError when the columns are inconsistent. The columns are left as they were.
 */
export function tableFromColumns(columns: TableColumns): PrefixTable {
  validate(columns);
  const bits = valueHighBits(columns.pairAsns.length - 1);
  return tableFromPackedColumns(
    { ...columns, v4Values: pack(columns.v4Values, bits), v6Values: pack(columns.v6Values, bits) },
    { keysHandedOver: false },
  );
}

/**
 * A table from columns whose invariants were checked as they were made (the decoder's), values
 * already packed. `keysHandedOver` (the caller made the v4 keys for this table
 * and never reads them again) lets the table write its v4 entries over them: a decode then never
 * holds a second 1.8 MB array nor 32-bit values, which a process would keep as resident memory.
 */
export function tableFromPackedColumns(
  columns: PackedColumns,
  options: { keysHandedOver: boolean },
): PrefixTable {
  const indexes = buildIndexes(columns, options.keysHandedOver);
  // The 32-bit keys are dropped here and the values kept only packed: the indexes hold them.
  const { v4Keys: _keys, v4Values: _v4, v6Values: _v6, ...kept } = columns;
  return tableFromParts(kept, indexes);
}

/**
 * A table from kept columns and their indexes as `partsOf` gave them (read back from a table
 * image whose checksum matched): checks that the lengths fit together, trusts the contents.
 */
export function tableFromParts(columns: KeptColumns, indexes: TableIndexes): PrefixTable {
  const { v4Index, v4Entries, v4ValueHigh, v6ValueLow, v6ValueHigh, v6Summary } = indexes;
  const { v6KeysHigh, v6KeysMid, v6LowIndex, v6LowWords } = columns;
  const { pairAsns, names, nameStarts, dupPairs, dupTargets } = columns;
  const n4 = v4Entries.length;
  const bits = valueHighBits(pairAsns.length - 1);
  const n6 = v6KeysHigh.length;
  if (
    v4Index.length !== V4_INDEX_LENGTH ||
    v4Index[2 * 65536] !== n4 ||
    v4ValueHigh.length !== packedLength(n4, bits) ||
    v6ValueLow.length !== n6 ||
    v6ValueHigh.length !== packedLength(n6, bits) ||
    v6Summary.length !== v6SummaryLength(n6) ||
    v6KeysMid.length !== n6
  ) {
    fail('index lengths');
  }
  const n6s = v6Summary.length / 2;
  /** The /16 holding v4 boundary i: the last one whose first boundary is at or below i. */
  const bucketOf = (i: number): number => {
    let lo = 0;
    let hi = 65535;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (v4Index[2 * mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const v4Key = (i: number): number => ((bucketOf(i) << 16) | (v4Entries[i]! >>> 16)) >>> 0;
  /** Value i of a family: its low 16 bits and its packed high bits. */
  const v4Value = (i: number): number =>
    (v4Entries[i]! & 0xffff) | highBitsOf(v4ValueHigh, bits, i);
  const v6Value = (i: number): number => v6ValueLow[i]! | highBitsOf(v6ValueHigh, bits, i);
  // Names are decoded on first use: most of the 90k are never shown.
  // Allocated on first use (a table that only answers ASNs never needs it), filled so that V8
  // keeps fast elements.
  let nameCache: (string | undefined)[] | undefined;
  const decoder = new TextDecoder();
  const orgOf = (id: number): string => {
    nameCache ??= new Array<string | undefined>(pairAsns.length).fill(undefined);
    let s = nameCache[id];
    if (s === undefined) {
      // Distinct names are stored in pair order, skipping pairs that reuse an earlier name.
      let k = dupIndex(dupPairs, id);
      const owner = k >= 0 ? dupTargets[k]! : id;
      if (k >= 0) k = dupIndex(dupPairs, owner);
      const nameIndex = owner - 1 - (-k - 1);
      s = decoder.decode(names.subarray(nameStarts[nameIndex]!, nameStarts[nameIndex + 1]! - 1));
      nameCache[id] = s;
    }
    return s;
  };

  /** Low 64 bits of v6 key i (into lowW2/lowW3): zero except at the few indexes in v6LowIndex. */
  let lowW2 = 0;
  let lowW3 = 0;
  const loadLow = (i: number): void => {
    let lo = 0;
    let hi = v6LowIndex.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = v6LowIndex[mid]!;
      if (v === i) {
        lowW2 = v6LowWords[2 * mid]!;
        lowW3 = v6LowWords[2 * mid + 1]!;
        return;
      }
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    lowW2 = 0;
    lowW3 = 0;
  };

  const source: ResultSource = {
    v4Key,
    v4Count: n4,
    v6Bound(index: number, next: boolean, out: Uint32Array): void {
      if (!next) {
        loadLow(index);
        out[0] = v6KeysHigh[index]!;
        out[1] = v6KeysMid[index]!;
        out[2] = lowW2;
        out[3] = lowW3;
        return;
      }
      if (index + 1 >= n6) {
        out.fill(0xffffffff);
        return;
      }
      // The next boundary minus one, with borrow across the four words.
      loadLow(index + 1);
      let e3 = lowW3 - 1;
      let e2 = lowW2;
      let e1 = v6KeysMid[index + 1]!;
      let e0 = v6KeysHigh[index + 1]!;
      if (e3 < 0) {
        e3 = 0xffffffff;
        e2--;
        if (e2 < 0) {
          e2 = 0xffffffff;
          e1--;
          if (e1 < 0) {
            e1 = 0xffffffff;
            e0--;
          }
        }
      }
      out[0] = e0;
      out[1] = e1;
      out[2] = e2;
      out[3] = e3;
    },
  };
  const RoutedResult = routedResultClass(source);

  const lookupV4 = (a: number): LookupResult => {
    if (MAYBE_SPECIAL_V4[a >>> 24] === 1) {
      const scope = classifyIpv4(a);
      if (scope !== 'public') return { kind: 'local', scope };
    }
    const b2 = (a >>> 16) * 2;
    const first = v4Index[b2]!;
    const whole = v4Index[b2 + 1]!;
    const end = v4Index[b2 + 2]!;
    let i = first - 1; // the last boundary below this /16, unless one inside is at or below a
    let id: number;
    if (whole !== 0) {
      id = whole - 1;
      if (end > first) i = first; // the one boundary in this /16 is at its floor
    } else {
      const low = a & 0xffff;
      // An entry is at or below the address when it is at or below its low bits over 0xffff.
      const top = ((low << 16) | 0xffff) >>> 0;
      if (end - first <= V4_LINEAR_MAX) {
        while (i + 1 < end && v4Entries[i + 1]! <= top) i++;
      } else {
        // Boundaries spread fairly evenly over a /16 (mostly /24s): start where the address would
        // fall if they were even, walk a few keys (one cache line), and only if the guess was far
        // off, search the rest binary. Fewer lines and mispredicted branches than a bisection.
        // [lo, hi): where the first key above `low` is still to be found; the answer is one before.
        let lo: number;
        let hi: number;
        let g = first + ((low * (end - first)) >>> 16);
        if (v4Entries[g]! <= top) {
          const stop = Math.min(end, g + V4_LINEAR_MAX);
          while (g + 1 < stop && v4Entries[g + 1]! <= top) g++;
          lo = g + 1;
          hi = g + 1 < stop || stop === end ? g + 1 : end;
        } else {
          const stop = Math.max(first, g - V4_LINEAR_MAX);
          while (g > stop && v4Entries[g - 1]! > top) g--;
          hi = g;
          lo = g === stop && g > first ? first : g;
        }
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (v4Entries[mid]! <= top) lo = mid + 1;
          else hi = mid;
        }
        i = lo - 1;
      }
      id = v4Value(i);
    }
    if (id === GAP) return UNROUTED;
    return new RoutedResult(pairAsns[id]!, orgOf(id), 4, i);
  };

  const lookupV6 = (w0: number, w1: number, w2: number, w3: number): LookupResult => {
    if (maybeSpecialV6(w0)) {
      const scope = classifyIpv6(w0, w1, w2, w3);
      if (scope !== 'public') return { kind: 'local', scope };
    }
    // Last key whose upper 64 bits are <= the address's: the low bits matter only on a tie.
    let lo = 0;
    let hi = n6s - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const h = v6Summary[2 * mid]!;
      if (h < w0 || (h === w0 && v6Summary[2 * mid + 1]! <= w1)) lo = mid;
      else hi = mid - 1;
    }
    lo *= V6_STEP;
    hi = Math.min(lo + V6_STEP - 1, n6 - 1);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const h = v6KeysHigh[mid]!;
      if (h < w0 || (h === w0 && v6KeysMid[mid]! <= w1)) lo = mid;
      else hi = mid - 1;
    }
    // Off-grid keys (rare) share their upper 64 bits with the address: step back past larger ones.
    while (lo > 0 && v6KeysHigh[lo] === w0 && v6KeysMid[lo] === w1) {
      loadLow(lo);
      if (lowW2 < w2 || (lowW2 === w2 && lowW3 <= w3)) break;
      lo--;
    }
    const id = v6Value(lo);
    if (id === GAP) return UNROUTED;
    return new RoutedResult(pairAsns[id]!, orgOf(id), 6, lo);
  };

  const scratch = new Uint32Array(4);
  const table: PrefixTable = {
    meta: columns.meta,
    lookup(text: string): LookupResult {
      if (typeof text !== 'string') return { kind: 'invalid', reason: 'not a string' };
      const v4 = parseIpv4Fast(text);
      if (v4 >= 0) return lookupV4(v4);
      const family = parseIpInto(text, scratch);
      if (family === 4) return lookupV4(scratch[0]!);
      if (family === 6) return lookupV6(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
      return { kind: 'invalid', reason: lastParseReason() };
    },
    lookupAddress(address: IpAddress): LookupResult {
      if (address?.family === 4) return lookupV4(address.value >>> 0);
      if (address?.family === 6 && address.words?.length === 4) {
        const [w0, w1, w2, w3] = address.words;
        if (w0 === 0 && w1 === 0 && w2 === 0xffff) return lookupV4(w3 >>> 0); // mapped
        return lookupV6(w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0);
      }
      return { kind: 'invalid', reason: 'not an IP address object' };
    },
    toColumns(): TableColumns {
      // Rebuilt on each call (rare: the update guards), so the table never holds both forms.
      const v4Keys = new Uint32Array(n4);
      for (let b = 0; b < 65536; b++) {
        const high = b << 16;
        for (let i = v4Index[2 * b]!, end = v4Index[2 * b + 2]!; i < end; i++) {
          v4Keys[i] = (high | (v4Entries[i]! >>> 16)) >>> 0;
        }
      }
      const v4Values = new Uint32Array(n4);
      for (let i = 0; i < n4; i++) v4Values[i] = v4Value(i);
      const v6Values = new Uint32Array(n6);
      for (let i = 0; i < n6; i++) v6Values[i] = v6Value(i);
      return { ...columns, v4Keys, v4Values, v6Values };
    },
  };
  TABLE_PARTS.set(table, { columns, indexes });
  return table;
}
