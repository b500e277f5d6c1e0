/**
 * Proxies in a HAR file. HAR has no field that names a proxy, and behind one `serverIPAddress` is the
 * proxy's address for every request. So the extension's repeated-address rule (./pattern.ts) is
 * applied to the whole file at once: an address that several unrelated sites were reached at, and
 * that none of their DoH answers contains, is a proxy's. As in the extension, an address on a
 * watched network is never a proxy's, and only hosts whose DoH answer exists and is on no watched
 * network count.
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
 * `minDomainsNotInDns` registrable domains whose DoH answers (present, and on no watched network)
 * lack the address; never an address that any host's DoH answer contains (that is a shared
 * server, not a proxy), nor one for which `isWatched` holds (it is judged, and flags).
 */
export function proxiesInHar(
  hosts: readonly HarHostEvidence[],
  isWatched: (ip: string) => boolean,
): Set<string> {
  // Per address, only as many distinct domains as the threshold needs: a HAR of 250,000 hosts at
  // as many addresses must not hold a set per address. Lists start as literals (`[domain]`), never
  // empty arrays pushed to, which V8 would give room for 17.
  const enough = PROXY_PATTERN.minDomainsNotInDns;
  const seen = new Map<string, { confirmed: string[] | null; inDns: boolean }>();
  const watched = new Map<string, boolean>();
  const watchedOnce = (ip: string): boolean => {
    let known = watched.get(ip);
    if (known === undefined) {
      known = isWatched(ip);
      watched.set(ip, known);
    }
    return known;
  };
  for (const host of hosts) {
    const domain = registrableDomain(host.hostname);
    const answers = host.dohAddresses?.map(canonicalIp);
    // A host with no answer, or a watched one, cannot count towards a proxy (but still proves a
    // shared server when its answer contains the address).
    const counts = answers !== undefined && answers.length > 0 && !answers.some(watchedOnce);
    for (const raw of host.serverAddresses) {
      const ip = canonicalIp(raw);
      const inDns = answers?.includes(ip) ?? false;
      const notInDns = counts && !inDns;
      const entry = seen.get(ip);
      if (!entry) {
        seen.set(ip, { confirmed: notInDns ? [domain] : null, inDns });
        continue;
      }
      if (entry.inDns) continue; // a shared server, never a proxy: nothing more to count
      if (inDns) {
        entry.inDns = true;
        entry.confirmed = null;
        continue;
      }
      if (!notInDns) continue;
      if (!entry.confirmed) entry.confirmed = [domain];
      else if (entry.confirmed.length < enough && !entry.confirmed.includes(domain)) {
        entry.confirmed.push(domain);
      }
    }
  }
  const proxies = new Set<string>();
  for (const [ip, entry] of seen) {
    if (entry.inDns || (entry.confirmed?.length ?? 0) < enough) continue;
    if (!watchedOnce(ip)) proxies.add(ip);
  }
  return proxies;
}
