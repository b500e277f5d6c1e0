/**
 * A fast checksum of a table image (lib/prefix-table/table-image.ts), every byte of it, taken when
 * the image is stored and compared when a restarted worker reads it back. Four lanes, each word
 * mixed into one of them by a bijective step `h = rotl(imul(h ^ word, odd), r)` (so any one
 * changed word changes its lane), folded into 64 bits at the end; four independent chains let the CPU overlap
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
