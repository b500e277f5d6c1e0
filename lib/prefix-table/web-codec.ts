import type { TableCodec } from './types';

/** The web platform pieces the codec needs; default to globalThis's (worker, page, Node 20). */
export interface WebCodecDeps {
  DecompressionStream?: typeof DecompressionStream;
  subtle?: SubtleCrypto;
}

/** The same bytes typed as ArrayBuffer-backed, as Blob and digest want (copied only if shared). */
function plainView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}

/**
 * Inflates one deflate-raw stream with a DecompressionStream. With `rawLength` (from the file) the
 * chunks go straight into one buffer of that size, and a stream that runs over is stopped.
 */
export async function inflateRawStream(
  Decompression: typeof DecompressionStream,
  bytes: Uint8Array,
  rawLength?: number,
): Promise<Uint8Array> {
  // Written straight into the decompressor: no Blob copy, no pipe between two streams.
  const decompression = new Decompression('deflate-raw');
  const writer = decompression.writable.getWriter();
  writer.write(plainView(bytes)).catch(() => undefined); // errors surface on the readable side
  writer.close().catch(() => undefined);
  const stream = decompression.readable;
  if (rawLength === undefined) return new Uint8Array(await new Response(stream).arrayBuffer());
  const out = new Uint8Array(rawLength);
  let at = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > rawLength) {
      await reader.cancel();
      throw new Error(`inflates to more than the expected ${rawLength} bytes`);
    }
    out.set(value, at);
    at += value.length;
  }
  return at === rawLength ? out : out.subarray(0, at);
}

/**
 * Codec on DecompressionStream('deflate-raw') and crypto.subtle, for the extension's service
 * worker. Both can be passed in (tests, other realms); otherwise they come from globalThis.
 *
 * Streams are inflated one after another, in the order they are asked for: in Chromium, streams
 * running concurrently took about three times as long in all as the same streams in turn (issue
 * 10; bench/chromium-decode.ts measures both), and the decoder still decodes each part while the
 * next one inflates.
 */
export function createWebTableCodec(deps: WebCodecDeps = {}): TableCodec {
  const g = globalThis as { DecompressionStream?: typeof DecompressionStream; crypto?: Crypto };
  const Decompression = deps.DecompressionStream ?? g.DecompressionStream;
  const subtle = deps.subtle ?? g.crypto?.subtle;
  /** Settles when the stream asked for last has finished, successfully or not. */
  let previous: Promise<unknown> = Promise.resolve();
  return {
    inflateRaw(bytes: Uint8Array, rawLength?: number): Promise<Uint8Array> {
      if (Decompression === undefined) {
        return Promise.reject(new Error('DecompressionStream is not available'));
      }
      const inflated = previous.then(() => inflateRawStream(Decompression, bytes, rawLength));
      previous = inflated.catch(() => undefined);
      return inflated;
    },
    async sha256(bytes: Uint8Array): Promise<Uint8Array> {
      if (subtle === undefined) throw new Error('crypto.subtle is not available');
      return new Uint8Array(await subtle.digest('SHA-256', plainView(bytes)));
    },
  };
}
