import { ByteReader } from './bytes';
import { CHECKSUM_LENGTH, checksummedBytes, HEADER_FIXED_BYTES } from './encode';
import {
  createValuePacker,
  tableFromPackedColumns,
  valueHighBits,
  type PackedColumns,
  type PackedValues,
} from './table';
import {
  GAP,
  MTF_WINDOW,
  PAYLOAD_PARTS,
  MAX_COMMON_IDS,
  SYMBOL_COMMON,
  SYMBOL_EXPLICIT,
  SYMBOL_NEW,
  TABLE_FORMAT_VERSION,
  TABLE_MAGIC,
  TableFormatError,
  type PrefixTable,
  type TableCodec,
  type TableMeta,
} from './types';

interface Header {
  meta: TableMeta;
  payloadStart: number;
  payloadLength: number;
  rawLength: number;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

function readHeader(file: Uint8Array): Header {
  if (!(file instanceof Uint8Array)) throw new TableFormatError('table file must be a Uint8Array');
  if (file.length < 8) throw new TableFormatError('not a prefix table: file is too short');
  for (let i = 0; i < 4; i++) {
    if (file[i] !== TABLE_MAGIC[i]) {
      throw new TableFormatError('not a prefix table: wrong magic bytes (expected "CFPT")');
    }
  }
  const r = new ByteReader(file, 4);
  const formatVersion = r.u16('format version');
  if (formatVersion !== TABLE_FORMAT_VERSION) {
    throw new TableFormatError(
      `prefix table format version ${formatVersion} is not supported (this build reads ${TABLE_FORMAT_VERSION}); rebuild the table`,
    );
  }
  const headerLength = r.u16('header length');
  if (headerLength < HEADER_FIXED_BYTES + 6)
    throw new TableFormatError('header length is too small');
  if (file.length < headerLength) throw new TableFormatError('truncated header');
  const v4Ranges = r.u32('v4 range count');
  const v6Ranges = r.u32('v6 range count');
  const asnCount = r.u32('ASN count');
  const payloadLength = r.u32('payload length');
  const rawLength = r.u32('raw payload length');
  const dec = new TextDecoder('utf-8', { fatal: true });
  const strings: string[] = [];
  for (const what of ['source', 'source version', 'built-from']) {
    const n = r.u16(`${what} length`);
    try {
      strings.push(dec.decode(r.bytes(n, what)));
    } catch (error) {
      if (error instanceof TableFormatError) throw error;
      throw new TableFormatError(`${what} is not valid UTF-8`);
    }
  }
  if (r.pos !== headerLength)
    throw new TableFormatError('header length does not match its content');
  const expectedEnd = headerLength + payloadLength + CHECKSUM_LENGTH;
  if (file.length < expectedEnd) {
    throw new TableFormatError(
      `truncated: the payload and checksum need ${payloadLength + CHECKSUM_LENGTH} bytes, the file has ${file.length - headerLength}`,
    );
  }
  const sha256 = toHex(file.subarray(expectedEnd - CHECKSUM_LENGTH, expectedEnd));
  if (file.length > expectedEnd) {
    throw new TableFormatError(`${file.length - expectedEnd} unexpected bytes after the checksum`);
  }
  return {
    meta: {
      formatVersion,
      source: strings[0]!,
      sourceVersion: strings[1]!,
      builtFrom: strings[2]!,
      v4Ranges,
      v6Ranges,
      asnCount,
      sha256,
    },
    payloadStart: headerLength,
    payloadLength,
    rawLength,
  };
}

/**
 * Reads only the header of a table file: cheap, for "is the stored table this version?" checks.
 * Throws TableFormatError on a file that is not a complete table of this format version.
 */
export function readTableMeta(file: Uint8Array): TableMeta {
  return readHeader(file).meta;
}

/**
 * Decodes a value column (see format.md): one symbol byte per entry (MTF rank, "new", "explicit"
 * or a common id) and the ids from three byte planes, the family's common ids first. Hot, and run
 * mostly before the JIT has optimised it: one flat loop, and the bound on "new" ids checked once at
 * the end (every id is below the next new one, so that bound covers them all).
 */
function readValues(
  symbols: Uint8Array,
  planes: Uint8Array,
  commonCount: number,
  firstSeen: { next: number; routed: number },
  pairCount: number,
  what: string,
): PackedValues {
  const count = symbols.length;
  const idCount = planes.length / 3;
  if (commonCount > MAX_COMMON_IDS || commonCount > idCount) {
    throw new TableFormatError(`${what}: too many common ids`);
  }
  const next0 = firstSeen.next;
  const common = new Int32Array(MAX_COMMON_IDS).fill(-1);
  for (let k = 0; k < commonCount; k++) {
    const id = planes[k]! | (planes[idCount + k]! << 8) | (planes[2 * idCount + k]! << 16);
    if (id >= next0 + count) throw new TableFormatError(`${what}: common id ${id} out of range`);
    common[k] = id;
  }
  let routed = 0;
  let e = commonCount;
  // Written packed as they are read: a 32-bit copy would only be freed memory the process keeps.
  const out = createValuePacker(count, valueHighBits(pairCount));
  // The MTF list as a ring: rank k sits at ring[(head + k) & MASK]. A value not in the list costs
  // one write (the head steps back over the evicted last entry), a hit at rank r costs r moves.
  const MASK = MTF_WINDOW - 1;
  const ring = new Int32Array(MTF_WINDOW).fill(-1);
  let head = 0;
  let next = next0;
  let prev = -1;
  for (let i = 0; i < count; i++) {
    const sym = symbols[i]!;
    let v: number;
    if (sym < MTF_WINDOW) {
      v = ring[(head + sym) & MASK]!;
      if (v < 0) throw new TableFormatError(`${what}: reference to an empty MTF slot`);
      for (let k = sym; k > 0; k--) ring[(head + k) & MASK] = ring[(head + k - 1) & MASK]!;
      ring[head] = v;
    } else {
      if (sym === SYMBOL_NEW) v = next++;
      else if (sym === SYMBOL_EXPLICIT && e < idCount) {
        v = planes[e]! | (planes[idCount + e]! << 8) | (planes[2 * idCount + e]! << 16);
        e++;
        if (v >= next) throw new TableFormatError(`${what}: id ${v} used before it appears`);
      } else if (sym >= SYMBOL_COMMON && sym - SYMBOL_COMMON < commonCount) {
        v = common[sym - SYMBOL_COMMON]!;
        if (v >= next) throw new TableFormatError(`${what}: id ${v} used before it appears`);
      } else throw new TableFormatError(`${what}: bad symbol ${sym}`);
      head = (head + MASK) & MASK;
      ring[head] = v;
    }
    if (v === prev) throw new TableFormatError(`${what}: equal neighbours`);
    out.set(i, v);
    prev = v;
    if (v !== GAP) routed++;
  }
  if (next > pairCount + 1) {
    throw new TableFormatError(`${what}: id ${next - 1} beyond ${pairCount} pairs`);
  }
  if (e !== idCount) throw new TableFormatError(`${what}: unused explicit ids`);
  firstSeen.next = next;
  firstSeen.routed = routed;
  return out.packed();
}

/**
 * Where a 32-bit word's low and high 16-bit halves sit in a Uint16Array view of a Uint32Array (the
 * platform's byte order; little-endian everywhere the extension runs, but not assumed).
 */
const LOW_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_HALF = 1 - LOW_HALF;

/**
 * Decodes the v4 key column: "sh8" deltas (see format.md). It runs once per decode over ~470,000
 * keys, most of them before the JIT has optimised it (a first run is a cold start), so each key costs
 * as few operations as it can: up to three varint bytes inline (reads past the end give undefined,
 * which counts as 0 and is caught by the length check after the loop), longer varints out of line,
 * the order and range checks once at the end (keys only grow, so the last is the largest), and the
 * key kept as two 16-bit halves written through a Uint16Array: unoptimised code boxes every number
 * of 2^30 or more, so a 32-bit key in one variable cost an allocation per key (about a third of the
 * cold time, measured in Node).
 */
function readV4Keys(r: ByteReader, count: number): Uint32Array {
  const keys = new Uint32Array(count);
  const halves = new Uint16Array(keys.buffer);
  const buf = r.buf;
  let pos = r.pos;
  let high = 0; // key >>> 16 (may run past 0xffff on a corrupt file: checked at the end)
  let low = 0; // key & 0xffff
  let zeroDeltas = 0;
  for (let i = 0; i < count; i++) {
    let b = buf[pos++]!;
    let x = b & 127;
    if (b > 127) {
      b = buf[pos++]!;
      x |= (b & 127) << 7;
      if (b > 127) {
        b = buf[pos++]!;
        x |= (b & 127) << 14;
        if (b > 127) {
          r.pos = pos - 3;
          x = readVarint(r, 'v4 keys');
          pos = r.pos;
        }
      }
    }
    if (x < 2) zeroDeltas++;
    // Even: a delta of x / 2 whole /24s (x * 128 addresses); odd: (x - 1) / 2 addresses.
    if (x < 0x40000000) {
      if ((x & 1) === 0) {
        low += (x & 511) << 7;
        high += x >> 9;
      } else {
        low += (x >> 1) & 0xffff;
        high += x >> 17;
      }
    } else {
      const d = x % 2 === 0 ? x * 128 : (x - 1) / 2;
      low += d % 65536;
      high += Math.floor(d / 65536);
    }
    if (low > 0xffff) {
      low -= 0x10000;
      high++;
    }
    halves[2 * i + LOW_HALF] = low;
    halves[2 * i + HIGH_HALF] = high;
  }
  if (pos > r.end) throw new TableFormatError('truncated while reading v4 keys');
  if (zeroDeltas > (count > 0 && keys[0] === 0 ? 1 : 0)) {
    throw new TableFormatError('v4 keys are not increasing');
  }
  if (high > 0xffff) throw new TableFormatError('v4 key beyond 255.255.255.255');
  r.pos = pos;
  return keys;
}

/** One unsigned LEB128 of up to 7 bytes (49 bits, exact in a double) at `r.pos`. */
function readVarint(r: ByteReader, what: string): number {
  const buf = r.buf;
  const end = r.end;
  let pos = r.pos;
  let b = pos < end ? buf[pos++]! : 256;
  let x = b & 127;
  let shift = 7;
  while (b >= 128 && shift < 28) {
    b = pos < end ? buf[pos++]! : 256;
    x |= (b & 127) << shift;
    shift += 7;
  }
  if (b >= 128) {
    let scale = 2 ** 28;
    do {
      if (b > 255 || scale > 2 ** 42) throw new TableFormatError(`bad varint in ${what}`);
      b = pos < end ? buf[pos++]! : 256;
      x += (b & 127) * scale;
      scale *= 128;
    } while (b >= 128);
  }
  if (b > 255) throw new TableFormatError(`truncated while reading ${what}`);
  r.pos = pos;
  return x;
}

/**
 * Decodes the v6 key column (upper 64 bits as two words): "sh16" deltas, see format.md. Deltas
 * are unsigned, so the upper 64 bits never decrease; the indexes where they repeat (keys that
 * differ only in their low bits) are returned for the caller to check against the low bits. The
 * 16-bit halves of readV4Keys measured slower here (Node, cold: 57 → 75 ms with the middle word
 * split, worse with both): the carries between the words cost more than the boxing they avoid.
 */
function readV6Keys(r: ByteReader, count: number): [Uint32Array, Uint32Array, number[]] {
  const v6KeysHigh = new Uint32Array(count);
  const v6KeysMid = new Uint32Array(count);
  const ties: number[] = [];
  const buf = r.buf;
  let pos = r.pos;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < count; i++) {
    // As in readV4Keys: three varint bytes inline (reads past the end are caught after the loop).
    let b = buf[pos++]!;
    let x = b & 127;
    if (b > 127) {
      b = buf[pos++]!;
      x |= (b & 127) << 7;
      if (b > 127) {
        b = buf[pos++]!;
        x |= (b & 127) << 14;
        if (b > 127) {
          r.pos = pos - 3;
          x = readVarint(r, 'v6 keys');
          pos = r.pos;
        }
      }
    }
    let dHi: number;
    let dLo: number;
    if (x < 0x10000000 && (x & 1) === 0) {
      // Integer arithmetic for the usual delta of fewer than 2^27 /64s.
      dHi = x >>> 17;
      dLo = ((x >>> 1) & 0xffff) * 65536;
      if (x === 0 && i > 0) ties.push(i);
    } else if (x % 2 === 0) {
      const q = x / 2; // delta / 65536, < 2^48
      dHi = Math.floor(q / 65536);
      dLo = (q % 65536) * 65536;
    } else {
      dHi = (x - 1) / 2;
      r.pos = pos;
      dLo = readVarint(r, 'v6 keys');
      pos = r.pos;
      if (dLo > 0xffffffff) throw new TableFormatError('v6 key delta out of range');
      if (dHi === 0 && dLo === 0 && i > 0) ties.push(i);
    }
    lo += dLo;
    if (lo > 0xffffffff) {
      lo -= 4294967296;
      dHi += 1;
    }
    hi += dHi;
    v6KeysHigh[i] = hi;
    v6KeysMid[i] = lo;
  }
  if (pos > r.end) throw new TableFormatError('truncated while reading v6 keys');
  // The upper words only grow, so the last is the largest.
  if (hi > 0xffffffff) throw new TableFormatError('v6 key beyond the address space');
  r.pos = pos;
  return [v6KeysHigh, v6KeysMid, ties];
}

