/**
 * Turns a parsed response into what the client needs: the addresses for the name we asked about
 * (after following CNAMEs inside the answer section), or a negative/error outcome with the TTL
 * that says how long it may be cached.
 *
 * A CNAME chain in the answer that ends at a name with no records of the asked type is NODATA.
 * Recursive resolvers normally chase the chain themselves and then include the target zone's SOA
 * (RFC 2308 §2.2); when there is no SOA the resolver stopped at the CNAME (unbound does for local
 * data), so the outcome carries `unresolved` and the client asks again for the target.
 */
import type { IpAddress } from '../ip/types';
import {
  addressTypeCode,
  asciiLower,
  CLASS_IN,
  RCODE,
  rcodeName,
  sameName,
  type AddressType,
  type DnsResponse,
  type ResourceRecord,
} from './message';

/** Longest CNAME chain followed; real chains are 1–4 hops (CDNs), loops must not spin. */
export const MAX_CNAME_HOPS = 16;

/** Negative TTL (seconds) when the response carries no SOA (RFC 2308 §5 leaves it to us). */
export const DEFAULT_NEGATIVE_TTL_SECONDS = 60;

export interface AnswerAddress {
  /** Address text as the resolver returned it (IPv6 in RFC 5952 form). */
  readonly address: string;
  readonly ip: IpAddress;
  readonly type: AddressType;
  /** Seconds: the smaller of this record's TTL and every CNAME TTL on the way. */
  readonly ttl: number;
}

export type AnswerOutcome =
  | {
      readonly kind: 'addresses';
      readonly addresses: readonly AnswerAddress[];
      /** Smallest TTL over the chain and the records. */
      readonly ttl: number;
      /** CNAME targets in order, lowercase, without trailing dots; [] when there is no CNAME. */
      readonly cnameChain: readonly string[];
    }
  | {
      readonly kind: 'nodata';
      readonly ttl: number;
      readonly cnameChain: readonly string[];
      /** Set when the chain's last target was not chased (no SOA): ask again for `target`. */
      readonly unresolved?: { readonly target: string; readonly chainTtl: number };
    }
  | { readonly kind: 'nxdomain'; readonly ttl: number; readonly cnameChain: readonly string[] }
  | { readonly kind: 'servfail' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'rcode'; readonly rcode: number; readonly message: string }
  | { readonly kind: 'bad-chain'; readonly message: string };

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Negative-caching TTL from the first IN SOA in the authority section: min(SOA TTL, SOA MINIMUM)
 * per RFC 2308 §5, or `fallback` when there is none.
 */
export function negativeTtl(response: DnsResponse, fallback: number): number {
  for (const rr of response.authority) {
    if (rr.kind === 'SOA' && rr.class === CLASS_IN) return Math.min(rr.ttl, rr.minimum);
  }
  return fallback;
}

/** Follows CNAMEs from `name` through the answer section; an error text on a loop or overlong chain. */
function followChain(
  answers: readonly ResourceRecord[],
  name: string,
): { ok: true; finalName: string; chain: string[]; ttl: number } | { ok: false; message: string } {
  let current = asciiLower(stripDot(name));
  const seen = new Set([current]);
  const chain: string[] = [];
  let ttl = Infinity;
  for (;;) {
    const cnames = answers.filter(
      (rr): rr is Extract<ResourceRecord, { kind: 'CNAME' }> =>
        rr.kind === 'CNAME' && rr.class === CLASS_IN && sameName(rr.name, current),
    );
    if (cnames.length === 0) return { ok: true, finalName: current, chain, ttl };
    const targets = new Set(cnames.map((rr) => asciiLower(stripDot(rr.target))));
    if (targets.size > 1) {
      return { ok: false, message: `"${current}" has ${targets.size} different CNAME records` };
    }
    const cname = cnames[0] as Extract<ResourceRecord, { kind: 'CNAME' }>;
    const target = asciiLower(stripDot(cname.target));
    if (seen.has(target)) {
      return { ok: false, message: `the CNAME chain loops back to "${target}"` };
    }
    if (chain.length >= MAX_CNAME_HOPS) {
      return { ok: false, message: `the CNAME chain is longer than ${MAX_CNAME_HOPS} hops` };
    }
    seen.add(target);
    chain.push(target);
    ttl = Math.min(ttl, ...cnames.map((rr) => rr.ttl));
    current = target;
  }
}

/**
 * Reads the outcome of a query for (`name`, `type`) from its parsed response. Never throws.
 * `defaultNegativeTtl` is used for NXDOMAIN/NODATA answers that carry no SOA.
 */
export function extractAnswer(
  response: DnsResponse,
  name: string,
  type: AddressType,
  defaultNegativeTtl: number = DEFAULT_NEGATIVE_TTL_SECONDS,
): AnswerOutcome {
  switch (response.rcode) {
    case RCODE.NOERROR:
    case RCODE.NXDOMAIN:
      break;
    case RCODE.SERVFAIL:
      return { kind: 'servfail' };
    case RCODE.REFUSED:
      return { kind: 'refused' };
    default:
      return {
        kind: 'rcode',
        rcode: response.rcode,
        message: `the resolver answered ${rcodeName(response.rcode)}`,
      };
  }
  const followed = followChain(response.answers, name);
  if (!followed.ok) return { kind: 'bad-chain', message: followed.message };
  const { finalName, chain } = followed;
  if (response.rcode === RCODE.NXDOMAIN) {
    // RFC 6604: with a chain, NXDOMAIN is about the chain's last name; either way nothing resolves.
    return { kind: 'nxdomain', ttl: negativeTtl(response, defaultNegativeTtl), cnameChain: chain };
  }
  const code = addressTypeCode(type);
  const addresses: AnswerAddress[] = [];
  const seen = new Set<string>();
  for (const rr of response.answers) {
    if (rr.type !== code || rr.class !== CLASS_IN || !sameName(rr.name, finalName)) continue;
    if (rr.kind !== 'A' && rr.kind !== 'AAAA') continue;
    if (seen.has(rr.address)) continue;
    seen.add(rr.address);
    addresses.push({
      address: rr.address,
      ip: rr.ip,
      type,
      ttl: Math.min(rr.ttl, followed.ttl),
    });
  }
  if (addresses.length === 0) {
    const ttl = negativeTtl(response, defaultNegativeTtl);
    const hasSoa = response.authority.some((rr) => rr.kind === 'SOA');
    if (chain.length > 0 && !hasSoa) {
      return {
        kind: 'nodata',
        ttl,
        cnameChain: chain,
        unresolved: { target: finalName, chainTtl: followed.ttl },
      };
    }
    return { kind: 'nodata', ttl, cnameChain: chain };
  }
  const ttl = Math.min(...addresses.map((a) => a.ttl));
  return { kind: 'addresses', addresses, ttl, cnameChain: chain };
}
