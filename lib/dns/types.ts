/** Result types of the DoH client, shared by the client, its cache and its callers. */

export type DnsErrorKind =
  | 'blocked-name'
  | 'invalid-resolver'
  | 'nxdomain'
  | 'nodata'
  | 'servfail'
  | 'refused'
  | 'timeout'
  | 'aborted'
  | 'network'
  | 'redirect'
  | 'http-status'
  | 'content-type'
  | 'malformed';

export interface DnsError {
  readonly kind: DnsErrorKind;
  /** For people: names the resolver host and what went wrong. */
  readonly message: string;
}

export interface ResolvedAddress {
  /** IPv4 dotted quad or RFC 5952 IPv6 text. */
  readonly ip: string;
  readonly type: 'A' | 'AAAA';
  /** Seconds left before this address should be looked up again. */
  readonly ttl: number;
}

export type ResolveResult =
  | {
      readonly ok: true;
      readonly hostname: string;
      /** Never empty: A records first, then AAAA. */
      readonly addresses: readonly ResolvedAddress[];
      /** CNAME targets followed from the host name, in order; [] when none. */
      readonly cnameChain: readonly string[];
      readonly fromCache: boolean;
      /**
       * True when part of this answer came from a query sent a second time (after a network error
       * or no answer in time), so a caller can say the resolver needed two tries. False from cache.
       */
      readonly retried: boolean;
    }
  | { readonly ok: false; readonly hostname: string; readonly error: DnsError };