/** Checks that keys with equal upper 64 bits increase in their low bits (both sorted lists). */
function checkV6Ties(ties: number[], lowIndex: Uint32Array, lowWords: Uint32Array): void {
  let li = 0;
  const low = (i: number): [number, number] => {
    while (li < lowIndex.length && lowIndex[li]! < i) li++;
    return li < lowIndex.length && lowIndex[li] === i
      ? [lowWords[2 * li]!, lowWords[2 * li + 1]!]
      : [0, 0];
  };
  for (const i of ties) {
    const [p2, p3] = low(i - 1);
    const [w2, w3] = low(i);
    if (!(w2 > p2 || (w2 === p2 && w3 > p3)))
      throw new TableFormatError('v6 keys are not increasing');
  }
}

/** The AS numbers of the pairs from four byte planes (index 0 unused). */
function readAsns(planes: Uint8Array, pairCount: number): Uint32Array {
  if (planes.length !== 4 * pairCount) throw new TableFormatError('ASNs: wrong length');
  const pairAsns = new Uint32Array(pairCount + 1);
  const n = pairCount;
  for (let i = 0; i < n; i++) {
    const asn =
      (planes[i]! |
        (planes[n + i]! << 8) |
        (planes[2 * n + i]! << 16) |
        (planes[3 * n + i]! << 24)) >>>
      0;
    if (asn === 0) throw new TableFormatError('AS number out of range');
    pairAsns[i + 1] = asn;
  }
  return pairAsns;
}

