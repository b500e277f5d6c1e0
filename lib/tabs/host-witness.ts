/**
 * Which address the browser connected to for a page's other host (a third party) counts as that
 * host's witness (lib/tabs/page-hosts.ts judges it beside the host's DoH answer). A proxy's address
 * must never judge a host it merely carried, unless the proxy is on a watched network: then the
 * connection itself goes through that network, and the host flags with "your connection goes
 * through …'s network (it may be a proxy)" (issue 23), as the site's own host does (lib/verdict.ts).
 */
import { canonicalIp, proxyFromProxyInfo, type ProxyFact } from '../proxy';
import type { Settings } from '../settings';
import { isOnWatchedNetwork, type PrefixLookup } from '../verdict';
import { compileWatchlist, type CompiledWatchlist } from '../watchlist/match';

/** What is known about the connection one request of the page made. */
export interface HostConnection {
  /** The connected address (`details.ip`); none when nothing connected (the browser's cache). */
  ip?: string;
  /** The proxy Firefox names for this request (`details.proxyInfo`), if any. */
  namedProxy?: ProxyFact;
  /** The proxy the tab's own page went through (its `verdict.proxy.address`), if any. */
  pageProxy?: string;
}

/**
 * The witness for the host, or undefined when there is none. A connected address on a watched
 * network always witnesses, whoever calls it a proxy: Firefox's proxyInfo stays the authority for
 * *naming* a proxy, and the page's repeated-address proxy may only set aside a clean or local
 * address. Otherwise an address Firefox names as a proxy's, or the page's own proxy, is set aside.
 * With no connected address, a named proxy whose configured host is a watched address witnesses.
 */
export function hostWitness(
  connection: HostConnection,
  onWatchedNetwork: (ip: string) => boolean,
): string | undefined {
  const { ip, namedProxy, pageProxy } = connection;
  if (ip === undefined) {
    const proxyHost = namedProxy?.address;
    return proxyHost !== undefined && onWatchedNetwork(proxyHost) ? proxyHost : undefined;
  }
  if (onWatchedNetwork(ip)) return ip;
  if (namedProxy) return undefined;
  if (pageProxy !== undefined && canonicalIp(pageProxy) === canonicalIp(ip)) return undefined;
  return ip;
}

/**
 * Whether the witness is a proxy's address (named by Firefox, or the page's own proxy): it still
 * flags the host, but says nothing of where the host itself is, so the host is looked up as well.
 */
export function isProxiedWitness(connection: HostConnection): boolean {
  const { ip, namedProxy, pageProxy } = connection;
  if (namedProxy) return true;
  return ip !== undefined && pageProxy !== undefined && canonicalIp(pageProxy) === canonicalIp(ip);
}

/** A third-party request's witness: the address, and whether it is a proxy's. */
export interface Witness {
  ip: string;
  proxied: boolean;
}

export interface HostWitnessDeps {
  /** The prefix table; may still be loading. */
  table: Promise<PrefixLookup>;
  getSettings(): Settings;
  /** The proxy address the tab's own page went through (its report's `verdict.proxy`), if any. */
  pageProxyOf(tabId: number): Promise<string | undefined>;
}

/**
 * The worker's `hostWitness`: from a webRequest's `ip` and `proxyInfo` to the witness, judged with
 * the current watchlist (compiled once per watchlist, not per request).
 */
export function createHostWitness(deps: HostWitnessDeps) {
  let compiled: { watchlist: Settings['watchlist']; matcher: CompiledWatchlist } | undefined;
  const matcherNow = (): CompiledWatchlist => {
    const { watchlist } = deps.getSettings();
    if (compiled?.watchlist !== watchlist) {
      compiled = { watchlist, matcher: compileWatchlist(watchlist) };
    }
    return compiled.matcher;
  };
  return async (
    tabId: number,
    request: { ip?: string; proxyInfo?: unknown },
  ): Promise<Witness | undefined> => {
    // webRequest reports no connection as an absent or empty `ip`.
    const ip = request.ip || undefined;
    const namedProxy = proxyFromProxyInfo(request.proxyInfo, ip);
    if (ip === undefined && namedProxy === undefined) return undefined;
    const table = await deps.table;
    const matcher = matcherNow();
    const connection: HostConnection = { pageProxy: await deps.pageProxyOf(tabId) };
    if (ip !== undefined) connection.ip = ip;
    if (namedProxy) connection.namedProxy = namedProxy;
    const witness = hostWitness(connection, (ip) => isOnWatchedNetwork(ip, table, matcher));
    return witness === undefined
      ? undefined
      : { ip: witness, proxied: isProxiedWitness(connection) };
  };
}

export type HostWitness = ReturnType<typeof createHostWitness>;
