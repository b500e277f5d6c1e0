import type { IpAddress, ParseIpResult } from './types';

// The parser is hand-written on charCodeAt because it sits on the lookup hot path (every DNS answer
// and every `lookup(text)` goes through it): no regex, no BigInt, no allocation until the result.

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DOT = 46;
const CHAR_COLON = 58;

/** Why the last failed `parseIpInto` call failed; read only right after a failure. */
let lastReason = '';

/** Value of each ASCII hex digit, -1 for any other character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 128; c++) {
  const digit = parseInt(String.fromCharCode(c), 16);
  if (!Number.isNaN(digit)) HEX_VALUE[c] = digit;
}

/** Scratch for IPv6 groups: module-level so parsing allocates nothing. */
const GROUPS = new Int32Array(8);

/**
 * Parses dotted-quad text in [from, to) to an unsigned 32-bit value, or returns -1 and sets
 * `lastReason`. Strict: exactly four decimal octets 0..255, no leading zeros (which some
 * resolvers read as octal), no short or hex forms.
 */
function parseV4(text: string, from: number, to: number): number {
  let value = 0;
  let octets = 0;
  let i = from;
  for (;;) {
    if (i >= to) {
      lastReason = 'IPv4 address has an empty octet';
      return -1;
    }
    let c = text.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) {
      lastReason =
        c === CHAR_DOT
          ? 'IPv4 address has an empty octet'
          : `unexpected character '${text[i]}' in IPv4 address`;
      return -1;
    }
    let n = c - CHAR_0;
    i++;
    if (n === 0 && i < to) {
      c = text.charCodeAt(i);
      if (c >= CHAR_0 && c <= CHAR_9) {
        lastReason = 'IPv4 octets may not have leading zeros (ambiguous: octal or decimal)';
        return -1;
      }
    }
    while (i < to) {
      c = text.charCodeAt(i);
      if (c < CHAR_0 || c > CHAR_9) break;
      n = n * 10 + (c - CHAR_0);
      if (n > 255) {
        lastReason = 'IPv4 octet is greater than 255';
        return -1;
      }
      i++;
    }
    value = value * 256 + n;
    octets++;
    if (i === to) break;
    if (text.charCodeAt(i) !== CHAR_DOT) {
      lastReason = `unexpected character '${text[i]}' in IPv4 address`;
      return -1;
    }
    if (octets === 4) {
      lastReason = 'IPv4 address has more than four octets';
      return -1;
    }
    i++;
  }
  if (octets !== 4) {
    lastReason = 'IPv4 address needs exactly four dotted octets (short forms are not accepted)';
    return -1;
  }
  return value;
}

/**
 * Parses any RFC 4291 text form of an IPv6 address into `out[0..3]`. Returns false and sets
 * `lastReason` on failure.
 */
function parseV6(text: string, out: Uint32Array): boolean {
  const len = text.length;
  let n = 0; // groups written
  let gap = -1; // index in GROUPS where '::' stands
  let i = 0;
  if (len >= 2 && text.charCodeAt(0) === CHAR_COLON) {
    if (text.charCodeAt(1) !== CHAR_COLON) {
      lastReason = 'IPv6 address may not start with a single colon';
      return false;
    }
    gap = 0;
    i = 2;
  }
  if (i < len) {
    for (;;) {
      const start = i;
      let value = 0;
      while (i < len) {
        const c = text.charCodeAt(i);
        // A table, not digit/letter branches: random hex digits would mispredict them.
        const h = c < 128 ? HEX_VALUE[c]! : -1;
        if (h < 0) break;
        value = (value << 4) | h;
        i++;
      }
      if (i < len && text.charCodeAt(i) === CHAR_DOT) {
        // Embedded IPv4 (::ffff:1.2.3.4, 64:ff9b::1.2.3.4): it must end the address.
        if (n > 6) {
          lastReason = 'IPv6 address has too many groups before its embedded IPv4 part';
          return false;
        }
        const v4 = parseV4(text, start, len);
        if (v4 < 0) return false;
        GROUPS[n++] = v4 >>> 16;
        GROUPS[n++] = v4 & 0xffff;
        i = len;
        break;
      }
      const digits = i - start;
      if (digits === 0) {
        lastReason =
          i < len
            ? `unexpected character '${text[i]}' in IPv6 address`
            : 'IPv6 address may not end with a single colon';
        return false;
      }
      if (digits > 4) {
        lastReason = 'IPv6 group has more than four hex digits';
        return false;
      }
      if (n === 8) {
        lastReason = 'IPv6 address has more than eight groups';
        return false;
      }
      GROUPS[n++] = value;
      if (i === len) break;
      if (text.charCodeAt(i) !== CHAR_COLON) {
        lastReason = `unexpected character '${text[i]}' in IPv6 address`;
        return false;
      }
      i++;
      if (i < len && text.charCodeAt(i) === CHAR_COLON) {
        if (gap >= 0) {
          lastReason = "IPv6 address may contain '::' only once";
          return false;
        }
        gap = n;
        i++;
        if (i === len) break;
      } else if (i === len) {
        lastReason = 'IPv6 address may not end with a single colon';
        return false;
      }
    }
  }
  if (gap < 0) {
    if (n !== 8) {
      lastReason = `IPv6 address has ${n} groups; it needs eight or a '::'`;
      return false;
    }
  } else if (n > 7) {
    lastReason = "IPv6 address has eight groups and a '::'";
    return false;
  }
  // Expand '::': move the groups after the gap to the end, zero the ones in between.
  if (gap >= 0) {
    const zeros = 8 - n;
    for (let k = n - 1; k >= gap; k--) GROUPS[k + zeros] = GROUPS[k]!;
    for (let k = gap; k < gap + zeros; k++) GROUPS[k] = 0;
  }
  const w0 = (GROUPS[0]! << 16) | GROUPS[1]!;
  const w1 = (GROUPS[2]! << 16) | GROUPS[3]!;
  const w2 = (GROUPS[4]! << 16) | GROUPS[5]!;
  const w3 = (GROUPS[6]! << 16) | GROUPS[7]!;
  out[0] = w0;
  out[1] = w1;
  out[2] = w2;
  out[3] = w3;
  return true;
}

