import type { IpAddress } from './types';

// IPv6 addresses that carry an IPv4 address inside. The browser connects to the IPv6 address, but
// the data ends at the IPv4 host: a NAT64 translator, a 6to4 relay or a Teredo relay only forwards
// it. So the IPv4 inside is what a verdict judges (lib/verdict.ts).
//
// Bit numbers count from 0 at the most significant bit, as in RFC 6052. An address is four 32-bit
// words: w0 = bits 0–31, w1 = 32–63, w2 = 64–95, w3 = 96–127.
//
// IPv4-mapped addresses (::ffff:a.b.c.d) are not here: the parser already turns them into IPv4
// (lib/ip/parse.ts), so they are judged as the IPv4 address they are.

/**
 * Which form carries the IPv4 address:
 * - 'nat64': the RFC 6052 well-known prefix 64:ff9b::/96 (bits 96–127);
 * - 'nat64-local': the RFC 8215 local-use prefix 64:ff9b:1::/48, RFC 6052 §2.2 /48 layout;
 * - '6to4': 2002::/16 (RFC 3056, bits 16–47);
 * - 'teredo': 2001:0::/32 (RFC 4380), the Teredo client's public IPv4 (bits 96–127, inverted).
 */
export type EmbeddedKind = 'nat64' | 'nat64-local' | '6to4' | 'teredo';

/** An IPv4 address found inside an IPv6 address, and the form it was found in. */
export interface EmbeddedIpv4 {
  readonly kind: EmbeddedKind;
  /** The IPv4 address as an unsigned 32-bit value. */
  readonly ipv4: number;
}

/** 64:ff9b in bits 0–31: both NAT64 prefixes start with it. */
const NAT64_HIGH = 0x0064ff9b;
/** 2001:0000 in bits 0–31: Teredo's /32. */
const TEREDO_HIGH = 0x20010000;
/** 2002 in bits 0–15: 6to4's /16. */
const SIX_TO_FOUR_TOP16 = 0x2002;

/**
 * The IPv4 address an IPv6 address carries, or null when it carries none (an IPv4 address carries
 * nothing either). Layouts:
 *
 * - NAT64, well-known prefix (RFC 6052 §2.1): `64:ff9b:0:0:0:0:AABB:CCDD`: bits 32–95 zero, the
 *   IPv4 in bits 96–127. The well-known prefix is only ever used as a /96 (RFC 6052 §3.1).
 * - NAT64, local-use prefix (RFC 8215), in the /48 layout of RFC 6052 §2.2:
 *   `64:ff9b:1:AABB:00CC:DD00:0:0`: IPv4 octets 1–2 in bits 48–63, the reserved u-octet (bits 64–71,
 *   which MUST be zero), octets 3–4 in bits 72–87, then the suffix (bits 88–127). An address whose
 *   u-octet or suffix is not zero is not decoded: the network may use a longer prefix inside this
 *   /48 (a /96, say), which we cannot know, and reading it as /48 would judge the wrong IPv4. Such
 *   an address stays what lib/ip/classify.ts says (reserved, not looked up).
 * - 6to4 (RFC 3056 §2): `2002:AABB:CCDD::/48`: the IPv4 in bits 16–47.
 * - Teredo (RFC 4380 §4): `2001:0:SSSS:SSSS:FFFF:PPPP:CCCC:CCCC`: the Teredo server's IPv4 in bits
 *   32–63, flags in 64–79, the client's port in 80–95 and the client's public IPv4 in bits 96–127,
 *   both XOR 0xffff…. The client's IPv4 is the one returned: a browser connecting TO a Teredo
 *   address sends its data to the Teredo client, which owns that address and is reached at its
 *   public IPv4 (through its NAT); the server only helps set up the tunnel and carries no traffic.
 */
export function embeddedIpv4(address: IpAddress): EmbeddedIpv4 | null {
  if (address.family !== 6) return null;
  const w0 = address.words[0] >>> 0;
  const w1 = address.words[1] >>> 0;
  const w2 = address.words[2] >>> 0;
  const w3 = address.words[3] >>> 0;
  if (w0 === NAT64_HIGH) {
    if (w1 === 0 && w2 === 0) return { kind: 'nat64', ipv4: w3 };
    if (w1 >>> 16 === 0x0001) {
      const uOctet = w2 >>> 24;
      const suffix = (w2 & 0xff) | w3;
      if (uOctet !== 0 || suffix !== 0) return null;
      const ipv4 = (((w1 & 0xffff) << 16) | ((w2 >>> 8) & 0xffff)) >>> 0;
      return { kind: 'nat64-local', ipv4 };
    }
    return null;
  }
  if (w0 >>> 16 === SIX_TO_FOUR_TOP16) {
    return { kind: '6to4', ipv4: (((w0 & 0xffff) << 16) | (w1 >>> 16)) >>> 0 };
  }
  if (w0 === TEREDO_HIGH) return { kind: 'teredo', ipv4: ~w3 >>> 0 };
  return null;
}

/** The Teredo server's IPv4 (bits 32–63) of a Teredo address, or null for any other address. */
export function teredoServer(address: IpAddress): number | null {
  if (address.family !== 6 || address.words[0] >>> 0 !== TEREDO_HIGH) return null;
  return address.words[1] >>> 0;
}

const KIND_NAMES: Record<EmbeddedKind, string> = {
  nat64: 'NAT64',
  'nat64-local': 'NAT64, local-use prefix',
  '6to4': '6to4',
  teredo: 'Teredo client',
};

/** A short English name of the form, for the CLI and the copied report: "NAT64", "6to4", …. */
export function describeEmbeddedKind(kind: EmbeddedKind): string {
  return KIND_NAMES[kind];
}
