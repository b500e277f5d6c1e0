// A minimal MaxMind DB (MMDB v2) writer for ASN data, so the benchmark can compare our table with
// the `maxmind` reader on exactly the same ranges: no ASN MMDB is published on the npm registry.
//
// Layout written (spec: https://maxmind.github.io/MaxMind-DB/):
//   search tree   node_count nodes, each two records (left = bit 0, right = bit 1) of 24/28/32 bits.
//                 A record < node_count points to a node, == node_count means "no data", and
//                 > node_count points into the data section at (record - node_count - 16).
//   16 zero bytes data section separator
//   data section  the two key strings once, then one map per distinct (asn, org):
//                 { autonomous_system_number: uint32, autonomous_system_organization: utf8 },
//                 whose keys are pointers to the shared key strings (as MaxMind's own writer does).
//   metadata      "\xAB\xCD\xEFMaxMind.com" then a map (node_count, record_size, ip_version 6, ...).
// IPv4 ranges live under ::/96 (96 zero bits, then the 32 bits of the v4 address), which is where
// the reader's ipv4Start walk looks for them.

/** One inclusive address range with its origin AS; `first`/`last` are the address as an integer. */
export interface MmdbAsnRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
  readonly asn: number;
  readonly org: string;
}

export interface MmdbWriteOptions {
  /** Bits per record; by default the smallest of 24, 28, 32 that can address the file. */
  readonly recordSize?: 24 | 28 | 32;
  readonly databaseType?: string;
  readonly description?: string;
  /** Seconds since the epoch; fixed by default so the same input gives the same bytes. */
  readonly buildEpoch?: number;
}

/** Why the input could not be written; thrown by writeAsnMmdb. */
export class MmdbWriteError extends Error {
  override readonly name = 'MmdbWriteError';
}

const KEY_ASN = 'autonomous_system_number';
const KEY_ORG = 'autonomous_system_organization';
const METADATA_MARKER = [0xab, 0xcd, 0xef, ...new TextEncoder().encode('MaxMind.com')];
const DATA_SEPARATOR_SIZE = 16;
const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;
const MAX_ASN = 0xffffffff;

// MMDB data types (the control byte's top three bits; >7 are "extended" types).
const TYPE_POINTER = 1;
const TYPE_UTF8 = 2;
const TYPE_UINT16 = 5;
const TYPE_UINT32 = 6;
const TYPE_MAP = 7;
const TYPE_UINT64 = 9;
const TYPE_ARRAY = 11;

/** A growable byte buffer. */
class ByteSink {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  push(...values: number[]): void {
    this.reserve(values.length);
    for (const v of values) this.bytes[this.length++] = v;
  }