/** The pairs whose name an earlier pair has, and that earlier pair (see format.md). */
function readDuplicates(
  r: ByteReader,
  count: number,
  pairCount: number,
): [Uint32Array, Uint32Array] {
  const dupPairs = new Uint32Array(count);
  const dupTargets = new Uint32Array(count);
  let id = 0;
  let t = 0;
  for (let i = 0; i < count; i++) {
    const step = readVarint(r, 'duplicate names');
    const back = readVarint(r, 'duplicate names');
    id += step;
    const target = id - back;
    if (step < 1 || id > pairCount || back < 1 || target < 1) {
      throw new TableFormatError('duplicate names out of range');
    }
    // The target must have its own name: it is not in the (sorted) list so far.
    while (t < i && dupPairs[t]! < target) t++;
    if (t < i && dupPairs[t] === target) throw new TableFormatError('duplicate of a duplicate');
    dupPairs[i] = id;
    dupTargets[i] = target;
  }
  return [dupPairs, dupTargets];
}

/** Start offsets of the '\n'-separated names (plus one past the end); checks the count. */
function splitNames(names: Uint8Array, count: number): Uint32Array {
  const nameStarts = new Uint32Array(count + 1);
  let at = 0;
  for (let k = 1; k < count; k++) {
    // indexOf runs natively: far faster than a byte loop, cold or warm.
    const nl = names.indexOf(10, at);
    if (nl < 0) throw new TableFormatError('fewer names than pairs');
    at = nl + 1;
    nameStarts[k] = at;
  }
  if (count > 0 && names.indexOf(10, at) >= 0) throw new TableFormatError('more names than pairs');
  if (count === 0 && names.length > 0) throw new TableFormatError('more names than pairs');
  nameStarts[count] = names.length + 1;
  return nameStarts;
}

