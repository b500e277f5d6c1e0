import type { RoutedRange } from '../sources/types';
import { ByteWriter } from './bytes';
import {
  GAP,
  MTF_WINDOW,
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

const TWO_64 = 1n << 64n;
const MASK_64 = TWO_64 - 1n;

/** Writes a value column: move-to-front over the last MTF_WINDOW values, else new or explicit. */
function writeValues(
  values: readonly number[],
  firstSeen: { next: number },
  out: ByteWriter,
): void {
  const recent = new Int32Array(MTF_WINDOW).fill(-1);
  for (const v of values) {
    let rank = -1;
    for (let r = 0; r < MTF_WINDOW; r++) {
      if (recent[r] === v) {
        rank = r;
        break;
      }
    }
    if (rank >= 0) {
      out.varint(rank);
      recent.copyWithin(1, 0, rank);
    } else {
      if (v === firstSeen.next) {
        out.varint(MTF_WINDOW);
        firstSeen.next++;
      } else {
        out.varint(MTF_WINDOW + 1 + v);
      }
      recent.copyWithin(1, 0, MTF_WINDOW - 1);
    }
    recent[0] = v;
  }
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
  const v4ValueBytes = new ByteWriter();
  writeValues(v4Values, firstSeen, v4ValueBytes);

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
  const v6ValueBytes = new ByteWriter();
  writeValues(v6Values, firstSeen, v6ValueBytes);
  if (firstSeen.next !== pairAsns.length) throw new Error('internal: pair ids out of order');

  const pairBytes = new ByteWriter();
  let prevAsn = 0;
  for (let i = 1; i < pairAsns.length; i++) {
    const d = pairAsns[i]! - prevAsn;
    prevAsn = pairAsns[i]!;
    pairBytes.varint(d >= 0 ? d * 2 : -d * 2 - 1); // zigzag
  }
  const nameBytes = new TextEncoder().encode(pairNames.slice(1).join('\n'));

  const sections = [v4KeyBytes, v4ValueBytes, v6KeyBytes, v6ValueBytes, v6LowBytes, pairBytes].map(
    (w) => w.result(),
  );
  sections.push(nameBytes);
  const asnCount = new Set(pairAsns.slice(1)).size;
  const payload = new ByteWriter();
  payload.u32(pairAsns.length - 1);
  payload.u32(v4Keys.length);
  payload.u32(v6Keys.length);
  payload.u32(lowCount);
  payload.u32(asnCount);
  for (const s of sections) payload.u32(s.length);
  for (const s of sections) payload.bytes(s);
  const raw = payload.result();
  const compressed = codec.deflateRaw(raw);
  const digest = codec.sha256(compressed);
  if (digest.length !== 32) throw new Error('sha256 must give 32 bytes');

  const enc = new TextEncoder();
  const strings = [meta.source, meta.sourceVersion, meta.builtFrom].map((s) => enc.encode(s));
  for (const s of strings) if (s.length > 0xffff) throw new RangeError('meta string too long');
  const header = new ByteWriter();
  for (const b of TABLE_MAGIC) header.byte(b);
  header.u16(TABLE_FORMAT_VERSION);
  const headerLength = HEADER_FIXED_BYTES + strings.reduce((n, s) => n + 2 + s.length, 0);
  header.u16(headerLength);
  header.u32(v4Ranges);
  header.u32(v6Ranges);
  header.u32(asnCount);
  header.u32(compressed.length);
  header.u32(raw.length);
  header.bytes(digest);
  for (const s of strings) {
    header.u16(s.length);
    header.bytes(s);
  }
  header.bytes(compressed);
  return header.result();
}

/** Bytes of the header before its strings: magic 4, version 2, length 2, five u32, sha256 32. */
export const HEADER_FIXED_BYTES = 4 + 2 + 2 + 5 * 4 + 32;
