/**
 * Standard input as lines, read a chunk at a time: a million targets are never one string, and the
 * next chunk is read only when the lines before it have been taken (the stream's own backpressure).
 */

/**
 * A line longer than this is cut here and the rest of it skipped until its line break, so one
 * endless line cannot fill memory. 64 Ki characters: a host name has at most 253, so a URL cut
 * here still has its whole host, which is all that is judged.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte (or text) stream into lines without their `\n` / `\r\n`, decoding UTF-8 across
 * chunk boundaries; a last line without a line break is still a line.
 */
export async function* linesOf(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineChars = MAX_LINE_CHARS,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  /** True while skipping the rest of an overlong line. */
  let skipping = false;
  const take = function* (text: string): Generator<string> {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      if (skipping) skipping = false;
      else yield stripCr(pending + text.slice(start, end), maxLineChars);
      pending = '';
      start = end + 1;
    }
    if (skipping) return;
    pending += text.slice(start);
    if (pending.length > maxLineChars) {
      yield pending.slice(0, maxLineChars);
      pending = '';
      skipping = true;
    }
  };
  for await (const chunk of chunks) {
    yield* take(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  yield* take(decoder.decode());
  if (pending !== '' && !skipping) yield stripCr(pending, maxLineChars);
}

function stripCr(line: string, maxLineChars: number): string {
  const bare = line.endsWith('\r') ? line.slice(0, -1) : line;
  return bare.length > maxLineChars ? bare.slice(0, maxLineChars) : bare;
}

/** A line of targets as a target: trimmed; undefined for a blank line or a `#` comment. */
export function targetOfLine(line: string): string | undefined {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#') ? undefined : trimmed;
}
