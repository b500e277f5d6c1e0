/**
 * The rules both the site's own host (lib/tabs/site-report) and the page's other hosts
 * (lib/tabs/page-hosts.ts) are judged by, in one place so the two can never drift apart.
 */
import { checkQueryableName, type DnsError, type ResolveResult } from '../dns';
import { parseIp } from '../ip/parse';
import { isAllowlisted, type Settings } from '../settings';
import type { DohState } from './types';
import type { PrefixLookup } from '../verdict';

/** Whether the URL is a web page (http or https), the only kind CarrierFlag looks at. */
export function isWebUrl(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

/** The URL's hostname, lower case, without a final dot; undefined when there is none. */
export function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/\.$/, '').toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** The address when the hostname is an IP literal (`[2001:db8::1]` included), else undefined. */
export function literalAddress(hostname: string): string | undefined {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return parseIp(bare).ok ? bare : undefined;
}

/** Whether a host gets a DoH lookup: none for allowlisted, literal or private names, or in privacy mode. */
export function initialDoh(hostname: string, settings: Settings): DohState {
  if (isAllowlisted(hostname, settings.allowlist)) return { state: 'skipped', why: 'allowlisted' };
  if (literalAddress(hostname)) return { state: 'skipped', why: 'literal' };
  if (settings.privacyMode) return { state: 'skipped', why: 'privacy-mode' };
  if (!checkQueryableName(hostname).ok) return { state: 'skipped', why: 'private-name' };
  return { state: 'pending' };
}

/**
 * Whether the address the browser connected to for a third-party host can stand in for a DoH
 * lookup: a public address with a row in the routing data. That is where the request's data went,
 * which is what CarrierFlag reports, so asking a resolver as well would only tell it one more host
 * the page used. A loopback or private address (a local proxy, a hosts-file override) or one with no
 * row says nothing of the host's network, so such a host is still looked up. A proxy's address never
 * reaches here (lib/tabs/host-witness.ts sets it aside).
 */
export function isUsableWitness(ip: string, table: PrefixLookup): boolean {
  return table.lookup(ip).kind === 'routed';
}

/**
 * A DoH lookup's outcome as a DoH state, the same for the site and for its hosts; never rejects:
 * the client promises never to throw, and if it does the name must still not look clean.
 * `keepRetried`: say that the answer came on a second try (the site's report shows it; a host's
 * stored record stays small).
 */
export async function lookupOutcome(
  resolve: () => Promise<ResolveResult>,
  hostname: string,
  log: (message: string, error?: unknown) => void,
  keepRetried = false,
): Promise<DohState> {
  try {
    const result = await resolve();
    return result.ok
      ? {
          state: 'done',
          addresses: result.addresses.map((a) => a.ip),
          cnameChain: [...result.cnameChain],
          // Only when true, so reports of first-try answers keep their shape.
          ...(keepRetried && result.retried ? { retried: true } : {}),
        }
      : { state: 'failed', error: result.error };
  } catch (error) {
    log(`resolver threw for ${hostname}`, error);
    return { state: 'failed', error: { kind: 'network', message: String(error) } as DnsError };
  }
}