  append(chunk: Uint8Array): void {
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

/** Control byte(s) for a type and payload size (spec: "Data Field Format"). */
function writeControl(out: ByteSink, type: number, size: number): void {
  const typeBits = type > 7 ? 0 : type << 5;
  const extended = type > 7 ? [type - 7] : [];
  if (size < 29) {
    out.push(typeBits | size, ...extended);
  } else if (size < 285) {
    out.push(typeBits | 29, ...extended, size - 29);
  } else if (size < 65_821) {
    const s = size - 285;
    out.push(typeBits | 30, ...extended, s >>> 8, s & 0xff);
  } else if (size < 16_843_037) {
    const s = size - 65_821;
    out.push(typeBits | 31, ...extended, s >>> 16, (s >>> 8) & 0xff, s & 0xff);
  } else {
    throw new MmdbWriteError(`field of ${size} bytes is too large for MMDB`);
  }
}

function writeUtf8(out: ByteSink, text: string): void {
  const bytes = utf8.encode(text);
  writeControl(out, TYPE_UTF8, bytes.length);
  out.append(bytes);
}

/** Unsigned integer, big-endian, leading zero bytes dropped as the spec allows. */
function writeUint(out: ByteSink, type: number, value: bigint): void {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  writeControl(out, type, bytes.length);
  out.push(...bytes);
}

/** Pointer to an offset in the data section; the smallest of the four encodings. */
function writePointer(out: ByteSink, offset: number): void {
  const p = TYPE_POINTER << 5;
  if (offset < 2048) {
    out.push(p | (offset >>> 8), offset & 0xff);
  } else if (offset < 526_336) {
    const v = offset - 2048;
    out.push(p | (1 << 3) | (v >>> 16), (v >>> 8) & 0xff, v & 0xff);
  } else if (offset < 134_744_064) {
    const v = offset - 526_336;
    out.push(p | (2 << 3) | (v >>> 24), (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  } else {
    out.push(
      p | (3 << 3),
      offset >>> 24,
      (offset >>> 16) & 0xff,
      (offset >>> 8) & 0xff,
      offset & 0xff,
    );
  }
}

/**
 * Binary trie over 128-bit keys. Children live in two Int32Arrays; a slot holds 0 for "empty"
 * (the root is never anyone's child), n > 0 for node n, or -(k + 1) for data record k.
 */
class Trie {
  left = new Int32Array(1 << 16);
  right = new Int32Array(1 << 16);
  count = 1;
  /** Node reached by 96 left steps from the root, created on first use (the v4 subtree). */
  private v4Root = -1;

  private newNode(): number {
    if (this.count === this.left.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const next = new Int32Array(a.length * 2);
        next.set(a);
        return next;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    return this.count++;
  }

  /** Creates (or follows) the path of `bits` bits of `key`, starting at bit `from` of node `node`. */
  private descend(
    node: number,
    key: bigint,
    from: number,
    to: number,
    describe: () => string,
  ): number {
    for (let depth = from; depth < to; depth++) {
      const right = ((key >> BigInt(127 - depth)) & 1n) === 1n;
      const child = (right ? this.right : this.left)[node]!;
      if (child < 0) throw new MmdbWriteError(`${describe()} overlaps an earlier range`);
      if (child === 0) {
        // newNode may reallocate the arrays: pick the side only after it returns.
        const created = this.newNode();
        (right ? this.right : this.left)[node] = created;
        node = created;
      } else {
        node = child;
      }
    }
    return node;
  }

  /** Sets the record for prefix `key`/`prefixLength` (128-bit key space) to data record `data`. */
  insert(
    key: bigint,
    prefixLength: number,
    data: number,
    v4: boolean,
    describe: () => string,
  ): void {
    let node = 0;
    let depth = 0;
    if (v4) {
      if (this.v4Root < 0) this.v4Root = this.descend(0, 0n, 0, 96, describe);
      node = this.v4Root;
      depth = 96;
    }
    if (prefixLength === 0) throw new MmdbWriteError(`${describe()} would cover the whole tree`);
    node = this.descend(node, key, depth, prefixLength - 1, describe);
    const bit = (key >> BigInt(128 - prefixLength)) & 1n;
    const side = bit === 0n ? this.left : this.right;
    if (side[node] !== 0) throw new MmdbWriteError(`${describe()} overlaps an earlier range`);
    side[node] = -(data + 1);
  }
}

/** Splits an inclusive range into the minimal list of aligned CIDR blocks, as [base, length]. */
export function rangeToCidrs(first: bigint, last: bigint, bits: number): Array<[bigint, number]> {
  const out: Array<[bigint, number]> = [];
  let start = first;
  while (start <= last) {
    // Largest block aligned at `start` that does not pass `last`.
    let size = bits;
    while (size > 0) {
      const block = 1n << BigInt(bits - size + 1);
      if (start % block !== 0n || start + block - 1n > last) break;
      size--;
    }
    out.push([start, size]);
    start += 1n << BigInt(bits - size);
  }
  return out;
}

function describeRange(r: MmdbAsnRange): string {
  return `IPv${r.family} range ${r.first}-${r.last} (AS${r.asn})`;
}

/**
 * Writes an MMDB v2 file (ip_version 6, IPv4 under ::/96) mapping each range to
 * { autonomous_system_number, autonomous_system_organization }, in the GeoLite2-ASN field names.
 * Throws MmdbWriteError on an invalid or overlapping range, or if the file would not fit 32-bit records.
 */
export function writeAsnMmdb(
  ranges: Iterable<MmdbAsnRange>,
  options: MmdbWriteOptions = {},
): Uint8Array {
  const data = new ByteSink();
  const keyAsnOffset = data.length;
  writeUtf8(data, KEY_ASN);
  const keyOrgOffset = data.length;
  writeUtf8(data, KEY_ORG);

  // Distinct (asn, org) records; each range points at one of them.
  const recordIndex = new Map<string, number>();
  const recordOffsets: number[] = [];
  const trie = new Trie();

  for (const r of ranges) {
    const max = r.family === 4 ? V4_MAX : V6_MAX;
    if (r.first < 0n || r.last > max || r.first > r.last) {
      throw new MmdbWriteError(`${describeRange(r)} is not a valid IPv${r.family} range`);
    }
    if (!Number.isInteger(r.asn) || r.asn < 0 || r.asn > MAX_ASN) {
      throw new MmdbWriteError(`${describeRange(r)} has an ASN outside uint32`);
    }
    const recordKey = `${r.asn}\n${r.org}`;
    let record = recordIndex.get(recordKey);
    if (record === undefined) {
      record = recordOffsets.length;
      recordIndex.set(recordKey, record);
      recordOffsets.push(data.length);
      writeControl(data, TYPE_MAP, 2);
      writePointer(data, keyAsnOffset);
      writeUint(data, TYPE_UINT32, BigInt(r.asn));
      writePointer(data, keyOrgOffset);
      writeUtf8(data, r.org);
    }
    const bits = r.family === 4 ? 32 : 128;
    for (const [base, length] of rangeToCidrs(r.first, r.last, bits)) {
      // v4 keys sit in the low 32 bits of the 128-bit key, under the ::/96 subtree.
      const prefix = r.family === 4 ? length + 96 : length;
      trie.insert(base, prefix, record, r.family === 4, () => describeRange(r));
    }
  }

  const nodeCount = trie.count;
  const maxRecord = nodeCount + DATA_SEPARATOR_SIZE + data.length;
  const recordSize =
    options.recordSize ?? (maxRecord < 2 ** 24 ? 24 : maxRecord < 2 ** 28 ? 28 : 32);
  if (maxRecord >= 2 ** recordSize) {
    throw new MmdbWriteError(`${recordSize}-bit records cannot address ${maxRecord} values`);
  }

  const nodeBytes = recordSize / 4;
  const tree = new Uint8Array(nodeCount * nodeBytes);
  const view = new DataView(tree.buffer);
  const resolve = (slot: number): number =>
    slot === 0
      ? nodeCount
      : slot > 0
        ? slot
        : nodeCount + DATA_SEPARATOR_SIZE + recordOffsets[-slot - 1]!;
  for (let n = 0; n < nodeCount; n++) {
    const l = resolve(trie.left[n]!);
    const r = resolve(trie.right[n]!);
    const at = n * nodeBytes;
    if (recordSize === 24) {
      tree[at] = l >>> 16;
      tree[at + 1] = (l >>> 8) & 0xff;
      tree[at + 2] = l & 0xff;
      tree[at + 3] = r >>> 16;
      tree[at + 4] = (r >>> 8) & 0xff;
      tree[at + 5] = r & 0xff;
    } else if (recordSize === 28) {
      // The middle byte carries the top nibble of each record: left in the high half.
      tree[at] = (l >>> 16) & 0xff;
      tree[at + 1] = (l >>> 8) & 0xff;
      tree[at + 2] = l & 0xff;
      tree[at + 3] = ((l >>> 24) << 4) | (r >>> 24);
      tree[at + 4] = (r >>> 16) & 0xff;
      tree[at + 5] = (r >>> 8) & 0xff;
      tree[at + 6] = r & 0xff;
    } else {
      view.setUint32(at, l);
      view.setUint32(at + 4, r);
    }
  }

  const meta = new ByteSink();
  meta.push(...METADATA_MARKER);
  writeControl(meta, TYPE_MAP, 9);
  writeUtf8(meta, 'binary_format_major_version');
  writeUint(meta, TYPE_UINT16, 2n);
  writeUtf8(meta, 'binary_format_minor_version');
  writeUint(meta, TYPE_UINT16, 0n);
  writeUtf8(meta, 'build_epoch');
  writeUint(meta, TYPE_UINT64, BigInt(options.buildEpoch ?? 0));
  writeUtf8(meta, 'database_type');
  writeUtf8(meta, options.databaseType ?? 'CarrierFlag-Bench-ASN');
  writeUtf8(meta, 'description');
  writeControl(meta, TYPE_MAP, 1);
  writeUtf8(meta, 'en');
  writeUtf8(meta, options.description ?? 'ASN ranges written by bench/mmdb-writer.ts');
  writeUtf8(meta, 'ip_version');
  writeUint(meta, TYPE_UINT16, 6n);
  writeUtf8(meta, 'languages');
  writeControl(meta, TYPE_ARRAY, 1);
  writeUtf8(meta, 'en');
  writeUtf8(meta, 'node_count');
  writeUint(meta, TYPE_UINT32, BigInt(nodeCount));
  writeUtf8(meta, 'record_size');
  writeUint(meta, TYPE_UINT16, BigInt(recordSize));

  const out = new ByteSink();
  out.append(tree);
  out.append(new Uint8Array(DATA_SEPARATOR_SIZE));
  out.append(data.toBytes());
  out.append(meta.toBytes());
  return out.toBytes();
}
