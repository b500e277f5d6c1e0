// Fakes shared by the site-report and page-hosts unit tests: storage.session, a prefix table with
// a carrier, a clean (IPv4 and IPv6) and a loopback address, and a DoH answer; anything else has no
// row (unrouted), which a verdict never calls clean.
import type { ResolveResult } from '../../../lib/dns';
import type { LookupResult } from '../../../lib/prefix-table';
import type { SessionArea } from '../../../lib/tabs/site-report';

/** storage.session stand-in: values deep-copied like the real one. */
export function fakeSession(): SessionArea & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: (async (key: string | null) => {
      if (key === null) return structuredClone(Object.fromEntries(data));
      return data.has(key) ? { [key]: structuredClone(data.get(key)) } : {};
    }) as SessionArea['get'],
    async set(items) {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
    async remove(key) {
      data.delete(key);
    },
  };
}

export const ROUTES: Record<string, LookupResult> = {
  '202.96.128.86': {
    kind: 'routed',
    asn: 4134,
    org: 'Chinanet',
    rangeStart: '202.96.128.0',
    rangeEnd: '202.96.191.255',
  },
  '1.1.1.1': {
    kind: 'routed',
    asn: 13335,
    org: 'Cloudflare',
    rangeStart: '1.1.1.0',
    rangeEnd: '1.1.1.255',
  },
  '2606:4700:4700::1111': {
    kind: 'routed',
    asn: 13335,
    org: 'Cloudflare',
    rangeStart: '2606:4700::',
    rangeEnd: '2606:4700:ffff:ffff:ffff:ffff:ffff:ffff',
  },
  '127.0.0.1': { kind: 'local', scope: 'loopback' },
};
export const table = { lookup: (ip: string): LookupResult => ROUTES[ip] ?? { kind: 'unrouted' } };

export function ok(hostname: string, ...ips: string[]): ResolveResult {
  return {
    ok: true,
    hostname,
    addresses: ips.map((ip) => ({ ip, type: ip.includes(':') ? 'AAAA' : 'A', ttl: 60 })),
    cnameChain: [],
    fromCache: false,
    retried: false,
  } as ResolveResult;
}
