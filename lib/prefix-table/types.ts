import type { AddressScope, IpAddress } from '../ip/types';

/** The header of a table file: what it is and where its data came from. */
export interface TableMeta {
  formatVersion: number;
  /** Upstream data set, e.g. "@ip-location-db/asn". */
  source: string;
  /** Upstream version or date, e.g. "2.3.2026061719". */
  sourceVersion: string;
  /** The input files, by name. */
  builtFrom: string;
  v4Ranges: number;
  v6Ranges: number;
  /** Distinct AS numbers over both families. */
  asnCount: number;
  /** SHA-256 of the whole file except this field (every header field and the payload), lowercase hex. */
  sha256: string;
}

export type LookupResult =
  /** A range covers the address; the range is inclusive, as formatted addresses. */
  | { kind: 'routed'; asn: number; org: string; rangeStart: string; rangeEnd: string }
  /** A public address that no range covers. */
  | { kind: 'unrouted' }
  /** A special-purpose address: never looked up. */
  | { kind: 'local'; scope: AddressScope }
  | { kind: 'invalid'; reason: string };

/**
 * The decoded table in plain typed arrays: structured-cloneable, so it can be stored in IndexedDB
 * and turned back into a table by `tableFromColumns` without decompressing again. Layout is
 * described in lib/prefix-table/format.md ("In memory").
 */
export interface TableColumns {
  meta: TableMeta;
  /** IPv4 boundaries, strictly increasing, first is 0. */
  v4Keys: Uint32Array;
  /** Value from v4Keys[i] up to the next boundary: 0 = no range, else a pair id (1-based). */
  v4Values: Uint32Array;
  /** IPv6 boundaries: bits 127..96 and 95..64 (the low 64 bits are in v6LowIndex/v6LowWords). */
  v6KeysHigh: Uint32Array;
  v6KeysMid: Uint32Array;
  v6Values: Uint32Array;
  /** Sorted indexes into the v6 keys whose low 64 bits are not zero (rare: off the /64 grid). */
  v6LowIndex: Uint32Array;
  /** Two words (bits 63..32, 31..0) per v6LowIndex entry. */
  v6LowWords: Uint32Array;
  /** AS number of pair id i at index i (index 0 unused). */
  pairAsns: Uint32Array;
  /** The distinct organisation names, UTF-8, in order of their first pair, '\n'-separated. */
  names: Uint8Array;
  /** Distinct name k is names[nameStarts[k] .. nameStarts[k + 1] - 1); length distinct + 1. */
  nameStarts: Uint32Array;
  /** Sorted ids of the pairs whose name an earlier pair already has (one org, several ASNs). */
  dupPairs: Uint32Array;
  /** For each dupPairs entry, the earlier pair with that name (itself not a duplicate). */
  dupTargets: Uint32Array;
}

/** A queryable routing table. `lookup` and `lookupAddress` never throw. */
export interface PrefixTable {
  readonly meta: TableMeta;
  /** Parses the text and looks it up: invalid text gives 'invalid', special ranges 'local'. */
  lookup(text: string): LookupResult;
  lookupAddress(address: IpAddress): LookupResult;
  /** The typed arrays behind the table (shared, not copied). */
  toColumns(): TableColumns;
}

/** The environment-specific pieces the decoder needs. */
export interface TableCodec {
  /** Inflates one deflate-raw stream; `rawLength` (from the file) lets it size the output once. */
  inflateRaw(bytes: Uint8Array, rawLength?: number): Uint8Array | Promise<Uint8Array>;
  sha256(bytes: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** What the encoder needs: a deflate-raw compressor and SHA-256. */
export interface TableEncoderCodec {
  deflateRaw(bytes: Uint8Array): Uint8Array;
  sha256(bytes: Uint8Array): Uint8Array;
}

/** A table file that cannot be used: wrong magic or version, truncated, corrupt, inconsistent. */
export class TableFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableFormatError';
  }
}

/** "CFPT": CarrierFlag Prefix Table. */
export const TABLE_MAGIC = [0x43, 0x46, 0x50, 0x54] as const;
/** Bumped whenever the byte layout changes; decoders refuse other versions. */
export const TABLE_FORMAT_VERSION = 4;
/** Value of a v4/v6 entry: no range covers these addresses. */
export const GAP = 0;
/** MTF window for the value columns (see format.md). */
export const MTF_WINDOW = 16;
/** Value symbol: the next pair id never seen before. */
export const SYMBOL_NEW = MTF_WINDOW;
/** Value symbol: a pair id given in the explicit-id planes. */
export const SYMBOL_EXPLICIT = MTF_WINDOW + 1;
/** Value symbols SYMBOL_COMMON + k: common id k of the family's list (see format.md). */
export const SYMBOL_COMMON = MTF_WINDOW + 2;
/** At most this many common ids per family: their symbols must fit in a byte. */
export const MAX_COMMON_IDS = 256 - SYMBOL_COMMON;
/** Explicit ids are three byte planes wide. */
export const MAX_PAIRS = 0xffffff;
/** The payload's parts, each its own deflate-raw stream, in file order (see format.md). */
export const PAYLOAD_PARTS = [
  'counts',
  'v4 keys',
  'v4 symbols',
  'v4 explicit ids',
  'v6 keys',
  'v6 symbols',
  'v6 explicit ids',
  'v6 low bits',
  'ASNs',
  'duplicate names',
  'names',
] as const;
