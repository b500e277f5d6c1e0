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
  // Per address, only as many distinct domains as the thresholds need: a HAR of 250,000 hosts
  // at as many addresses must not hold two sets per address. Lists start as literals (`[domain]`),
  // never empty arrays pushed to, which V8 would give room for 17.
  const enough = Math.max(PROXY_PATTERN.minDomainsNotInDns, PROXY_PATTERN.minDomainsUnconfirmed);
  const seen = new Map<string, { all: string[]; confirmed: string[] | null; inDns: boolean }>();
  const note = (list: string[], domain: string) => {
    if (list.length < enough && !list.includes(domain)) list.push(domain);
  };
  for (const host of hosts) {
    const domain = registrableDomain(host.hostname);
    const answers = host.dohAddresses?.map(canonicalIp);
    for (const raw of host.serverAddresses) {
      const ip = canonicalIp(raw);
      const inDns = answers?.includes(ip) ?? false;
      const notInDns = answers !== undefined && !inDns;
      const entry = seen.get(ip);
      if (!entry) {
        seen.set(ip, { all: [domain], confirmed: notInDns ? [domain] : null, inDns });
        continue;
      }
      if (entry.inDns) continue; // a shared server, never a proxy: nothing more to count
      if (inDns) {
        entry.inDns = true;
        entry.all = [];
        entry.confirmed = null;
        continue;
      }
      note(entry.all, domain);
      if (notInDns) {
        if (entry.confirmed) note(entry.confirmed, domain);
        else entry.confirmed = [domain];
      }
    }
  }
  const proxies = new Set<string>();
  for (const [ip, entry] of seen) {
    if (entry.inDns) continue;
    if (
      (entry.confirmed?.length ?? 0) >= PROXY_PATTERN.minDomainsNotInDns ||
      entry.all.length >= PROXY_PATTERN.minDomainsUnconfirmed
    ) {
      proxies.add(ip);
    }
  }
  return proxies;
}
