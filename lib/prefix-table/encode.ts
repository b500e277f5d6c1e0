import type { RoutedRange } from '../sources/types';
import { ByteWriter } from './bytes';
import {
  GAP,
  MAX_PAIRS,
  MTF_WINDOW,
  PAYLOAD_PARTS,
  SYMBOL_COMMON,
  SYMBOL_EXPLICIT,
  SYMBOL_NEW,
  TABLE_FORMAT_VERSION,
  TABLE_MAGIC,
  type TableEncoderCodec,
} from './types';

/** What the header says about the data; counts and the checksum are computed. */
export interface EncodeMeta {
  source: string;
  sourceVersion: string;
  builtFrom: string;
}

/**
 * How many of the most often explicitly written ids get a symbol of their own, per family. Measured
 * on the 2026 data with zopfli: see format.md. A common id must save more than its 3 bytes in the list.
 */
const V4_COMMON_IDS = 128;
const V6_COMMON_IDS = 64;
const COMMON_ID_MIN_USES = 4;

const TWO_64 = 1n << 64n;
const MASK_64 = TWO_64 - 1n;

/**
 * Writes a value column as one symbol byte per entry (move-to-front rank, "new", "explicit" or a
 * common id) and the ids the symbols do not carry as three byte planes (see format.md): deflate
 * codes the small symbols and each plane of the ids much better than it codes interleaved varints.
 * The ids that would be written explicitly most often (the gap, big networks with many customer
 * prefixes carved out of them) get symbols of their own instead; their list leads the planes. A
 * common id moves to the front as an explicit one does, so the MTF runs once and the common
 * symbols replace explicit ones afterwards (this encoder also runs in the browser worker).
 */
function writeValues(
  values: readonly number[],
  firstSeen: { next: number },
  commonIdLimit: number,
): { symbols: Uint8Array; explicit: Uint8Array; commonCount: number; explicitCount: number } {
  const recent = new Int32Array(MTF_WINDOW).fill(-1);
  const symbols = new Uint8Array(values.length);
  const ids: number[] = [];
  values.forEach((v, i) => {
    let rank = -1;
    for (let r = 0; r < MTF_WINDOW; r++) {
      if (recent[r] === v) {
        rank = r;
        break;
      }
    }
    if (rank >= 0) {
      symbols[i] = rank;
      recent.copyWithin(1, 0, rank);
    } else {
      if (v === firstSeen.next) {
        symbols[i] = SYMBOL_NEW;
        firstSeen.next++;
      } else {
        symbols[i] = SYMBOL_EXPLICIT;
        ids.push(v);
      }
      recent.copyWithin(1, 0, MTF_WINDOW - 1);
    }
    recent[0] = v;
  });
  const uses = new Map<number, number>();
  for (const id of ids) uses.set(id, (uses.get(id) ?? 0) + 1);
  const common = [...uses]
    .filter(([, n]) => n >= COMMON_ID_MIN_USES)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, commonIdLimit)
    .map(([id]) => id);
  const commonSymbol = new Map(common.map((id, k) => [id, SYMBOL_COMMON + k]));
  const explicitIds: number[] = [];
  let e = 0;
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] !== SYMBOL_EXPLICIT) continue;
    const id = ids[e++]!;
    const symbol = commonSymbol.get(id);
    if (symbol === undefined) explicitIds.push(id);
    else symbols[i] = symbol;
  }
  return {
    symbols,
    explicit: bytePlanes([...common, ...explicitIds], 3),
    commonCount: common.length,
    explicitCount: explicitIds.length,
  };
}

/** Little-endian byte planes: all low bytes, then all next bytes, and so on. */
function bytePlanes(values: readonly number[], width: number): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    for (let k = 0; k < width; k++) out[k * n + i] = Math.floor(v / 2 ** (8 * k)) & 255;
  }
  return out;
}

function checkRanges(ranges: readonly RoutedRange[]): void {
  let prev: RoutedRange | undefined;
  for (const r of ranges) {
    if (r.family !== 4 && r.family !== 6) throw new RangeError(`bad family ${String(r.family)}`);
    const max = r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    if (r.start < 0n || r.end > max || r.start > r.end) {
      throw new RangeError(`bad range ${r.start}-${r.end}`);
    }
    if (!Number.isInteger(r.asn) || r.asn < 1 || r.asn > 4294967295) {
      throw new RangeError(`bad AS number ${r.asn}`);
    }
    if (r.org.includes('\n'))
      throw new RangeError(`organisation name with a line break: AS${r.asn}`);
    if (prev !== undefined) {
      if (prev.family > r.family || (prev.family === r.family && prev.end >= r.start)) {
        throw new RangeError(
          'ranges must be sorted (IPv4 first) and must not overlap: normalise first',
        );
      }
    }
    prev = r;
  }
}

