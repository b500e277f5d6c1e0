import type { AddressScope, IpAddress } from './types';

// Special-purpose ranges from the IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and
// the RFCs that added to them). Ranges whose registry entry is "globally reachable" (AS112, AMT,
// 6to4, Teredo, NAT64's 64:ff9b::/96, ...) stay 'public': they are routed and worth looking up.
// A verdict judges NAT64, 6to4 and Teredo addresses by the IPv4 address inside (lib/ip/embedded.ts),
// classified by classifyIpv4; the IPv6 scope here is for everything else that looks them up.

/** Scope of an IPv4 address given as an unsigned 32-bit value. */
export function classifyIpv4(value: number): AddressScope {
  const a = value >>> 24;
  const b = (value >>> 16) & 255;
  const c = (value >>> 8) & 255;
  switch (a) {
    case 0:
      return 'unspecified'; // 0.0.0.0/8 "this network"
    case 10:
      return 'private';
    case 100:
      return b >= 64 && b <= 127 ? 'shared' : 'public'; // 100.64.0.0/10 CGNAT
    case 127:
      return 'loopback';
    case 169:
      return b === 254 ? 'link-local' : 'public';
    case 172:
      return b >= 16 && b <= 31 ? 'private' : 'public';
    case 192:
      if (b === 168) return 'private';
      if (b === 0 && c === 0) return 'reserved'; // IETF protocol assignments
      if (b === 0 && c === 2) return 'documentation'; // TEST-NET-1
      if (b === 88 && c === 99) return 'reserved'; // deprecated 6to4 relay anycast (RFC 7526)
      return 'public';
    case 198:
      if (b === 18 || b === 19) return 'benchmarking';
      if (b === 51 && c === 100) return 'documentation'; // TEST-NET-2
      return 'public';
    case 203:
      return b === 0 && c === 113 ? 'documentation' : 'public'; // TEST-NET-3
  }
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // 240.0.0.0/4 and the limited broadcast 255.255.255.255
  return 'public';
}

/** Scope of an IPv6 address given as four 32-bit words. */
export function classifyIpv6(w0: number, w1: number, w2: number, w3: number): AddressScope {
  const top16 = w0 >>> 16;
  if (w0 === 0 && w1 === 0) {
    if (w2 === 0) {
      if (w3 === 0) return 'unspecified';
      if (w3 === 1) return 'loopback';
      return 'reserved'; // deprecated IPv4-compatible ::/96
    }
    if (w2 === 0xffff) return classifyIpv4(w3 >>> 0); // IPv4-mapped: the embedded address decides
  }
  if (top16 === 0x0064 && (w0 & 0xffff) === 0xff9b && w1 >>> 16 === 1) return 'reserved'; // 64:ff9b:1::/48 local NAT64
  if (w0 === 0x01000000 && w1 === 0) return 'reserved'; // 100::/64 discard-only
  if (w0 === 0x01000000 && w1 === 1) return 'reserved'; // 100:0:0:1::/64 dummy prefix (RFC 9780)
  if (top16 === 0x2001) {
    const second = w0 & 0xffff;
    if (second === 0x0db8) return 'documentation'; // 2001:db8::/32
    if (second === 0x0002 && w1 >>> 16 === 0) return 'benchmarking'; // 2001:2::/48
    if (second < 0x0200) {
      // 2001::/23 IETF protocol assignments: only the globally reachable entries are public.
      if (second === 0x0000) return 'public'; // Teredo 2001::/32
      if (second === 0x0001 && w1 === 0 && w2 === 0 && w3 >= 1 && w3 <= 3) return 'public'; // anycast
      if (second === 0x0003) return 'public'; // AMT 2001:3::/32
      if (second === 0x0004 && w1 >>> 16 === 0x0112) return 'public'; // AS112-v6 2001:4:112::/48
      if (second >= 0x0020 && second <= 0x003f) return 'public'; // ORCHIDv2, drone remote ID
      return 'reserved';
    }
    return 'public';
  }
  if (top16 === 0x3fff && (w0 & 0xf000) === 0) return 'documentation'; // 3fff::/20
  if (top16 === 0x5f00) return 'reserved'; // SRv6 SIDs 5f00::/16
  if (top16 >= 0xfc00 && top16 <= 0xfdff) return 'unique-local'; // fc00::/7
  if (top16 >= 0xfe80 && top16 <= 0xfebf) return 'link-local'; // fe80::/10
  if (top16 >= 0xfec0 && top16 <= 0xfeff) return 'reserved'; // deprecated site-local fec0::/10
  if (top16 >= 0xff00) return 'multicast';
  return 'public';
}

/**
 * Where an address sits among the special-purpose ranges; 'public' for everything else. Anything
 * but 'public' is never looked up in the routing table.
 */
export function classifyIp(address: IpAddress): AddressScope {
  if (address.family === 4) return classifyIpv4(address.value >>> 0);
  const [w0, w1, w2, w3] = address.words;
  return classifyIpv6(w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0);
}

const SCOPE_TEXT: Record<AddressScope, string> = {
  public: 'public address',
  unspecified: 'unspecified address ("this network")',
  loopback: 'loopback address (this computer)',
  private: 'private network address (RFC 1918)',
  shared: 'shared carrier-grade NAT address (RFC 6598)',
  'link-local': 'link-local address (this network segment only)',
  'unique-local': 'unique local IPv6 address (private network, RFC 4193)',
  multicast: 'multicast address',
  documentation: 'documentation-only address (never routed)',
  benchmarking: 'benchmarking address (RFC 2544 / RFC 5180)',
  reserved: 'reserved special-purpose address',
};

/** A short human description of a scope, for the popup and the CLI. */
export function describeScope(scope: AddressScope): string {
  return SCOPE_TEXT[scope] ?? 'unknown address scope';
}
