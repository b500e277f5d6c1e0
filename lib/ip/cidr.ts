import { formatIp, lastParseReason, parseIpInto } from './parse';
import type { Cidr, IpAddress, ParseCidrResult } from './types';

/** Mask of the top `bits` (0..32) bits of a 32-bit word, as an unsigned value. */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Mask of the bits of word `index` (0..3) that belong to an IPv6 prefix of length `prefixLength`. */
function v6WordMask(prefixLength: number, index: number): number {
  return wordMask(prefixLength - index * 32);
}

/** The address with every bit after the prefix cleared. */
function networkOf(address: IpAddress, prefixLength: number): IpAddress {
  if (address.family === 4) {
    return { family: 4, value: (address.value & wordMask(prefixLength)) >>> 0 };
  }
  const w = address.words;
  return {
    family: 6,
    words: [
      (w[0] & v6WordMask(prefixLength, 0)) >>> 0,
      (w[1] & v6WordMask(prefixLength, 1)) >>> 0,
      (w[2] & v6WordMask(prefixLength, 2)) >>> 0,
      (w[3] & v6WordMask(prefixLength, 3)) >>> 0,
    ],
  };
}

function sameAddress(a: IpAddress, b: IpAddress): boolean {
  if (a.family === 4) return b.family === 4 && a.value >>> 0 === b.value >>> 0;
  if (b.family !== 6) return false;
  for (let i = 0; i < 4; i++) if (a.words[i]! >>> 0 !== b.words[i]! >>> 0) return false;
  return true;
}

const SCRATCH = new Uint32Array(4);

/**
 * Parses "address/length" for IPv4 and IPv6. Never throws. Host bits set are refused with the
 * network the user probably meant, because silently masking would hide a typo in a watchlist.
 * An IPv4-mapped IPv6 prefix of /96 or longer becomes the equivalent IPv4 prefix, matching how
 * `parseIp` treats mapped addresses.
 */
export function parseCidr(text: string): ParseCidrResult {
  if (typeof text !== 'string') return { ok: false, reason: 'not a string' };
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: "a CIDR prefix needs '/length' after the address" };
  if (text.indexOf('/', slash + 1) >= 0) return { ok: false, reason: "more than one '/'" };
  const addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  const family = parseIpInto(addressText, SCRATCH);
  if (family === 0) return { ok: false, reason: lastParseReason() };
  if (lengthText.length === 0) return { ok: false, reason: 'prefix length is missing' };
  if (lengthText.length > 3 || !/^[0-9]+$/.test(lengthText)) {
    return { ok: false, reason: `prefix length '${lengthText}' is not a decimal number` };
  }
  if (lengthText.length > 1 && lengthText[0] === '0') {
    return { ok: false, reason: 'prefix length may not have leading zeros' };
  }
  let prefixLength = Number(lengthText);
  let address: IpAddress;
  const typedAsV6 = addressText.includes(':');
  if (family === 4 && typedAsV6) {
    // ::ffff:a.b.c.d/len: keep it IPv4 when the prefix lies inside the mapped /96.
    if (prefixLength > 128) {
      return { ok: false, reason: `IPv6 prefix length ${prefixLength} is greater than 128` };
    }
    if (prefixLength >= 96) {
      prefixLength -= 96;
      address = { family: 4, value: SCRATCH[0]! };
    } else {
      address = { family: 6, words: [0, 0, 0xffff, SCRATCH[0]!] };
    }
  } else if (family === 4) {
    if (prefixLength > 32) {
      return { ok: false, reason: `IPv4 prefix length ${prefixLength} is greater than 32` };
    }
    address = { family: 4, value: SCRATCH[0]! };
  } else {
    if (prefixLength > 128) {
      return { ok: false, reason: `IPv6 prefix length ${prefixLength} is greater than 128` };
    }
    address = { family: 6, words: [SCRATCH[0]!, SCRATCH[1]!, SCRATCH[2]!, SCRATCH[3]!] };
  }
  const network = networkOf(address, prefixLength);
  if (!sameAddress(network, address)) {
    const meant = formatCidr({ address: network, prefixLength });
    return { ok: false, reason: `host bits set: did you mean ${meant}?` };
  }
  return { ok: true, cidr: { address: network, prefixLength } };
}

/** Canonical "address/length" text of a prefix. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.address)}/${cidr.prefixLength}`;
}

/** Whether the prefix covers the address; addresses of the other family are never covered. */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  const net = cidr.address;
  const len = cidr.prefixLength;
  if (net.family === 4) {
    if (address.family !== 4) return false;
    const mask = wordMask(len);
    return (address.value & mask) >>> 0 === (net.value & mask) >>> 0;
  }
  if (address.family !== 6) return false;
  for (let i = 0; i < 4; i++) {
    const mask = v6WordMask(len, i);
    if (mask === 0) return true;
    if ((address.words[i]! & mask) >>> 0 !== (net.words[i]! & mask) >>> 0) return false;
  }
  return true;
}

/** First and last address of a prefix, for range arithmetic. */
export function cidrBounds(cidr: Cidr): { first: IpAddress; last: IpAddress } {
  const net = cidr.address;
  const len = cidr.prefixLength;
  if (net.family === 4) {
    return { first: net, last: { family: 4, value: (net.value | ~wordMask(len)) >>> 0 } };
  }
  const w = net.words;
  return {
    first: net,
    last: {
      family: 6,
      words: [
        (w[0] | ~v6WordMask(len, 0)) >>> 0,
        (w[1] | ~v6WordMask(len, 1)) >>> 0,
        (w[2] | ~v6WordMask(len, 2)) >>> 0,
        (w[3] | ~v6WordMask(len, 3)) >>> 0,
      ],
    },
  };
}

function toBigInt(address: IpAddress): bigint {
  if (address.family === 4) return BigInt(address.value >>> 0);
  return address.words.reduce((acc, w) => (acc << 32n) | BigInt(w >>> 0), 0n);
}

function fromBigInt(family: 4 | 6, value: bigint): IpAddress {
  if (family === 4) return { family: 4, value: Number(value) };
  const word = (shift: bigint) => Number((value >> shift) & 0xffffffffn);
  return { family: 6, words: [word(96n), word(64n), word(32n), word(0n)] };
}

/**
 * The fewest CIDR prefixes that cover exactly the inclusive range `first`–`last` (as the prefix
 * table stores ranges): one for an aligned range, a few otherwise. Null when the two are of
 * different families or `first` is after `last`. At most 2 × the address width prefixes.
 */
export function rangeToCidrs(first: IpAddress, last: IpAddress): Cidr[] | null {
  if (first.family !== last.family) return null;
  const bits = first.family === 4 ? 32 : 128;
  let start = toBigInt(first);
  const end = toBigInt(last);
  if (start > end) return null;
  const cidrs: Cidr[] = [];
  while (start <= end) {
    // The largest block aligned at `start` that does not run past `end`.
    let size = 0;
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n) {
      if (start + (1n << BigInt(size + 1)) - 1n > end) break;
      size++;
    }
    cidrs.push({ address: fromBigInt(first.family, start), prefixLength: bits - size });
    start += 1n << BigInt(size);
  }
  return cidrs;
}