/**
 * Encodes normalised ranges (sorted, IPv4 before IPv6, non-overlapping; see `normalizeRanges`)
 * into a table file. Build-time only; deterministic: the same ranges, meta and compressor give
 * the same bytes. Adjacent ranges with the same ASN and org are merged. Throws RangeError on
 * input that is not normalised.
 */
export function encodeTable(
  ranges: readonly RoutedRange[],
  meta: EncodeMeta,
  codec: TableEncoderCodec,
): Uint8Array {
  checkRanges(ranges);
  // Pair ids are given in order of first appearance (IPv4 then IPv6 by address): the value column
  // then codes a first appearance as one "new" symbol, and names of neighbouring networks (often
  // one country, one registry) end up next to each other, which deflate likes.
  const pairIds = new Map<string, number>();
  const pairAsns: number[] = [0];
  const pairNames: string[] = [''];
  const idOf = (r: RoutedRange): number => {
    const key = `${r.asn}\n${r.org}`;
    let id = pairIds.get(key);
    if (id === undefined) {
      id = pairAsns.length;
      pairIds.set(key, id);
      pairAsns.push(r.asn);
      pairNames.push(r.org);
    }
    return id;
  };

  const v4Keys: number[] = [];
  const v4Values: number[] = [];
  const v6Keys: bigint[] = [];
  const v6Values: number[] = [];
  const push = (family: 4 | 6, key: bigint, value: number): void => {
    const values = family === 4 ? v4Values : v6Values;
    if (values.length > 0 && values[values.length - 1] === value) return; // merge equal neighbours
    if (family === 4) v4Keys.push(Number(key));
    else v6Keys.push(key);
    values.push(value);
  };
  for (const family of [4, 6] as const) {
    const max = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    let next = 0n; // first address not yet covered by a boundary
    for (const r of ranges) {
      if (r.family !== family) continue;
      if (r.start > next) push(family, next, GAP);
      push(family, r.start, idOf(r));
      next = r.end + 1n;
    }
    if (next <= max) push(family, next, GAP);
  }
  let v4Ranges = 0;
  for (const v of v4Values) if (v !== GAP) v4Ranges++;
  let v6Ranges = 0;
  for (const v of v6Values) if (v !== GAP) v6Ranges++;
  if (v4Keys[0] !== 0 || v6Keys[0] !== 0n) throw new Error('internal: first key must be 0');

  if (pairAsns.length - 1 > MAX_PAIRS) throw new RangeError('too many (ASN, org) pairs');

  // --- sections
  const v4KeyBytes = new ByteWriter();
  let prevKey = 0;
  for (const k of v4Keys) {
    const d = k - prevKey;
    prevKey = k;
    // "sh8": most boundaries sit on /24 multiples; their delta loses 8 bits.
    v4KeyBytes.varint(d % 256 === 0 ? (d / 256) * 2 : d * 2 + 1);
  }
  const firstSeen = { next: 1 };
  const v4Coded = writeValues(v4Values, firstSeen, V4_COMMON_IDS);

  const v6KeyBytes = new ByteWriter();
  const v6LowBytes = new ByteWriter();
  let prevTop = 0n;
  let prevLowIndex = 0;
  let lowCount = 0;
  v6Keys.forEach((k, i) => {
    const top = k >> 64n;
    const low = k & MASK_64;
    const d = top - prevTop;
    prevTop = top;
    // "sh16" on the upper 64 bits: allocations are /32../48 multiples.
    if (d % 65536n === 0n && d >> 16n < 1n << 48n) {
      v6KeyBytes.varintBig((d >> 16n) * 2n);
    } else {
      v6KeyBytes.varintBig((d >> 32n) * 2n + 1n);
      v6KeyBytes.varintBig(d & 0xffffffffn);
    }
    if (low !== 0n) {
      v6LowBytes.varint(i - prevLowIndex);
      prevLowIndex = i;
      v6LowBytes.varintBig(low >> 32n);
      v6LowBytes.varintBig(low & 0xffffffffn);
      lowCount++;
    }
  });
  const v6Coded = writeValues(v6Values, firstSeen, V6_COMMON_IDS);
  if (firstSeen.next !== pairAsns.length) throw new Error('internal: pair ids out of order');

  // A name already given to an earlier pair (one organisation, several ASNs) is written once; the
  // later pair refers back to it.
  const firstWithName = new Map<string, number>();
  const distinctNames: string[] = [];
  const dupBytes = new ByteWriter();
  let dupCount = 0;
  let prevDup = 0;
  for (let id = 1; id < pairNames.length; id++) {
    const name = pairNames[id]!;
    const first = firstWithName.get(name);
    if (first === undefined) {
      firstWithName.set(name, id);
      distinctNames.push(name);
    } else {
      dupBytes.varint(id - prevDup);
      dupBytes.varint(id - first);
      prevDup = id;
      dupCount++;
    }
  }
  const nameBytes = new TextEncoder().encode(distinctNames.join('\n'));

  const asnCount = new Set(pairAsns.slice(1)).size;
  const counts = new ByteWriter();
  for (const n of [
    pairAsns.length - 1,
    v4Keys.length,
    v6Keys.length,
    lowCount,
    asnCount,
    v4Coded.explicitCount,
    v6Coded.explicitCount,
    dupCount,
    v4Coded.commonCount,
    v6Coded.commonCount,
  ]) {
    counts.u32(n);
  }
  // One deflate stream per part, in PAYLOAD_PARTS order: the decoder decodes each as it inflates.
  const parts: Uint8Array[] = [
    counts.result(),
    v4KeyBytes.result(),
    v4Coded.symbols,
    v4Coded.explicit,
    v6KeyBytes.result(),
    v6Coded.symbols,
    v6Coded.explicit,
    v6LowBytes.result(),
    bytePlanes(pairAsns.slice(1), 4),
    dupBytes.result(),
    nameBytes,
  ];
  if (parts.length !== PAYLOAD_PARTS.length) throw new Error('internal: part count');
  const payload = new ByteWriter();
  const compressedParts = parts.map((part) => codec.deflateRaw(part));
  let rawLength = 0;
  compressedParts.forEach((compressed, i) => {
    payload.u32(compressed.length);
    payload.u32(parts[i]!.length);
    rawLength += parts[i]!.length;
  });
  for (const compressed of compressedParts) payload.bytes(compressed);
  const compressed = payload.result();

  const enc = new TextEncoder();
  const strings = [meta.source, meta.sourceVersion, meta.builtFrom].map((s) => enc.encode(s));
  for (const s of strings) if (s.length > 0xffff) throw new RangeError('meta string too long');
  const file = new ByteWriter();
  for (const b of TABLE_MAGIC) file.byte(b);
  file.u16(TABLE_FORMAT_VERSION);
  const headerLength = HEADER_FIXED_BYTES + strings.reduce((n, s) => n + 2 + s.length, 0);
  file.u16(headerLength);
  file.u32(v4Ranges);
  file.u32(v6Ranges);
  file.u32(asnCount);
  file.u32(compressed.length);
  file.u32(rawLength);
  for (const s of strings) {
    file.u16(s.length);
    file.bytes(s);
  }
  file.bytes(compressed);
  file.bytes(new Uint8Array(CHECKSUM_LENGTH)); // filled in below, once everything it covers is written
  const bytes = file.result();
  const digest = codec.sha256(checksummedBytes(bytes));
  if (digest.length !== CHECKSUM_LENGTH) throw new Error('sha256 must give 32 bytes');
  bytes.set(digest, checksumOffset(bytes));
  return bytes;
}

/** The SHA-256 is the file's last 32 bytes. */
export const CHECKSUM_LENGTH = 32;

/** Where the SHA-256 sits in a file: its last CHECKSUM_LENGTH bytes. */
export function checksumOffset(file: Uint8Array): number {
  return file.length - CHECKSUM_LENGTH;
}

/**
 * The bytes the checksum covers: everything before it (the whole header and the payload), so a
 * changed header field fails it as a damaged payload does. A view, not a copy: the checksum sits at
 * the end of the file so that what it covers is one run of bytes, as the digest takes it (version 3
 * kept it in the header and copied the 2 MB around it on every decode).
 */
export function checksummedBytes(file: Uint8Array): Uint8Array {
  return file.subarray(0, checksumOffset(file));
}

/** Bytes of the header before its strings: magic 4, version 2, length 2, five u32. */
export const HEADER_FIXED_BYTES = 4 + 2 + 2 + 5 * 4;
