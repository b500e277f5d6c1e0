import { ByteReader } from './bytes';
import { HEADER_FIXED_BYTES } from './encode';
import { checkV6Order, tableFromColumns } from './table';
import {
  GAP,
  MTF_WINDOW,
  TABLE_FORMAT_VERSION,
  TABLE_MAGIC,
  TableFormatError,
  type PrefixTable,
  type TableCodec,
  type TableColumns,
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
  const payloadSha256 = toHex(r.bytes(32, 'checksum'));
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
  const expectedEnd = headerLength + payloadLength;
  if (file.length < expectedEnd) {
    throw new TableFormatError(
      `truncated: the payload needs ${payloadLength} bytes, the file has ${file.length - headerLength}`,
    );
  }
  if (file.length > expectedEnd) {
    throw new TableFormatError(`${file.length - expectedEnd} unexpected bytes after the payload`);
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
      payloadSha256,
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

/** Decodes a value column (see format.md): MTF ranks, "new" and explicit ids. Hot: kept flat. */
function readValues(
  r: ByteReader,
  count: number,
  firstSeen: { next: number; routed: number },
  pairCount: number,
  what: string,
): Uint32Array {
  let routed = 0;
  const out = new Uint32Array(count);
  const recent = new Int32Array(MTF_WINDOW).fill(-1);
  const buf = r.buf;
  const end = r.end;
  let pos = r.pos;
  let next = firstSeen.next;
  let prev = -1;
  for (let i = 0; i < count; i++) {
    // LEB128 in one uniform loop: a separate multi-byte branch deoptimises the OSR'd code.
    let sym = 0;
    let shift = 0;
    let b: number;
    do {
      if (pos >= end || shift > 28) throw new TableFormatError(`bad varint in ${what}`);
      b = buf[pos++]!;
      sym |= (b & 127) << shift;
      shift += 7;
    } while (b >= 128);
    if (sym < 0) throw new TableFormatError(`varint too large in ${what}`);
    let v: number;
    let slot: number;
    if (sym < MTF_WINDOW) {
      v = recent[sym]!;
      if (v < 0) throw new TableFormatError(`${what}: reference to an empty MTF slot`);
      slot = sym;
    } else {
      if (sym === MTF_WINDOW) v = next++;
      else {
        v = sym - MTF_WINDOW - 1;
        if (v >= next) throw new TableFormatError(`${what}: id ${v} used before it appears`);
      }
      if (v > pairCount) throw new TableFormatError(`${what}: id ${v} beyond ${pairCount} pairs`);
      slot = MTF_WINDOW - 1;
    }
    for (let k = slot; k > 0; k--) recent[k] = recent[k - 1]!;
    recent[0] = v;
    if (v === prev) throw new TableFormatError(`${what}: equal neighbours`);
    out[i] = v;
    prev = v;
    if (v !== GAP) routed++;
  }
  r.pos = pos;
  firstSeen.next = next;
  firstSeen.routed = routed;
  return out;
}

/** Decodes the v4 key column: "sh8" deltas (see format.md). Its own function so it is optimised alone. */
function readV4Keys(r: ByteReader, count: number): Uint32Array {
  const keys = new Uint32Array(count);
  const buf = r.buf;
  const end = r.end;
  let pos = r.pos;
  let key = 0;
  for (let i = 0; i < count; i++) {
    let x = 0;
    let scale = 1;
    let b: number;
    do {
      if (pos >= end || scale > 2 ** 35) throw new TableFormatError('bad varint in v4 keys');
      b = buf[pos++]!;
      x += (b & 127) * scale;
      scale *= 128;
    } while (b >= 128);
    const half = Math.floor(x / 2);
    const d = x - half * 2 === 0 ? half * 256 : half;
    if (i > 0 && d === 0) throw new TableFormatError('v4 keys are not increasing');
    key += d;
    if (key > 0xffffffff) throw new TableFormatError('v4 key beyond 255.255.255.255');
    keys[i] = key;
  }
  r.pos = pos;
  return keys;
}

/** Decodes the v6 key column (upper 64 bits as two words): "sh16" deltas, see format.md. */
function readV6Keys(r: ByteReader, count: number): [Uint32Array, Uint32Array] {
  const v6KeysHigh = new Uint32Array(count);
  const v6KeysMid = new Uint32Array(count);
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < count; i++) {
    const x = r.varint('v6 keys');
    let dHi: number;
    let dLo: number;
    if (x % 2 === 0) {
      const q = x / 2; // delta / 65536, < 2^48
      dHi = Math.floor(q / 65536);
      dLo = (q % 65536) * 65536;
    } else {
      dHi = (x - 1) / 2;
      dLo = r.varint('v6 keys');
      if (dLo > 0xffffffff) throw new TableFormatError('v6 key delta out of range');
    }
    lo += dLo;
    if (lo > 0xffffffff) {
      lo -= 4294967296;
      dHi += 1;
    }
    hi += dHi;
    if (hi > 0xffffffff) throw new TableFormatError('v6 key beyond the address space');
    v6KeysHigh[i] = hi;
    v6KeysMid[i] = lo;
  }
  return [v6KeysHigh, v6KeysMid];
}

/** Decodes the zigzag ASN deltas of the pairs (index 0 unused). */
function readAsns(r: ByteReader, pairCount: number): Uint32Array {
  const pairAsns = new Uint32Array(pairCount + 1);
  let asn = 0;
  for (let i = 1; i <= pairCount; i++) {
    const z = r.varint('ASNs');
    asn += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (asn < 1 || asn > 0xffffffff) throw new TableFormatError('AS number out of range');
    pairAsns[i] = asn;
  }
  return pairAsns;
}

/** Offsets of the newline-separated names; checks there is one per pair. */
function splitNames(names: Uint8Array, pairCount: number): Uint32Array {
  const nameStarts = new Uint32Array(pairCount + 2);
  {
    let id = 1;
    const n = names.length;
    if (pairCount > 0) nameStarts[1] = 0;
    for (let i = 0; i < n; i++) {
      if (names[i] === 10) {
        id++;
        if (id > pairCount) throw new TableFormatError('more names than pairs');
        nameStarts[id] = i + 1;
      }
    }
    if (id !== pairCount && pairCount > 0) throw new TableFormatError('fewer names than pairs');
  }
  nameStarts[pairCount + 1] = names.length + 1;

  return nameStarts;
}

function expectEnd(r: ByteReader, what: string): void {
  if (r.pos !== r.end) throw new TableFormatError(`${what}: section length does not match content`);
}

/** Decodes the inflated payload into columns; every inconsistency is a TableFormatError. */
function decodePayload(raw: Uint8Array, meta: TableMeta): TableColumns {
  const head = new ByteReader(raw);
  const pairCount = head.u32('pair count');
  const v4Count = head.u32('v4 key count');
  const v6Count = head.u32('v6 key count');
  const lowCount = head.u32('v6 low count');
  const payloadAsnCount = head.u32('ASN count');
  const sectionNames = [
    'v4 keys',
    'v4 values',
    'v6 keys',
    'v6 values',
    'v6 low bits',
    'ASNs',
    'names',
  ];
  const lengths = sectionNames.map((n) => head.u32(`${n} length`));
  let at = head.pos;
  const readers = lengths.map((len, i) => {
    const reader = new ByteReader(raw, at, at + len);
    at += len;
    if (at > raw.length) throw new TableFormatError(`truncated payload in ${sectionNames[i]}`);
    return reader;
  });
  if (at !== raw.length) throw new TableFormatError('payload has bytes after its sections');
  const [rK4, rV4, rK6, rV6, rLow, rAsn, rNames] = readers as [
    ByteReader,
    ByteReader,
    ByteReader,
    ByteReader,
    ByteReader,
    ByteReader,
    ByteReader,
  ];
  if (v4Count < 1 || v6Count < 1) throw new TableFormatError('a family has no boundaries');

  const v4Keys = readV4Keys(rK4, v4Count);
  if (v4Keys[0] !== 0) throw new TableFormatError('v4 keys must start at 0');
  expectEnd(rK4, 'v4 keys');
  const firstSeen = { next: 1, routed: 0 };
  const v4Values = readValues(rV4, v4Count, firstSeen, pairCount, 'v4 values');
  const v4Ranges = firstSeen.routed;
  expectEnd(rV4, 'v4 values');

  const [v6KeysHigh, v6KeysMid] = readV6Keys(rK6, v6Count);
  expectEnd(rK6, 'v6 keys');
  if (v6KeysHigh[0] !== 0 || v6KeysMid[0] !== 0)
    throw new TableFormatError('v6 keys must start at 0');
  const v6Values = readValues(rV6, v6Count, firstSeen, pairCount, 'v6 values');
  const v6Ranges = firstSeen.routed;
  expectEnd(rV6, 'v6 values');
  if (firstSeen.next !== pairCount + 1) {
    throw new TableFormatError(`${pairCount} pairs declared, ${firstSeen.next - 1} used`);
  }
  const v6LowIndex = new Uint32Array(lowCount);
  const v6LowWords = new Uint32Array(lowCount * 2);
  let index = 0;
  for (let i = 0; i < lowCount; i++) {
    index += rLow.varint('v6 low bits');
    if (index >= v6Count || (i > 0 && index === v6LowIndex[i - 1])) {
      throw new TableFormatError('v6 low-bit index out of order');
    }
    v6LowIndex[i] = index;
    const w2 = rLow.varint('v6 low bits');
    const w3 = rLow.varint('v6 low bits');
    if (w2 > 0xffffffff || w3 > 0xffffffff) throw new TableFormatError('v6 low bits out of range');
    v6LowWords[2 * i] = w2;
    v6LowWords[2 * i + 1] = w3;
  }
  expectEnd(rLow, 'v6 low bits');

  const pairAsns = readAsns(rAsn, pairCount);
  expectEnd(rAsn, 'ASNs');

  const names = rNames.bytes(rNames.end - rNames.pos, 'names').slice();
  const nameStarts = splitNames(names, pairCount);

  if (v4Ranges !== meta.v4Ranges || v6Ranges !== meta.v6Ranges) {
    throw new TableFormatError(
      `header counts (${meta.v4Ranges} v4, ${meta.v6Ranges} v6) do not match the payload (${v4Ranges}, ${v6Ranges})`,
    );
  }
  // The payload's own ASN count is covered by the checksum; the header copy must agree with it.
  if (payloadAsnCount !== meta.asnCount) {
    throw new TableFormatError('header ASN count does not match the payload');
  }
  const columns: TableColumns = {
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
  };
  try {
    checkV6Order(columns);
  } catch {
    throw new TableFormatError('v6 keys are not increasing');
  }
  return columns;
}

/**
 * Decodes a table file: checks magic, version, length and the SHA-256 of the payload, inflates it
 * and checks every count. Throws TableFormatError (or the codec's error, wrapped) on any problem;
 * never returns a partly decoded table.
 */
export async function decodeTable(file: Uint8Array, codec: TableCodec): Promise<PrefixTable> {
  const header = readHeader(file);
  const payload = file.subarray(header.payloadStart, header.payloadStart + header.payloadLength);
  const digest = toHex(await codec.sha256(payload));
  if (digest !== header.meta.payloadSha256) {
    throw new TableFormatError('checksum mismatch: the table payload is corrupt');
  }
  let raw: Uint8Array;
  try {
    raw = await codec.inflateRaw(payload);
  } catch (error) {
    throw new TableFormatError(`cannot inflate the payload: ${(error as Error).message}`);
  }
  if (raw.length !== header.rawLength) {
    throw new TableFormatError(
      `inflated payload is ${raw.length} bytes, expected ${header.rawLength}`,
    );
  }
  return tableFromColumns(decodePayload(raw, header.meta), { validated: true });
}