function expectEnd(r: ByteReader, what: string): void {
  if (r.pos !== r.end) throw new TableFormatError(`${what}: section length does not match content`);
}

/** One payload part: its deflate-raw bytes and the length it inflates to. */
interface Part {
  bytes: Uint8Array;
  rawLength: number;
}

/** Splits the payload into its parts by the part table at its start (format.md). */
function readParts(payload: Uint8Array, rawLength: number): Part[] {
  const table = new ByteReader(payload);
  const sizes = PAYLOAD_PARTS.map((name) => ({
    compressed: table.u32(`${name} length`),
    raw: table.u32(`${name} length`),
  }));
  let at = table.pos;
  let raw = 0;
  const parts = sizes.map(({ compressed, raw: partRaw }, i) => {
    if (at + compressed > payload.length) {
      throw new TableFormatError(`truncated payload in ${PAYLOAD_PARTS[i]}`);
    }
    const bytes = payload.subarray(at, at + compressed);
    at += compressed;
    raw += partRaw;
    return { bytes, rawLength: partRaw };
  });
  if (at !== payload.length) throw new TableFormatError('payload has bytes after its parts');
  if (raw !== rawLength) throw new TableFormatError('part lengths do not add up to the raw length');
  return parts;
}

/** Inflates one part; any failure or a length other than the declared one is a TableFormatError. */
async function inflatePart(codec: TableCodec, part: Part, what: string): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    raw = await codec.inflateRaw(part.bytes, part.rawLength);
  } catch (error) {
    throw new TableFormatError(`cannot inflate the ${what}: ${(error as Error).message}`);
  }
  if (raw.length !== part.rawLength) {
    throw new TableFormatError(
      `${what} inflate to ${raw.length} bytes, expected ${part.rawLength}`,
    );
  }
  return raw;
}

