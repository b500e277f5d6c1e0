/**
 * Punycode (RFC 3492) decoding, for showing a stored internationalised host name the way its owner
 * writes it: `xn--bcher-kva.example` → `bücher.example`. Encoding is left to the URL parser
 * (`new URL('http://' + name).hostname` applies IDNA/UTS 46 the same way in Node and in browsers);
 * the parser has no way back, hence this. Pure, no dependencies.
 */

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_CODE_POINT = 0x10ffff;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

function digitOf(char: string): number {
  const code = char.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 26; // 0-9
  if (code >= 0x61 && code <= 0x7a) return code - 0x61; // a-z
  if (code >= 0x41 && code <= 0x5a) return code - 0x41; // A-Z
  return -1;
}

/** Decodes one label's Punycode (the part after `xn--`); null when it is not valid Punycode. */
export function decodePunycode(input: string): string | null {
  const output: number[] = [];
  const dash = input.lastIndexOf('-');
  const basic = dash < 0 ? '' : input.slice(0, dash);
  for (const char of basic) {
    if (char.charCodeAt(0) >= 0x80) return null;
    output.push(char.charCodeAt(0));
  }
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  let pos = dash < 0 ? 0 : dash + 1;
  while (pos < input.length) {
    const oldI = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= input.length) return null;
      const digit = digitOf(input[pos++]!);
      if (digit < 0) return null;
      i += digit * w;
      if (i > MAX_CODE_POINT * 64) return null; // far past anything real: stop before overflow
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
    }
    bias = adapt(i - oldI, output.length + 1, oldI === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > MAX_CODE_POINT || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}

/**
 * A host name for people: each `xn--` label decoded to Unicode. A label that does not decode stays
 * as it is, so nothing is ever hidden or guessed.
 */
export function hostnameToUnicode(hostname: string): string {
  return hostname
    .split('.')
    .map((label) => {
      if (!/^xn--/i.test(label)) return label;
      return decodePunycode(label.slice(4)) ?? label;
    })
    .join('.');
}
