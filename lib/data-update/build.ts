import {
  decodeTable,
  encodeTable,
  type EncodeMeta,
  type PrefixTable,
  type TableCodec,
} from '../prefix-table';
import { checksummedBytes, CHECKSUM_LENGTH, checksumOffset } from '../prefix-table/encode';
import type { RoutedRange } from '../sources';

/** Largest payload of one stored deflate block (RFC 1951 §3.2.4: LEN is 16 bits). */
const STORED_BLOCK_MAX = 0xffff;

/**
 * A valid deflate-raw stream of stored (uncompressed) blocks. The table built in the worker never
 * leaves memory as a file, so compressing it would only cost time; stored blocks keep the bytes in
 * the one format the decoder reads, so the downloaded table goes through the same encoder, the same
 * decoder and the same checks as the bundled file. RFC 1951: per block BFINAL/BTYPE=00, LEN, NLEN.
 */
export function storedDeflateRaw(bytes: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(bytes.length / STORED_BLOCK_MAX));
  const out = new Uint8Array(bytes.length + blocks * 5);
  let at = 0;
  for (let b = 0; b < blocks; b++) {
    const start = b * STORED_BLOCK_MAX;
    const length = Math.min(STORED_BLOCK_MAX, bytes.length - start);
    out[at++] = b === blocks - 1 ? 1 : 0;
    out[at++] = length & 0xff;
    out[at++] = length >>> 8;
    out[at++] = ~length & 0xff;
    out[at++] = (~length >>> 8) & 0xff;
    out.set(bytes.subarray(start, start + length), at);
    at += length;
  }
  return out;
}

/**
 * Normalised ranges → a table file and the table decoded from it, in any environment: encoded with
 * the existing encoder (into stored blocks unless a compressor is given: the CLI keeps the file and
 * passes zlib), checksummed with the codec's SHA-256 (crypto.subtle in the worker), then decoded by
 * the existing decoder, which verifies the checksum and every structural rule the bundled file obeys.
 */
export async function buildTableFromRanges(
  ranges: readonly RoutedRange[],
  meta: EncodeMeta,
  codec: TableCodec,
  deflateRaw: (bytes: Uint8Array) => Uint8Array = storedDeflateRaw,
): Promise<{ table: PrefixTable; file: Uint8Array }> {
  // The encoder wants a synchronous SHA-256, which the web platform lacks: the field is left zero
  // and filled in here, over exactly the bytes the encoder would have hashed.
  const file = encodeTable(ranges, meta, {
    deflateRaw,
    sha256: () => new Uint8Array(CHECKSUM_LENGTH),
  });
  file.set(await codec.sha256(checksummedBytes(file)), checksumOffset(file));
  return { table: await decodeTable(file, codec), file };
}
