import { readGeoLite2AsnCsv } from './geolite2-asn';
import { readIpLocationDbCsv } from './ip-location-db';
import { readIptoasnTsv } from './iptoasn';
import { readPfx2as } from './pfx2as';
import type { ReadOptions, SourceKind, SourceReadResult } from './types';

export * from './types';
export { normalizeRanges } from './normalize';
export type { NormalizeOptions, NormalizeResult } from './normalize';
export { addressToBigInt, bigIntToAddress } from './bigint';
export { readGeoLite2AsnCsv, readIpLocationDbCsv, readIptoasnTsv, readPfx2as };

/** Reads one file of the given format. Never throws: every problem is in the result. */
export function readSource(kind: SourceKind, text: string, options: ReadOptions): SourceReadResult {
  switch (kind) {
    case 'ip-location-db':
      return readIpLocationDbCsv(text, options);
    case 'iptoasn':
      return readIptoasnTsv(text, options);
    case 'pfx2as':
      return readPfx2as(text, options);
    case 'geolite2-asn':
      return readGeoLite2AsnCsv(text, options);
  }
}

/** Whether overlaps in this format are upstream errors (reported) or normal nesting (silent). */
export function overlapsAreErrors(kind: SourceKind): boolean {
  return kind !== 'pfx2as';
}

export type DecodeSourceResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * File bytes to text: gunzips when the bytes start with the gzip magic (the decompressor is passed
 * in, so this stays environment-free), then decodes strict UTF-8 without a BOM.
 */
export function decodeSourceBytes(
  bytes: Uint8Array,
  gunzip?: (compressed: Uint8Array) => Uint8Array,
): DecodeSourceResult {
  let data = bytes;
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    if (gunzip === undefined) return { ok: false, reason: 'gzip input, but no gunzip was given' };
    try {
      data = gunzip(data);
    } catch (error) {
      return { ok: false, reason: `cannot gunzip: ${(error as Error).message}` };
    }
  }
  try {
    return {
      ok: true,
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data),
    };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}
