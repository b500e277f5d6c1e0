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
  firstSeen: { next: number },
  pairCount: number,
  what: string,
): Uint32Array {
  const out = new Uint32Array(count);
  const recent = new Int32Array(MTF_WINDOW).fill(-1);
  const buf = r.buf;
  const end = r.end;
  let pos = r.pos;
  let next = firstSeen.next;
  let prev = -1;
  for (let i = 0; i < count; i++) {
    // Inline LEB128: symbols are below 2^21 in practice; longer ones are checked.
    if (pos >= end) throw new TableFormatError(`truncated while reading ${what}`);
    let sym = buf[pos++]!;
    if (sym >= 128) {
      sym &= 127;
      let shift = 7;
      for (;;) {
        if (pos >= end) throw new TableFormatError(`truncated while reading ${what}`);
        const b = buf[pos++]!;
        sym += (b & 127) * 2 ** shift;
        if (b < 128) break;
        shift += 7;
        if (shift > 42) throw new TableFormatError(`varint too long in ${what}`);
      }
    }
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
  }
  r.pos = pos;
  firstSeen.next = next;
  return out;
}

/** Distinct values, by sorting a copy (a Set of 90k numbers is several times slower). */
function countDistinct(values: Uint32Array): number {
  const sorted = values.slice().sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
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

  const v4Keys = new Uint32Array(v4Count);
  {
    const buf = rK4.buf;
    const end = rK4.end;
    let pos = rK4.pos;
    let key = 0;
    for (let i = 0; i < v4Count; i++) {
      if (pos >= end) throw new TableFormatError('truncated while reading v4 keys');
      let x = buf[pos++]!;
      if (x >= 128) {
        x &= 127;
        let scale = 128;
        for (;;) {
          if (pos >= end) throw new TableFormatError('truncated while reading v4 keys');
          const b = buf[pos++]!;
          x += (b & 127) * scale;
          if (b < 128) break;
          scale *= 128;
          if (scale > 2 ** 35) throw new TableFormatError('varint too long in v4 keys');
        }
      }
      const d = (x & 1) === 0 ? x * 128 : (x - 1) / 2;
      if (i > 0 && d === 0) throw new TableFormatError('v4 keys are not increasing');
      key += d;
      if (key > 0xffffffff) throw new TableFormatError('v4 key beyond 255.255.255.255');
      v4Keys[i] = key;
    }
    rK4.pos = pos;
  }
  if (v4Keys[0] !== 0) throw new TableFormatError('v4 keys must start at 0');
  expectEnd(rK4, 'v4 keys');
  const firstSeen = { next: 1 };
  const v4Values = readValues(rV4, v4Count, firstSeen, pairCount, 'v4 values');
  expectEnd(rV4, 'v4 values');

  const v6KeysHigh = new Uint32Array(v6Count);
  const v6KeysMid = new Uint32Array(v6Count);
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < v6Count; i++) {
    const x = rK6.varint('v6 keys');
    let dHi: number;
    let dLo: number;
    if (x % 2 === 0) {
      const q = x / 2; // delta / 65536, < 2^48
      dHi = Math.floor(q / 65536);
      dLo = (q % 65536) * 65536;
    } else {
      dHi = (x - 1) / 2;
      dLo = rK6.varint('v6 keys');
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
  expectEnd(rK6, 'v6 keys');
  if (v6KeysHigh[0] !== 0 || v6KeysMid[0] !== 0)
    throw new TableFormatError('v6 keys must start at 0');
  const v6Values = readValues(rV6, v6Count, firstSeen, pairCount, 'v6 values');
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

  const pairAsns = new Uint32Array(pairCount + 1);
  let asn = 0;
  for (let i = 1; i <= pairCount; i++) {
    const z = rAsn.varint('ASNs');
    asn += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (asn < 1 || asn > 0xffffffff) throw new TableFormatError('AS number out of range');
    pairAsns[i] = asn;
  }
  expectEnd(rAsn, 'ASNs');

  const names = rNames.bytes(rNames.end - rNames.pos, 'names').slice();
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

  let v4Ranges = 0;
  for (let i = 0; i < v4Count; i++) if (v4Values[i] !== GAP) v4Ranges++;
  let v6Ranges = 0;
  for (let i = 0; i < v6Count; i++) if (v6Values[i] !== GAP) v6Ranges++;
  if (v4Ranges !== meta.v4Ranges || v6Ranges !== meta.v6Ranges) {
    throw new TableFormatError(
      `header counts (${meta.v4Ranges} v4, ${meta.v6Ranges} v6) do not match the payload (${v4Ranges}, ${v6Ranges})`,
    );
  }
  if (countDistinct(pairAsns.subarray(1)) !== meta.asnCount) {
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