/** A reason for text that no address form accepts, checked before the form-specific reason. */
function generalReason(text: string): string | undefined {
  if (text.length === 0) return 'empty text is not an IP address';
  if (/\s/.test(text)) return 'whitespace is not allowed in an IP address';
  if (text.includes('%')) return 'IPv6 zone identifiers are not accepted';
  if (text.includes('[') || text.includes(']'))
    return 'brackets are not accepted around an address';
  if (text.includes('/')) return 'a CIDR prefix is not an address';
  if (/^[0-9]+$/.test(text)) return 'a bare number is not accepted: write a dotted quad';
  return undefined;
}

/**
 * Fast path for the common case: a canonical dotted quad ("1.2.3.4", no leading zeros). Returns
 * the unsigned 32-bit value, or -1 for anything else, which the full parser then judges (and
 * explains). One pass, no allocation: lookups of DNS answers go through here.
 */
export function parseIpv4Fast(text: string): number {
  const len = text.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const d = text.charCodeAt(i) - CHAR_0;
    if (d >= 0 && d <= 9) {
      if (digits === 1 && octet === 0) return -1; // leading zero
      octet = octet * 10 + d;
      if (octet > 255) return -1;
      digits++;
    } else if (d === CHAR_DOT - CHAR_0 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * Fast path for the common IPv6 form: hex groups, colons, at most one '::', no embedded IPv4.
 * Writes the address into `out[0..3]` and returns true, or returns false for anything else (the
 * full parser then judges and explains). One pass, fewer checks per group than `parseV6`.
 */
function parseV6Fast(text: string, out: Uint32Array): boolean {
  const len = text.length;
  if (len < 2 || len > 39) return false;
  let n = 0; // groups written
  let gap = -1; // index in GROUPS where '::' stands
  let value = 0;
  let digits = 0;
  let i = 0;
  if (text.charCodeAt(0) === CHAR_COLON) {
    if (text.charCodeAt(1) !== CHAR_COLON) return false;
    gap = 0;
    i = 2;
  }
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    const h = c < 128 ? HEX_VALUE[c]! : -1;
    if (h >= 0) {
      value = (value << 4) | h;
      if (++digits > 4) return false;
      continue;
    }
    // A colon ends a group; an eighth group can only be the last one, with no colon after it.
    if (c !== CHAR_COLON || digits === 0 || n === 7) return false;
    GROUPS[n++] = value;
    value = 0;
    digits = 0;
    if (i + 1 < len && text.charCodeAt(i + 1) === CHAR_COLON) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    }
  }
  if (digits > 0) GROUPS[n++] = value;
  else if (gap !== n || n === 0) return false; // ends in a single colon (or is just '::', below)
  if (gap < 0) {
    if (n !== 8) return false;
  } else {
    if (n > 7) return false;
    const zeros = 8 - n;
    for (let k = n - 1; k >= gap; k--) GROUPS[k + zeros] = GROUPS[k]!;
    for (let k = gap; k < gap + zeros; k++) GROUPS[k] = 0;
  }
  out[0] = (GROUPS[0]! << 16) | GROUPS[1]!;
  out[1] = (GROUPS[2]! << 16) | GROUPS[3]!;
  out[2] = (GROUPS[4]! << 16) | GROUPS[5]!;
  out[3] = (GROUPS[6]! << 16) | GROUPS[7]!;
  return true;
}