/**
 * Decodes the inflated parts into columns, each as soon as it arrives (the rest inflate meanwhile);
 * every inconsistency is a TableFormatError.
 */
async function decodeParts(parts: Promise<Uint8Array>[], meta: TableMeta): Promise<PackedColumns> {
  const part = (name: (typeof PAYLOAD_PARTS)[number]): Promise<Uint8Array> =>
    parts[PAYLOAD_PARTS.indexOf(name)]!;
  const counts = await part('counts');
  if (counts.length !== 40) throw new TableFormatError('counts: wrong length');
  const head = new ByteReader(counts);
  const pairCount = head.u32('pair count');
  const v4Count = head.u32('v4 key count');
  const v6Count = head.u32('v6 key count');
  const lowCount = head.u32('v6 low count');
  const payloadAsnCount = head.u32('ASN count');
  const v4Explicit = head.u32('v4 explicit count');
  const v6Explicit = head.u32('v6 explicit count');
  const dupCount = head.u32('duplicate count');
  const v4Common = head.u32('v4 common id count');
  const v6Common = head.u32('v6 common id count');
  if (v4Count < 1 || v6Count < 1) throw new TableFormatError('a family has no boundaries');
  if (dupCount > pairCount) throw new TableFormatError('more duplicate names than pairs');

  // Each part is decoded as soon as it has inflated, so with an asynchronous codec the decoding
  // overlaps the inflating of the rest. Only the v6 values wait for another column (the v4 values
  // fix where the v6 pair numbering starts).
  const v4KeysDone = part('v4 keys').then((bytes) => {
    const r = new ByteReader(bytes);
    const keys = readV4Keys(r, v4Count);
    if (keys[0] !== 0) throw new TableFormatError('v4 keys must start at 0');
    expectEnd(r, 'v4 keys');
    return keys;
  });
  const firstSeen = { next: 1, routed: 0 };
  let v4Ranges = 0;
  const v4ValuesDone = Promise.all([part('v4 symbols'), part('v4 explicit ids')]).then(
    ([symbols, ids]) => {
      if (symbols.length !== v4Count || ids.length !== 3 * (v4Common + v4Explicit)) {
        throw new TableFormatError('v4 values: wrong length');
      }
      const values = readValues(symbols, ids, v4Common, firstSeen, pairCount, 'v4 values');
      v4Ranges = firstSeen.routed;
      return values;
    },
  );
  const v6KeysDone = part('v6 keys').then((bytes) => {
    const r = new ByteReader(bytes);
    const keys = readV6Keys(r, v6Count);
    expectEnd(r, 'v6 keys');
    if (keys[0][0] !== 0 || keys[1][0] !== 0) throw new TableFormatError('v6 keys must start at 0');
    return keys;
  });
  let v6Ranges = 0;
  const v6ValuesDone = Promise.all([
    v4ValuesDone,
    part('v6 symbols'),
    part('v6 explicit ids'),
  ]).then(([, symbols, ids]) => {
    if (symbols.length !== v6Count || ids.length !== 3 * (v6Common + v6Explicit)) {
      throw new TableFormatError('v6 values: wrong length');
    }
    const values = readValues(symbols, ids, v6Common, firstSeen, pairCount, 'v6 values');
    v6Ranges = firstSeen.routed;
    if (firstSeen.next !== pairCount + 1) {
      throw new TableFormatError(`${pairCount} pairs declared, ${firstSeen.next - 1} used`);
    }
    return values;
  });
  const v6LowDone = Promise.all([part('v6 low bits'), v6KeysDone]).then(([bytes, [, , ties]]) => {
    const rLow = new ByteReader(bytes);
    const lowIndex = new Uint32Array(lowCount);
    const lowWords = new Uint32Array(lowCount * 2);
    let index = 0;
    for (let i = 0; i < lowCount; i++) {
      index += readVarint(rLow, 'v6 low bits');
      if (index >= v6Count || (i > 0 && index === lowIndex[i - 1])) {
        throw new TableFormatError('v6 low-bit index out of order');
      }
      lowIndex[i] = index;
      const w2 = readVarint(rLow, 'v6 low bits');
      const w3 = readVarint(rLow, 'v6 low bits');
      if (w2 > 0xffffffff || w3 > 0xffffffff)
        throw new TableFormatError('v6 low bits out of range');
      lowWords[2 * i] = w2;
      lowWords[2 * i + 1] = w3;
    }
    expectEnd(rLow, 'v6 low bits');
    checkV6Ties(ties, lowIndex, lowWords);
    return [lowIndex, lowWords] as const;
  });
  const asnsDone = part('ASNs').then((bytes) => readAsns(bytes, pairCount));
  const dupsDone = part('duplicate names').then((bytes) => {
    const r = new ByteReader(bytes);
    const dups = readDuplicates(r, dupCount, pairCount);
    expectEnd(r, 'duplicate names');
    return dups;
  });
  const namesDone = part('names').then((bytes) => {
    // Keep exactly the names: an inflater may hand back a view into a larger buffer.
    const names = bytes.byteLength !== bytes.buffer.byteLength ? bytes.slice() : bytes;
    return [names, splitNames(names, pairCount - dupCount)] as const;
  });
  const columns = [
    v4KeysDone,
    v4ValuesDone,
    v6KeysDone,
    v6ValuesDone,
    v6LowDone,
    asnsDone,
    dupsDone,
    namesDone,
  ] as const;
  // The first failure in column order, not in time: the same file always gives the same error.
  for (const settled of await Promise.allSettled(columns)) {
    if (settled.status === 'rejected') throw settled.reason;
  }
  const [
    v4Keys,
    v4Values,
    [v6KeysHigh, v6KeysMid],
    v6Values,
    [v6LowIndex, v6LowWords],
    pairAsns,
    [dupPairs, dupTargets],
    [names, nameStarts],
  ] = await Promise.all(columns);

  if (v4Ranges !== meta.v4Ranges || v6Ranges !== meta.v6Ranges) {
    throw new TableFormatError(
      `header counts (${meta.v4Ranges} v4, ${meta.v6Ranges} v6) do not match the payload (${v4Ranges}, ${v6Ranges})`,
    );
  }
  // The payload's own ASN count is covered by the checksum; the header copy must agree with it.
  if (payloadAsnCount !== meta.asnCount) {
    throw new TableFormatError('header ASN count does not match the payload');
  }
  return {
    meta,
    v4Keys,
    v4Values,
    v6KeysHigh,
    v6KeysMid,
    v6Values,
    v6LowIndex,
    v6LowWords,
    pairAsns,
    names,
    nameStarts,
    dupPairs,
    dupTargets,
  };
}

/**
 * Decodes a table file: checks magic, version, length and the SHA-256 of the file (every header
 * field and the payload), inflates it
 * and checks every count. Throws TableFormatError (or the codec's error, wrapped) on any problem;
 * never returns a partly decoded table.
 */
export async function decodeTable(file: Uint8Array, codec: TableCodec): Promise<PrefixTable> {
  const header = readHeader(file);
  const payload = file.subarray(header.payloadStart, header.payloadStart + header.payloadLength);
  const parts = readParts(payload, header.rawLength);
  // Every part is handed to the codec now (an async one inflates them in turn while we hash and
  // decode); nothing inflated is used before the checksum has matched.
  const inflated = parts.map((p, i) => inflatePart(codec, p, PAYLOAD_PARTS[i]!));
  for (const p of inflated) p.catch(() => undefined); // awaited below; no unhandled rejection
  const digest = toHex(await codec.sha256(checksummedBytes(file)));
  if (digest !== header.meta.sha256) {
    throw new TableFormatError('checksum mismatch: the table file is corrupt (header or payload)');
  }
  // decodeParts checks every invariant the lookups rely on as it decodes.
  return tableFromPackedColumns(await decodeParts(inflated, header.meta), {
    keysHandedOver: true,
  });
}
