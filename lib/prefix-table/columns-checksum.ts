import type { TableColumns, TableMeta } from './types';

/** The columns in the order they are hashed; a new column must be added here (the type forces it). */
const HASHED_COLUMNS = [
  'v4Keys',
  'v4Values',
  'v6KeysHigh',
  'v6KeysMid',
  'v6Values',
  'v6LowIndex',
  'v6LowWords',
  'pairAsns',
  'names',
  'nameStarts',
  'dupPairs',
  'dupTargets',
] as const satisfies readonly Exclude<keyof TableColumns, 'meta'>[];

/** Every meta field, in a fixed order, so the hash does not depend on property order after a clone. */
const HASHED_META = [
  'formatVersion',
  'source',
  'sourceVersion',
  'builtFrom',
  'v4Ranges',
  'v6Ranges',
  'asnCount',
  'sha256',
] as const satisfies readonly (keyof TableMeta)[];

/**
 * Two 32-bit lanes. Each step `h = rotl(imul(h ^ word, odd), r)` is a bijection of h for a fixed
 * word, so changing any one word (a flipped bit, a changed count) always changes lane 1; the second
 * lane makes a multi-word collision about 2^-64. Not a defence against tampering (whoever can write
 * IndexedDB can write the checksum): it catches damage, at a few milliseconds for the full table.
 * The loops keep both lanes in locals: a method call per word made it three times slower.
 */
class Hasher {
  private a = 0x243f6a88;
  private b = 0x85a308d3;

  /** Mixes `words[0 .. count)`, preceded by `length` (so neighbouring columns cannot trade words). */
  private mix(words: ArrayLike<number>, count: number, length: number): void {
    let a = this.a;
    let b = this.b;
    a = Math.imul(a ^ length, 0x9e3779b1);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ length, 0xc2b2ae35);
    b = (b << 17) | (b >>> 15);
    for (let i = 0; i < count; i++) {
      const w = words[i]!;
      a = Math.imul(a ^ w, 0x9e3779b1);
      a = (a << 13) | (a >>> 19);
      b = Math.imul(b ^ w, 0xc2b2ae35);
      b = (b << 17) | (b >>> 15);
    }
    this.a = a;
    this.b = b;
  }

  bytes(bytes: Uint8Array): void {
    const whole = bytes.length >>> 2;
    // Little-endian words of the bytes, then the 0–3 bytes left over as one word.
    const words =
      bytes.byteOffset % 4 === 0
        ? new Uint32Array(bytes.buffer, bytes.byteOffset, whole)
        : new Uint32Array(bytes.slice(0, whole * 4).buffer);
    let tail = 0;
    for (let i = whole * 4; i < bytes.length; i++) tail |= bytes[i]! << (8 * (i - whole * 4));
    this.mix(words, whole, bytes.length);
    this.mix([tail], 1, 0);
  }

  words(words: Uint32Array): void {
    this.mix(words, words.length, words.length);
  }

  hex(): string {
    return [this.a, this.b].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
  }
}

/**
 * A fast checksum of a decoded table as stored in IndexedDB (every column and every meta field),
 * computed at import and compared when a restarted worker loads the copy, so a damaged stored table
 * is refused instead of answering with a wrong ASN. Throws TypeError if a column is not a typed array.
 */
export function columnsChecksum(columns: TableColumns): string {
  const hasher = new Hasher();
  const metaText = JSON.stringify(HASHED_META.map((field) => columns.meta[field]));
  hasher.bytes(new TextEncoder().encode(metaText));
  for (const name of HASHED_COLUMNS) {
    const column: unknown = columns[name];
    if (column instanceof Uint32Array) hasher.words(column);
    else if (column instanceof Uint8Array) hasher.bytes(column);
    else throw new TypeError(`column ${name} is not a typed array`);
  }
  return hasher.hex();
}

/**
 * A fast checksum of a table image (lib/prefix-table/table-image.ts), every byte of it, taken when
 * the image is stored and compared when a restarted worker reads it back. Four lanes, each word
 * mixed into one of them by the same bijective step as `columnsChecksum` (so any one changed word
 * changes its lane), folded into 64 bits at the end; four independent chains let the CPU overlap
 * them, about twice the speed of one. Damage detection, not a defence against tampering.
 */
export function imageChecksum(image: Uint8Array): string {
  const whole = image.length >>> 2;
  const words =
    image.byteOffset % 4 === 0
      ? new Uint32Array(image.buffer, image.byteOffset, whole)
      : new Uint32Array(image.slice(0, whole * 4).buffer);
  let a = 0x243f6a88 ^ image.length;
  let b = 0x85a308d3;
  let c = 0x13198a2e;
  let d = 0x03707344;
  const quads = whole & ~3;
  let i = 0;
  for (; i < quads; i += 4) {
    a = Math.imul(a ^ words[i]!, 0x9e3779b1);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ words[i + 1]!, 0xc2b2ae35);
    b = (b << 17) | (b >>> 15);
    c = Math.imul(c ^ words[i + 2]!, 0x85ebca77);
    c = (c << 11) | (c >>> 21);
    d = Math.imul(d ^ words[i + 3]!, 0x27d4eb2f);
    d = (d << 15) | (d >>> 17);
  }
  // The 0–3 words after the last quad, then the 0–3 bytes after the last word, into lane a.
  let tail = 0;
  for (let k = whole * 4; k < image.length; k++) tail |= image[k]! << (8 * (k - whole * 4));
  for (; i <= whole; i++) {
    a = Math.imul(a ^ (i < whole ? words[i]! : tail), 0x9e3779b1);
    a = (a << 13) | (a >>> 19);
  }
  // Fold four lanes into two halves: for a fixed other lane each half is a bijection of either of
  // its lanes, so a change in any one lane changes the result.
  let hi = a ^ ((c << 7) | (c >>> 25));
  let lo = b ^ ((d << 9) | (d >>> 23));
  hi = Math.imul(hi ^ (hi >>> 16), 0x85ebca6b);
  lo = Math.imul(lo ^ (lo >>> 16), 0xc2b2ae35);
  return [hi, lo].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