/**
 * Low-level parser for hot paths: writes the address into `out` (IPv4 in `out[0]`, IPv6 in
 * `out[0..3]`) and returns its family, or 0 when the text is not an address (then
 * `lastParseReason()` says why). IPv4-mapped IPv6 (::ffff:a.b.c.d) comes back as family 4.
 */
export function parseIpInto(text: string, out: Uint32Array): 0 | 4 | 6 {
  const fast = parseIpv4Fast(text);
  if (fast >= 0) {
    out[0] = fast;
    return 4;
  }
  if (parseV6Fast(text, out)) {
    if (out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
      out[0] = out[3]!;
      return 4;
    }
    return 6;
  }
  const len = text.length;
  // Whichever of '.' and ':' comes first decides the family (embedded IPv4 follows a colon).
  let isV6 = false;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === CHAR_COLON) {
      isV6 = true;
      break;
    }
    if (c === CHAR_DOT) break;
  }
  if (!isV6) {
    const v = len === 0 || len > 15 ? -1 : parseV4(text, 0, len);
    if (v >= 0) {
      out[0] = v;
      return 4;
    }
    if (len > 15) lastReason = 'too long for an IPv4 address';
    if (len === 0) lastReason = 'empty text is not an IP address';
    const general = generalReason(text);
    if (general !== undefined) lastReason = general;
    return 0;
  }
  if (len > 45 || !parseV6(text, out)) {
    if (len > 45) lastReason = 'too long for an IPv6 address';
    const general = generalReason(text);
    if (general !== undefined) lastReason = general;
    return 0;
  }
  if (out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
    out[0] = out[3]!;
    return 4;
  }
  return 6;
}

/** The reason for the most recent failed `parseIpInto` call. */
export function lastParseReason(): string {
  return lastReason;
}

const PARSE_SCRATCH = new Uint32Array(4);

/**
 * Parses an IPv4 or IPv6 address in any standard text form. Never throws: bad input gives
 * `{ ok: false, reason }` with a human reason. IPv4-mapped IPv6 becomes family 4 so that a
 * mapped answer and a plain IPv4 answer are looked up the same way.
 */
export function parseIp(text: string): ParseIpResult {
  if (typeof text !== 'string') return { ok: false, reason: 'not a string' };
  const family = parseIpInto(text, PARSE_SCRATCH);
  if (family === 4) return { ok: true, address: { family: 4, value: PARSE_SCRATCH[0]! } };
  if (family === 6) {
    const s = PARSE_SCRATCH;
    return { ok: true, address: { family: 6, words: [s[0]!, s[1]!, s[2]!, s[3]!] } };
  }
  return { ok: false, reason: lastReason };
}

const OCTET = Array.from({ length: 256 }, (_, i) => String(i));
/** "0." .. "255.": three concatenations per address instead of seven. */
const OCTET_DOT = OCTET.map((o) => o + '.');

/** Dotted-quad text for an unsigned 32-bit value. */
export function formatIpv4(value: number): string {
  return (
    OCTET_DOT[value >>> 24]! +
    OCTET_DOT[(value >>> 16) & 255]! +
    OCTET_DOT[(value >>> 8) & 255]! +
    OCTET[value & 255]!
  );
}

/** Lower-case hex of a 16-bit group without leading zeros; a table keeps it to one concatenation. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX_PAD = HEX.map((h) => (h.length === 1 ? '0' + h : h));
function hexGroup(v: number): string {
  return v < 256 ? HEX[v]! : HEX[v >>> 8]! + HEX_PAD[v & 255]!;
}

/** Scratch for formatting: module-level so formatting allocates only the result. */
const FORMAT_GROUPS = new Int32Array(8);

/** RFC 5952 text for four 32-bit words: lowercase, shortest, the longest zero run as '::'. */
export function formatIpv6Words(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return '::ffff:' + formatIpv4(w3 >>> 0); // RFC 5952 §5
  const g = FORMAT_GROUPS;
  g[0] = w0 >>> 16;
  g[1] = w0 & 0xffff;
  g[2] = w1 >>> 16;
  g[3] = w1 & 0xffff;
  g[4] = w2 >>> 16;
  g[5] = w2 & 0xffff;
  g[6] = w3 >>> 16;
  g[7] = w3 & 0xffff;
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += hexGroup(g[i]!);
    if (i < 7) s += ':';
  }
  return s;
}

/** Canonical text of an address: dotted quad for IPv4, RFC 5952 for IPv6. */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) return formatIpv4(address.value >>> 0);
  const [w0, w1, w2, w3] = address.words;
  return formatIpv6Words(w0, w1, w2, w3);
}
