/**
 * Proxies in a HAR file. HAR has no field that names a proxy, and behind one `serverIPAddress` is the
 * proxy's address for every request. So the extension's repeated-address rule (./pattern.ts) is
 * applied to the whole file at once: an address that several unrelated sites were reached at, and
 * that none of their DoH answers contains, is a proxy's.
 */
import { canonicalIp, PROXY_PATTERN } from './pattern';
import { registrableDomain } from './registrable-domain';

export interface HarHostEvidence {
  hostname: string;
  /** Addresses the browser connected to for this host (the HAR's serverIPAddress values). */
  serverAddresses: readonly string[];
  /** The host's DoH answer, or null when there is none to compare with (private name, failure). */
  dohAddresses: readonly string[] | null;
}

/**
 * The addresses (canonical text) that the HAR's hosts reached through a proxy: at least
 * `minDomainsNotInDns` registrable domains whose DoH answers lack the address, or
 * `minDomainsUnconfirmed` domains when some had no answer to compare with; never an address that
 * any host's DoH answer contains (that is a shared server, not a proxy).
 */
export function proxiesInHar(hosts: readonly HarHostEvidence[]): Set<string> {
  const seen = new Map<string, { confirmed: Set<string>; all: Set<string>; inDns: boolean }>();
  for (const host of hosts) {
    const domain = registrableDomain(host.hostname);
    const answers = host.dohAddresses?.map(canonicalIp);
    for (const raw of host.serverAddresses) {
      const ip = canonicalIp(raw);
      const entry = seen.get(ip) ?? { confirmed: new Set(), all: new Set(), inDns: false };
      seen.set(ip, entry);
      entry.all.add(domain);
      if (answers === undefined) continue;
      if (answers.includes(ip)) entry.inDns = true;
      else entry.confirmed.add(domain);
    }
  }
  const proxies = new Set<string>();
  for (const [ip, entry] of seen) {
    if (entry.inDns) continue;
    if (
      entry.confirmed.size >= PROXY_PATTERN.minDomainsNotInDns ||
      entry.all.size >= PROXY_PATTERN.minDomainsUnconfirmed
    ) {
      proxies.add(ip);
    }
  }
  return proxies;
}
