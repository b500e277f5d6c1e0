/** An IPv4 address as an unsigned 32-bit integer (0..4294967295). */
export interface Ipv4Address {
  readonly family: 4;
  readonly value: number;
}

/** An IPv6 address as four unsigned 32-bit words, most significant first. */
export interface Ipv6Address {
  readonly family: 6;
  readonly words: readonly [number, number, number, number];
}

export type IpAddress = Ipv4Address | Ipv6Address;

export type ParseIpResult = { ok: true; address: IpAddress } | { ok: false; reason: string };

/**
 * Where an address sits in the special-purpose registries (RFC 6890 and successors).
 * Everything but 'public' is "local, not checked": never looked up as if it were routed.
 */
export type AddressScope =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

/** A CIDR prefix; `address` has all host bits zero. */
export interface Cidr {
  readonly address: IpAddress;
  readonly prefixLength: number;
}

export type ParseCidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };
