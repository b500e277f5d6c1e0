import {
  partsOf,
  tableFromColumns,
  tableFromParts,
  type KeptColumns,
  type TableIndexes,
} from './table';
import { TableFormatError, type PrefixTable, type TableMeta } from './types';

// A table image is a decoded table as one buffer: the columns it keeps and its lookup indexes, each
// 8-byte aligned, after a JSON header that names them. It is what IndexedDB stores (as a Blob):
// a restarted worker reads one blob and makes typed-array views into it, with no structured clone
// of a dozen arrays, no rebuilt indexes and no copy. Layout:
//   bytes 0..3   "CFTI"
//   bytes 4..7   image version, u32 little-endian
//   bytes 8..11  header length H, u32 little-endian
//   bytes 12..   header: UTF-8 JSON { meta, arrays: [[name, "u32" | "u16" | "u8", byteOffset, length], …] }
//   then the arrays at their byte offsets (from the start of the image), in the order listed.
// The arrays are in the platform's byte order (typed-array views): an image is read back only on
// the machine that wrote it. The image checksum (`imageChecksum`) covers every byte, header too.

const IMAGE_MAGIC = [0x43, 0x46, 0x54, 0x49] as const; // "CFTI"
/**
 * Bumped whenever the image layout changes. Version 2 (until 2026-12: 32-bit values and 16-bit
 * v4 keys apart) is still read, and checked like any older release's columns, so a table stored
 * before an upgrade (a downloaded one too) is kept; older versions are refused (and re-imported).
 */
export const TABLE_IMAGE_VERSION = 3;
const READABLE_OLDER_VERSION = 2;

/** The arrays of an image: the kept columns (not the 32-bit v4 keys and values), then the indexes. */
const COLUMN_ARRAYS = [
  'v6KeysHigh',
  'v6KeysMid',
  'v6LowIndex',
  'v6LowWords',
  'pairAsns',
  'names',
  'nameStarts',
  'dupPairs',
  'dupTargets',
] as const satisfies readonly Exclude<keyof KeptColumns, 'meta'>[];
const INDEX_ARRAYS = [
  'v4Index',
  'v4Entries',
  'v4ValueHigh',
  'v6ValueLow',
  'v6ValueHigh',
  'v6Summary',
] as const satisfies readonly (keyof TableIndexes)[];

type AnyArray = Uint32Array | Uint16Array | Uint8Array;
const KINDS = { u32: 4, u16: 2, u8: 1 } as const;
type Kind = keyof typeof KINDS;
const kindOf = (array: AnyArray): Kind =>
  array instanceof Uint32Array ? 'u32' : array instanceof Uint16Array ? 'u16' : 'u8';

/** Arrays of a version 2 image that version 3 keeps in other forms. */
type Version2Array = 'v4Values' | 'v6Values' | 'v4LowKeys';

type ArrayName = (typeof COLUMN_ARRAYS)[number] | (typeof INDEX_ARRAYS)[number] | Version2Array;
type ArrayEntry = [name: ArrayName, kind: Kind, byteOffset: number, length: number];

interface ImageHeader {
  meta: TableMeta;
  arrays: ArrayEntry[];
}

/** Arithmetic, not bitwise: the header is first measured with offsets beyond 2^31. */
const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** The image of a table built by lib/prefix-table (its columns and its lookup indexes). */
export function tableImage(table: PrefixTable): Uint8Array<ArrayBuffer> {
  const parts = partsOf(table);
  if (!parts) throw new TypeError('not a table built by lib/prefix-table');
  const { columns, indexes } = parts;
  const sources: [ArrayName, AnyArray][] = [
    ...COLUMN_ARRAYS.map((name) => [name, columns[name]] as [ArrayName, AnyArray]),
    ...INDEX_ARRAYS.map((name) => [name, indexes[name]] as [ArrayName, AnyArray]),
  ];
  // The header's size depends on the offsets, which depend on the header's size: lay the arrays
  // out after a header measured with offsets as wide as they can get, then pad the real one.
  const entries = (start: number): ArrayEntry[] => {
    let at = start;
    return sources.map(([name, array]) => {
      const entry: ArrayEntry = [name, kindOf(array), at, array.length];
      at = align8(at + array.byteLength);
      return entry;
    });
  };
  const encoder = new TextEncoder();
  const widest = encoder.encode(
    JSON.stringify({ meta: columns.meta, arrays: entries(0xffffffff) } satisfies ImageHeader),
  );
  const dataStart = align8(12 + widest.length);
  const arrays = entries(dataStart);
  const header = encoder.encode(
    JSON.stringify({ meta: columns.meta, arrays } satisfies ImageHeader),
  );
  const last = arrays[arrays.length - 1]!;
  const total = align8(last[2] + last[3] * KINDS[last[1]]);
  const image = new Uint8Array(total);
  image.set(IMAGE_MAGIC, 0);
  const view = new DataView(image.buffer);
  view.setUint32(4, TABLE_IMAGE_VERSION, true);
  view.setUint32(8, header.length, true);
  image.set(header, 12);
  image.fill(0x20, 12 + header.length, dataStart); // JSON whitespace: the header parses alike
  for (let k = 0; k < sources.length; k++) {
    const array = sources[k]![1];
    image.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), arrays[k]![2]);
  }
  return image;
}

/** The layout version of an image (`TABLE_IMAGE_VERSION` for one this release writes), or 0. */
export function imageVersionOf(image: Uint8Array): number {
  if (image.length < 12 || IMAGE_MAGIC.some((b, i) => image[i] !== b)) return 0;
  return new DataView(image.buffer, image.byteOffset, 12).getUint32(4, true);
}

function fail(message: string): never {
  throw new TableFormatError(`table image: ${message}`);
}

/**
 * The table of an image written by `tableImage`, as views into `image` (not copied; keep it
 * unchanged). Checks the layout (magic, version, every array in bounds and aligned, the right
 * lengths) but trusts the contents: call only on an image whose `imageChecksum` matched the one
 * taken when it was written, since only validated tables are imaged. Throws TableFormatError.
 */
export function tableFromImage(image: Uint8Array): PrefixTable {
  if (image.length < 12 || IMAGE_MAGIC.some((b, i) => image[i] !== b)) fail('bad magic');
  if (image.byteOffset % 8 !== 0) fail('misaligned buffer');
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const version = view.getUint32(4, true);
  if (version !== TABLE_IMAGE_VERSION && version !== READABLE_OLDER_VERSION) {
    fail(`version ${version}, expected ${TABLE_IMAGE_VERSION}`);
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > image.length) fail('truncated header');
  let header: ImageHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(image.subarray(12, 12 + headerLength)),
    ) as ImageHeader;
  } catch {
    fail('unreadable header');
  }
  const arrays = new Map<ArrayName, AnyArray>();
  for (const entry of Array.isArray(header.arrays) ? header.arrays : []) {
    const [name, kind, offset, length] = entry;
    const width = KINDS[kind] as number | undefined;
    if (
      width === undefined ||
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      offset < 12 + headerLength ||
      offset % 8 !== 0 ||
      length < 0 ||
      offset + length * width > image.length
    ) {
      fail(`array ${String(name)} out of bounds`);
    }
    const at = image.byteOffset + offset;
    arrays.set(
      name,
      kind === 'u32'
        ? new Uint32Array(image.buffer, at, length)
        : kind === 'u16'
          ? new Uint16Array(image.buffer, at, length)
          : new Uint8Array(image.buffer, at, length),
    );
  }
  const u32 = (name: ArrayName): Uint32Array => {
    const array = arrays.get(name);
    if (!(array instanceof Uint32Array)) fail(`${name} is missing`);
    return array;
  };
  const u16 = (name: ArrayName): Uint16Array => {
    const array = arrays.get(name);
    if (!(array instanceof Uint16Array)) fail(`${name} is missing`);
    return array;
  };
  const u8 = (name: ArrayName): Uint8Array => {
    const array = arrays.get(name);
    if (!(array instanceof Uint8Array)) fail(`${name} is missing`);
    return array;
  };
  const columns: KeptColumns = {
    meta: header.meta,
    v6KeysHigh: u32('v6KeysHigh'),
    v6KeysMid: u32('v6KeysMid'),
    v6LowIndex: u32('v6LowIndex'),
    v6LowWords: u32('v6LowWords'),
    pairAsns: u32('pairAsns'),
    names: u8('names'),
    nameStarts: u32('nameStarts'),
    dupPairs: u32('dupPairs'),
    dupTargets: u32('dupTargets'),
  };
  if (version === READABLE_OLDER_VERSION) {
    // The 32-bit columns, rebuilt and checked: a table is only as trusted as the release that reads it.
    const v4Index = u32('v4Index');
    const v4LowKeys = u16('v4LowKeys');
    const v4Keys = new Uint32Array(v4LowKeys.length);
    for (let b = 0; b < 65536; b++) {
      const end = Math.min(v4Index[2 * b + 2]!, v4Keys.length);
      for (let i = v4Index[2 * b]!; i < end; i++) v4Keys[i] = ((b << 16) | v4LowKeys[i]!) >>> 0;
    }
    return tableFromColumns({
      ...columns,
      v4Keys,
      v4Values: u32('v4Values'),
      v6Values: u32('v6Values'),
    });
  }
  const indexes: TableIndexes = {
    v4Index: u32('v4Index'),
    v4Entries: u32('v4Entries'),
    v4ValueHigh: u8('v4ValueHigh'),
    v6ValueLow: u16('v6ValueLow'),
    v6ValueHigh: u8('v6ValueHigh'),
    v6Summary: u32('v6Summary'),
  };
  return tableFromParts(columns, indexes);
}
